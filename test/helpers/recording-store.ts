import type { Readable } from 'node:stream';
import type { BucketInfo, ByteRange, CompletedPart, ContentHeaders, DeleteResult, ObjectStore, OpenedStoredObject, OpenRequest, PutResult, RequestedRange, StoredObjectInfo, UploadedPart } from '../../src/backends/object-store.js';

/**
 * A pass-through ObjectStore that records the calls (in particular GET ranges) before forwarding
 * them to a real store: tests assert what s3seal asked the real backend for.
 */
export class RecordingStore implements ObjectStore {
  readonly gets: { key: string; range?: ByteRange }[] = [];
  readonly puts: { key: string; metadata: Record<string, string>; length: number }[] = [];
  readonly heads: { key: string }[] = [];
  readonly commits: { key: string; metadata: Record<string, string>; ifMatch: string; size: number }[] = [];

  constructor(private readonly inner: ObjectStore) {}

  head(bucket: string, key: string): Promise<StoredObjectInfo> {
    this.heads.push({ key });
    return this.inner.head(bucket, key);
  }
  get(bucket: string, key: string, range?: ByteRange, ifMatch?: string): Promise<Readable> {
    this.gets.push(range ? { key, range } : { key });
    return this.inner.get(bucket, key, range, ifMatch);
  }
  /** GETs that also return the object's info (whole, or with the range and If-Match they carried) */
  readonly opens: { key: string; range?: RequestedRange; ifMatch?: string }[] = [];
  open(bucket: string, key: string, req: OpenRequest = {}): Promise<OpenedStoredObject> {
    this.opens.push({ key, ...(req.range ? { range: req.range } : {}), ...(req.ifMatch !== undefined ? { ifMatch: req.ifMatch } : {}) });
    return this.inner.open(bucket, key, req);
  }
  put(bucket: string, key: string, body: Readable | Buffer, length: number, metadata: Record<string, string>, signal?: AbortSignal, headers?: ContentHeaders): Promise<PutResult> {
    this.puts.push({ key, metadata, length });
    return this.inner.put(bucket, key, body, length, metadata, signal, headers);
  }
  createMultipart(bucket: string, key: string, metadata: Record<string, string>, headers?: ContentHeaders): Promise<string> {
    return this.inner.createMultipart(bucket, key, metadata, headers);
  }
  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Readable | Buffer, length: number, signal?: AbortSignal): Promise<string> {
    return this.inner.uploadPart(bucket, key, uploadId, partNumber, body, length, signal);
  }
  completeMultipart(bucket: string, key: string, uploadId: string, parts: CompletedPart[], ifMatch?: string): Promise<PutResult> {
    return this.inner.completeMultipart(bucket, key, uploadId, parts, ifMatch);
  }
  listParts(bucket: string, key: string, uploadId: string): Promise<Map<number, UploadedPart>> {
    return this.inner.listParts(bucket, key, uploadId);
  }
  abortMultipart(bucket: string, key: string, uploadId: string): Promise<void> {
    return this.inner.abortMultipart(bucket, key, uploadId);
  }
  replaceMetadata(bucket: string, key: string, metadata: Record<string, string>, ifMatch: string, size: number, headers?: ContentHeaders): Promise<PutResult> {
    this.commits.push({ key, metadata, ifMatch, size });
    return this.inner.replaceMetadata(bucket, key, metadata, ifMatch, size, headers);
  }
  delete(bucket: string, key: string): Promise<DeleteResult> {
    return this.inner.delete(bucket, key);
  }
  createBucket(bucket: string, location?: string): Promise<void> {
    return this.inner.createBucket(bucket, location);
  }
  deleteBucket(bucket: string): Promise<void> {
    return this.inner.deleteBucket(bucket);
  }
  headBucket(bucket: string): Promise<{ region?: string }> {
    return this.inner.headBucket(bucket);
  }
  listBuckets(): Promise<BucketInfo[]> {
    return this.inner.listBuckets();
  }
  bucketLocation(bucket: string): Promise<string> {
    return this.inner.bucketLocation(bucket);
  }
}
