import type { Readable } from 'node:stream';
import type {
  BucketInfo,
  ByteRange,
  CompletedPart,
  ContentHeaders,
  CopyResult,
  DeleteObjectsOutcome,
  DeleteResult,
  ListPage,
  ListV1Query,
  ListV2Query,
  ListVersionsPage,
  ListVersionsQuery,
  ObjectStore,
  ObjectToDelete,
  OpenRequest,
  OpenedStoredObject,
  PutResult,
  RequestedRange,
  StoredObjectInfo,
  StoredObjectName,
  UploadedPart,
  WriteCondition,
} from '../../src/backends/object-store.js';

/**
 * A pass-through ObjectStore that records the calls (in particular GET ranges) before forwarding
 * them to a real store: tests assert what s3seal asked the real backend for.
 */
export class RecordingStore implements ObjectStore {
  readonly gets: { key: string; range?: ByteRange }[] = [];
  readonly puts: { key: string; metadata: Record<string, string>; length: number }[] = [];
  readonly heads: { key: string; versionId?: string }[] = [];
  /** list pages asked for (every list kind) */
  readonly lists: { kind: 'v1' | 'v2' | 'versions'; prefix?: string }[] = [];
  readonly batchDeletes: { keys: string[] }[] = [];
  readonly commits: { key: string; metadata: Record<string, string>; ifMatch: string; size: number }[] = [];

  constructor(private readonly inner: ObjectStore) {}

  head(bucket: string, key: string, versionId?: string): Promise<StoredObjectInfo> {
    this.heads.push(versionId !== undefined ? { key, versionId } : { key });
    return this.inner.head(bucket, key, versionId);
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
  putConditional(bucket: string, key: string, body: Buffer, condition: WriteCondition, metadata?: Record<string, string>): Promise<PutResult> {
    this.puts.push({ key, metadata: metadata ?? {}, length: body.length });
    return this.inner.putConditional(bucket, key, body, condition, metadata);
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
  /** copies to another object (a copy onto itself is recorded here and, through replaceMetadata, in `commits` when it is a commit) */
  readonly copies: { source: StoredObjectName; target: StoredObjectName; metadata: Record<string, string>; ifMatch: string; size: number; headers?: ContentHeaders }[] = [];
  copyObject(source: StoredObjectName, target: StoredObjectName, metadata: Record<string, string>, ifMatch: string, size: number, headers?: ContentHeaders): Promise<CopyResult> {
    this.copies.push({ source, target, metadata, ifMatch, size, ...(headers ? { headers } : {}) });
    return this.inner.copyObject(source, target, metadata, ifMatch, size, headers);
  }
  delete(bucket: string, key: string): Promise<DeleteResult> {
    return this.inner.delete(bucket, key);
  }
  listObjects(bucket: string, query: ListV1Query): Promise<ListPage> {
    this.lists.push({ kind: 'v1', ...(query.prefix !== undefined ? { prefix: query.prefix } : {}) });
    return this.inner.listObjects(bucket, query);
  }
  listObjectsV2(bucket: string, query: ListV2Query): Promise<ListPage> {
    this.lists.push({ kind: 'v2', ...(query.prefix !== undefined ? { prefix: query.prefix } : {}) });
    return this.inner.listObjectsV2(bucket, query);
  }
  listObjectVersions(bucket: string, query: ListVersionsQuery): Promise<ListVersionsPage> {
    this.lists.push({ kind: 'versions', ...(query.prefix !== undefined ? { prefix: query.prefix } : {}) });
    return this.inner.listObjectVersions(bucket, query);
  }
  deleteObjects(bucket: string, objects: readonly ObjectToDelete[]): Promise<DeleteObjectsOutcome> {
    this.batchDeletes.push({ keys: objects.map((o) => o.key) });
    return this.inner.deleteObjects(bucket, objects);
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
