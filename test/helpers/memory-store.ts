import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  BucketInfo,
  ByteRange,
  ContentHeaders,
  CopyResult,
  DeleteObjectsOutcome,
  DeleteResult,
  ListPage,
  ListQuery,
  ListV1Query,
  ListV2Query,
  ListVersionsPage,
  ObjectStore,
  ObjectToDelete,
  OpenRequest,
  OpenedStoredObject,
  PutResult,
  StoredObjectInfo,
  StoredObjectName,
  UploadedPart,
  WriteCondition,
} from '../../src/backends/object-store.js';
import { SealError } from '../../src/errors.js';

interface Stored {
  body: Buffer;
  metadata: Record<string, string>;
  headers: ContentHeaders;
  etag: string;
}

/**
 * An in-memory ObjectStore for unit tests of SealedObjects' read paths (HEAD, GET with ranges and
 * If-Match). It adds to the real-server tests, never replaces them: objects are placed with `set`
 * (bodies built by the engine fixtures, e.g. a 50-part object with tiny parts that S3 would refuse
 * to complete). Subclasses override `get` to play a lying backend.
 */
export class MemoryStore implements ObjectStore {
  private readonly objects = new Map<string, Stored>();
  /** PUTs received (a test that refuses early asserts none reached the backend) */
  puts = 0;

  /** `etag`: the one the backend would report (e.g. a multipart `"…-3"`); default an MD5 of body and metadata */
  set(bucket: string, key: string, body: Buffer, metadata: Record<string, string>, headers: ContentHeaders = {}, etag = `"${createHash('md5').update(body).update(JSON.stringify(metadata)).digest('hex')}"`): string {
    this.objects.set(`${bucket}/${key}`, { body, metadata: { ...metadata }, headers: { ...headers }, etag });
    return etag;
  }

  /** a lying backend: other bytes under the same ETag */
  replaceBodyKeepingEtag(bucket: string, key: string, body: Buffer): void {
    const o = this.find(bucket, key);
    o.body = body;
  }

  private find(bucket: string, key: string): Stored {
    const o = this.objects.get(`${bucket}/${key}`);
    if (!o) throw new Error(`MemoryStore: no object ${bucket}/${key}`);
    return o;
  }

  head(bucket: string, key: string, _versionId?: string): Promise<StoredObjectInfo> {
    this.heads++;
    const o = this.find(bucket, key);
    return Promise.resolve({ size: o.body.length, etag: o.etag, metadata: { ...o.metadata }, headers: { ...o.headers } });
  }

  get(bucket: string, key: string, range?: ByteRange, ifMatch?: string): Promise<Readable> {
    const o = this.find(bucket, key);
    if (ifMatch !== undefined && ifMatch !== o.etag) return Promise.reject(new Error('MemoryStore: PreconditionFailed'));
    if (range && (range.start < 0 || range.end < range.start || range.start >= o.body.length)) {
      return Promise.reject(new Error(`MemoryStore: unsatisfiable range ${range.start}-${range.end}`));
    }
    const slice = range ? o.body.subarray(range.start, Math.min(range.end, o.body.length - 1) + 1) : o.body;
    const pieces: Buffer[] = [];
    for (let i = 0; i < slice.length; i += 7919) pieces.push(Buffer.from(slice.subarray(i, i + 7919)));
    return Promise.resolve(Readable.from(pieces));
  }

  /**
   * GETs with their info (ObjectStore.open), whole or ranged, resolved as S3 resolves a Range
   * (end clamped, suffix, 416 past the end, 412 on another ETag); the body comes from `get`, so a
   * subclass's lying `get` applies
   */
  opens = 0;
  heads = 0;
  async open(bucket: string, key: string, req: OpenRequest = {}): Promise<OpenedStoredObject> {
    this.opens++;
    const o = this.find(bucket, key);
    if (req.ifMatch !== undefined && req.ifMatch !== o.etag) throw new SealError('PreconditionFailed', 'MemoryStore: PreconditionFailed');
    const info = { size: o.body.length, etag: o.etag, metadata: { ...o.metadata }, headers: { ...o.headers } };
    const size = o.body.length;
    const r = req.range;
    if (r === undefined) return { info, body: await this.get(bucket, key, undefined, o.etag) };
    const range = 'suffix' in r ? { start: Math.max(0, size - r.suffix), end: size - 1 } : { start: r.start, end: Math.min(r.end ?? size - 1, size - 1) };
    if (('suffix' in r && r.suffix === 0) || range.start >= size) throw new SealError('InvalidRange', 'MemoryStore: unsatisfiable range');
    return { info, body: await this.get(bucket, key, range, o.etag), range };
  }

  async put(bucket: string, key: string, body: Readable | Buffer, _length: number, metadata: Record<string, string>, _signal?: AbortSignal, headers?: ContentHeaders): Promise<PutResult> {
    this.puts++;
    const chunks: Buffer[] = [];
    if (Buffer.isBuffer(body)) chunks.push(body);
    else for await (const c of body) chunks.push(c as Buffer);
    return { etag: this.set(bucket, key, Buffer.concat(chunks), metadata, headers) };
  }

  /** S3 conditional write: PreconditionFailed when the condition does not hold */
  putConditional(bucket: string, key: string, body: Buffer, condition: WriteCondition, metadata: Record<string, string> = {}): Promise<PutResult> {
    const current = this.objects.get(`${bucket}/${key}`);
    const holds = 'ifMatch' in condition ? current?.etag === condition.ifMatch : current === undefined;
    if (!holds) return Promise.reject(new SealError('PreconditionFailed', 'MemoryStore: PreconditionFailed'));
    this.puts++;
    return Promise.resolve({ etag: this.set(bucket, key, Buffer.from(body), metadata) });
  }

  /** an upload id only (enough for tests of the upload token); parts are not stored */
  createMultipart(): Promise<string> {
    return Promise.resolve('memory-upload');
  }
  uploadPart(): Promise<string> {
    return Promise.reject(new Error('MemoryStore: parts are not stored (build multipart bodies with the engine fixtures)'));
  }
  completeMultipart(): Promise<PutResult> {
    return Promise.reject(new Error('MemoryStore: multipart uploads are not supported'));
  }
  listParts(): Promise<Map<number, UploadedPart>> {
    return Promise.reject(new Error('MemoryStore: multipart uploads are not supported'));
  }
  abortMultipart(): Promise<void> {
    return Promise.reject(new Error('MemoryStore: multipart uploads are not supported'));
  }
  replaceMetadata(bucket: string, key: string, metadata: Record<string, string>, ifMatch: string, _size?: number, headers?: ContentHeaders): Promise<PutResult> {
    const o = this.find(bucket, key);
    if (ifMatch !== o.etag) return Promise.reject(new Error('MemoryStore: PreconditionFailed'));
    return Promise.resolve({ etag: this.set(bucket, key, o.body, metadata, headers) });
  }
  /** CopyObjects received (a re-wrap is one copy and no PUT) */
  copies = 0;
  copyObject(source: StoredObjectName, target: StoredObjectName, metadata: Record<string, string>, ifMatch: string, _size?: number, headers?: ContentHeaders): Promise<CopyResult> {
    this.copies++;
    const o = this.find(source.bucket, source.key);
    if (ifMatch !== o.etag) return Promise.reject(new Error('MemoryStore: PreconditionFailed'));
    return Promise.resolve({ etag: this.set(target.bucket, target.key, o.body, metadata, headers), lastModified: new Date() });
  }
  /** DeleteObjects received (a delete must use no key: tests count keystore calls around it) */
  deletes = 0;
  delete(bucket: string, key: string): Promise<DeleteResult> {
    this.deletes++;
    this.objects.delete(`${bucket}/${key}`);
    return Promise.resolve({});
  }
  // bucket operations: not modelled (the S3 core's bucket forwarding is tested on MinIO)
  createBucket(): Promise<void> {
    return Promise.reject(new Error('MemoryStore: bucket operations are not supported'));
  }
  deleteBucket(): Promise<void> {
    return Promise.reject(new Error('MemoryStore: bucket operations are not supported'));
  }
  headBucket(): Promise<{ region?: string }> {
    return Promise.reject(new Error('MemoryStore: bucket operations are not supported'));
  }
  listBuckets(): Promise<BucketInfo[]> {
    return Promise.reject(new Error('MemoryStore: bucket operations are not supported'));
  }
  bucketLocation(): Promise<string> {
    return Promise.reject(new Error('MemoryStore: bucket operations are not supported'));
  }
  has(bucket: string, key: string): boolean {
    return this.objects.has(`${bucket}/${key}`);
  }

  /** one list page in key order: prefix, delimiter, maxKeys, after = exclusive start key (a plain subset of S3's rules) */
  private page(bucket: string, q: ListQuery, after: string | undefined): ListPage & { lastKey?: string } {
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(`${bucket}/`)).map((k) => k.slice(bucket.length + 1)).sort();
    const max = q.maxKeys ?? 1000;
    const out: ListPage & { lastKey?: string } = { objects: [], commonPrefixes: [], isTruncated: false };
    for (const key of keys) {
      if (!key.startsWith(q.prefix ?? '') || (after !== undefined && key <= after)) continue;
      const rest = key.slice((q.prefix ?? '').length);
      const cut = q.delimiter ? rest.indexOf(q.delimiter) : -1;
      const common = cut >= 0 ? (q.prefix ?? '') + rest.slice(0, cut + q.delimiter!.length) : undefined;
      if (common !== undefined && out.commonPrefixes.includes(common)) continue;
      if (out.objects.length + out.commonPrefixes.length === max) {
        out.isTruncated = true;
        break;
      }
      if (common !== undefined) {
        out.commonPrefixes.push(common);
        out.lastKey = common + '\uffff';
      } else {
        const o = this.objects.get(`${bucket}/${key}`)!;
        out.objects.push({ key, size: o.body.length, etag: o.etag });
        out.lastKey = key;
      }
    }
    return out;
  }
  lists = 0;
  listObjects(bucket: string, q: ListV1Query): Promise<ListPage> {
    this.lists++;
    const { lastKey, ...p } = this.page(bucket, q, q.marker);
    return Promise.resolve(p.isTruncated && q.delimiter !== undefined && lastKey !== undefined ? { ...p, nextMarker: lastKey } : p);
  }
  listObjectsV2(bucket: string, q: ListV2Query): Promise<ListPage> {
    this.lists++;
    const { lastKey, ...p } = this.page(bucket, q, q.continuationToken ?? q.startAfter);
    return Promise.resolve(p.isTruncated && lastKey !== undefined ? { ...p, nextContinuationToken: lastKey } : p);
  }
  listObjectVersions(): Promise<ListVersionsPage> {
    return Promise.reject(new Error('MemoryStore: versions are not supported'));
  }
  deleteObjects(bucket: string, objects: readonly ObjectToDelete[]): Promise<DeleteObjectsOutcome> {
    for (const o of objects) this.objects.delete(`${bucket}/${o.key}`);
    return Promise.resolve({ deleted: objects.map((o) => ({ key: o.key })), errors: [] });
  }
}
