import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListBucketsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type BucketLocationConstraint,
  type GetObjectCommandOutput,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { HttpRequest } from '@smithy/core/transport';
import type { BuildMiddleware, MiddlewareStack } from '@smithy/types';
import type {
  BodyDigests,
  BucketInfo,
  ByteRange,
  CompletedPart,
  ContentHeaders,
  CopyResult,
  DeleteResult,
  ObjectStore,
  OpenRequest,
  OpenedStoredObject,
  PutResult,
  RequestedRange,
  StoredObjectInfo,
  StoredObjectName,
  UploadedPart,
  WriteCondition,
} from './object-store.js';
import type { DeleteObjectsOutcome, ListPage, ListV1Query, ListV2Query, ListVersionsPage, ListVersionsQuery, ObjectToDelete } from './object-listing.js';
import { isMultipartEtag } from './multipart-etag.js';
import { parseContentRange } from './parse-content-range.js';
import { SealError } from '../errors.js';
import { listedDeleteMarker, listedObject, listedVersion, listQueryInput, mergeVersions, urlDecoder } from './s3-listing.js';
import { BackendRequestError } from './backend-request-error.js';

/** Copy sources are URL paths: each key segment is percent-encoded, the slashes kept. */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Outages of the object server (no answer, 5xx, throttling) become BackendUnavailable (503,
 * retryable) after the SDK's own bounded retries; the S3 client errors a caller can cause (404,
 * 412, 403…) become BackendRequestError with the backend's S3 code and status (never its message),
 * for the S3 core to answer as S3 does.
 */
async function backend<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
    const status = e.$metadata?.httpStatusCode;
    if (status === undefined || status >= 500 || status === 429 || e.name === 'TimeoutError') {
      throw new SealError('BackendUnavailable', `object server unavailable during ${what} (${e.name ?? e.code ?? 'network error'}${status ? ` ${status}` : ''})`);
    }
    // the SDK names a modeled or parsed error after its S3 code (a HEAD 404 has no body: "NotFound")
    throw new BackendRequestError(e.name ?? e.code ?? 'InvalidRequest', status, what);
  }
}

/** SDK send options: abort the HTTP request (destroying its socket) when `signal` fires */
function aborting(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {};
}

/**
 * A buffer body whose digests the engine computed while sealing it: its CRC32 goes in the command
 * (x-amz-checksum-crc32, so the SDK's flexible-checksums step computes none) and its SHA-256 is the
 * signed payload hash (x-amz-content-sha256, which SigV4 would otherwise compute over the whole
 * body on this thread) — or, without one, UNSIGNED-PAYLOAD: the body is then covered by its CRC32,
 * which the backend checks, as a streamed body (STREAMING-UNSIGNED-PAYLOAD-TRAILER) is.
 */
function withDigests<C extends PutObjectCommand | UploadPartCommand>(cmd: C, digests: BodyDigests | undefined): C {
  if (digests === undefined) return cmd;
  const sha256 = digests.sha256 ?? 'UNSIGNED-PAYLOAD';
  const payloadHash: BuildMiddleware<object, object> = (next) => (args) => {
    if (HttpRequest.isInstance(args.request)) args.request.headers['x-amz-content-sha256'] = sha256;
    return next(args);
  };
  (cmd.middlewareStack as unknown as MiddlewareStack<object, object>).add(payloadHash, { step: 'build', name: 's3sealPayloadHash' });
  return cmd;
}

/** a field S3 always sends: an answer without it is the backend's fault, refused typed (never used as undefined) */
function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new SealError('BodyMalformed', `backend response lacks ${what}`);
  return v;
}

/** a size the backend reports (Content-Length) is a byte count, or the answer is unusable */
function byteCount(v: number | undefined, what: string): number {
  const n = need(v, what);
  if (!Number.isSafeInteger(n) || n < 0) throw new SealError('BodyMalformed', `backend reported ${what} ${String(n)}`);
  return n;
}

/** the SDK's input fields for content headers (PutObject, CreateMultipartUpload, CopyObject) */
function contentInput(h: ContentHeaders | undefined): { ContentType?: string; CacheControl?: string; ContentDisposition?: string; ContentLanguage?: string; ContentEncoding?: string; Expires?: Date } {
  if (!h) return {};
  let expires: Date | undefined;
  if (h.expires !== undefined) {
    // the SDK takes a Date: an unparsable value would be sent as "Invalid Date"
    expires = new Date(h.expires);
    if (Number.isNaN(expires.getTime())) throw new SealError('InvalidArgument', 'Expires is not an HTTP date');
  }
  return {
    ...(h.contentType !== undefined ? { ContentType: h.contentType } : {}),
    ...(h.cacheControl !== undefined ? { CacheControl: h.cacheControl } : {}),
    ...(h.contentDisposition !== undefined ? { ContentDisposition: h.contentDisposition } : {}),
    ...(h.contentLanguage !== undefined ? { ContentLanguage: h.contentLanguage } : {}),
    ...(h.contentEncoding !== undefined ? { ContentEncoding: h.contentEncoding } : {}),
    ...(expires !== undefined ? { Expires: expires } : {}),
  };
}

/** the content headers of a HEAD / GET answer */
function contentOutput(r: { ContentType?: string | undefined; CacheControl?: string | undefined; ContentDisposition?: string | undefined; ContentLanguage?: string | undefined; ContentEncoding?: string | undefined; ExpiresString?: string | undefined }): ContentHeaders {
  return {
    ...(r.ContentType !== undefined ? { contentType: r.ContentType } : {}),
    ...(r.CacheControl !== undefined ? { cacheControl: r.CacheControl } : {}),
    ...(r.ContentDisposition !== undefined ? { contentDisposition: r.ContentDisposition } : {}),
    ...(r.ContentLanguage !== undefined ? { contentLanguage: r.ContentLanguage } : {}),
    ...(r.ContentEncoding !== undefined ? { contentEncoding: r.ContentEncoding } : {}),
    ...(r.ExpiresString !== undefined ? { expires: r.ExpiresString } : {}),
  };
}

/** what a HEAD answer, or a GET answer besides its body, says of the stored object */
function storedInfo(r: HeadObjectCommandOutput | GetObjectCommandOutput): StoredObjectInfo {
  return {
    size: byteCount(r.ContentLength, 'Content-Length'),
    etag: need(r.ETag, 'ETag'),
    metadata: r.Metadata ?? {},
    headers: contentOutput(r),
    ...(r.LastModified ? { lastModified: r.LastModified } : {}),
    ...(r.VersionId ? { versionId: r.VersionId } : {}),
    ...(r.StorageClass ? { storageClass: r.StorageClass } : {}),
  };
}

/**
 * An ETag as S3 sends it: quoted. SeaweedFS answers CopyObject with an unquoted ETag in
 * CopyObjectResult while its HEAD quotes the same value; callers compare ETags as strings
 * (If-Match, CopySourceIfMatch), so every copy's ETag is given in the one form HEAD uses.
 */
export function quotedEtag(etag: string): string {
  return etag.startsWith('"') || etag.startsWith('W/"') ? etag : `"${etag}"`;
}

function rangeHeader(r: RequestedRange): string {
  return 'suffix' in r ? `bytes=-${r.suffix}` : `bytes=${r.start}-${r.end ?? ''}`;
}

/**
 * Of two listed uploads of one part number, whether `earlier` (listed first) is the newer one, the
 * upload a caller that lists the parts means. S3 and MinIO list one entry per part (the last
 * upload); SeaweedFS lists every upload of the part: the later LastModified wins, on a tie (or
 * without dates) the one listed later. SeaweedFS's dates have whole seconds and it lists uploads of
 * one part in an order of random names, so two uploads within one second cannot be told apart
 * there; Complete does not depend on it (it takes the upload with the caller's ETag, as SeaweedFS
 * does: `superseded`).
 */
function supersedes(earlier: UploadedPart, later: UploadedPart): boolean {
  return earlier.lastModified !== undefined && later.lastModified !== undefined && earlier.lastModified.getTime() > later.lastModified.getTime();
}

function withoutSuperseded(p: UploadedPart): UploadedPart {
  const { superseded: _, ...rest } = p;
  return rest;
}

/** AWS S3 refuses a CopyObject (and an UploadPartCopy part) over 5 GiB. */
export const AWS_COPY_LIMIT = 5 * 1024 ** 3;
/** S3's smallest part (all but the last): the least copy limit a multipart copy can work with */
export const MIN_COPY_PART = 5 * 1024 ** 2;
const MAX_PARTS = 10_000;
const PART_COPY_CONCURRENCY = 4;

export interface S3ObjectStoreOptions {
  /**
   * Largest object committed by one CopyObject (default 5 GiB, AWS's limit); larger objects are
   * copied by UploadPartCopy in parts of at most this size (and at most 5 GiB).
   */
  copyObjectLimit?: number;
}

/** Part size of a multipart copy of `size` bytes: the copy limit, grown if 10 000 parts would not do. */
export function copyPartSize(size: number, copyLimit: number): number {
  return Math.max(Math.min(copyLimit, AWS_COPY_LIMIT), Math.ceil(size / MAX_PARTS));
}

/**
 * ObjectStore over an already-built @aws-sdk/client-s3 client (options accept a built client, so a
 * service passes its own endpoint, credentials and retry settings). Only headers s3seal chose are
 * sent: body, length, the metadata map (which carries the envelope), the caller's content headers
 * (Content-Type, Cache-Control, Content-Disposition, Content-Encoding, Expires: passed through, as S3
 * stores them beside the bytes), and CRC32 checksums of the ciphertext.
 *
 * Why checksums: a backend that keeps a full-object checksum can copy an object onto itself with new
 * metadata without touching its bytes. The pinned MinIO adds a CRC64NVME checksum to any copied
 * object that has none, which turns the metadata-only commit of a multipart upload (FORMAT.md §7.3)
 * into a rewrite of the whole object (hundreds of ms per 256 MiB instead of a few). So every PUT and
 * UploadPart asks the SDK for a CRC32 of the ciphertext it sends (a trailer after a stream, a header for a
 * buffer; computed in this process, independent of the client's `requestChecksumCalculation`), and multipart uploads are
 * created as FULL_OBJECT CRC32, which backends combine from the part CRCs at Complete. The copies
 * themselves send no checksum algorithm: asking for one makes MinIO recompute it, i.e. rewrite.
 */
export class S3ObjectStore implements ObjectStore {
  private readonly copyLimit: number;

  constructor(
    private readonly client: S3Client,
    opts: S3ObjectStoreOptions = {},
  ) {
    this.copyLimit = opts.copyObjectLimit ?? AWS_COPY_LIMIT;
    if (!Number.isSafeInteger(this.copyLimit) || this.copyLimit < MIN_COPY_PART) throw new RangeError(`copyObjectLimit must be an integer >= ${MIN_COPY_PART}`);
  }

  async head(bucket: string, key: string, versionId?: string): Promise<StoredObjectInfo> {
    return storedInfo(await backend('HeadObject', () => this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId !== undefined ? { VersionId: versionId } : {}) }))));
  }

  async get(bucket: string, key: string, range?: ByteRange, ifMatch?: string): Promise<Readable> {
    const r = await backend('GetObject', () => this.client.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        ...(ifMatch ? { IfMatch: ifMatch } : {}),
      }),
    ));
    return need(r.Body, 'a body') as Readable;
  }

  async open(bucket: string, key: string, req: OpenRequest = {}): Promise<OpenedStoredObject> {
    const input = {
      Bucket: bucket,
      Key: key,
      ...(req.range ? { Range: rangeHeader(req.range) } : {}),
      ...(req.ifMatch !== undefined ? { IfMatch: req.ifMatch } : {}),
    };
    const r = await backend('GetObject', () => this.client.send(new GetObjectCommand(input))).catch((err: unknown) => {
      // the two refusals a reader acts on, typed: a range past the end, another object version
      const status = err instanceof BackendRequestError ? err.status : undefined;
      if (status === 416) throw new SealError('InvalidRange', 'the backend found the requested byte range unsatisfiable', { cause: err });
      if (status === 412) throw new SealError('PreconditionFailed', 'the object changed (ETag) since it was last read', { cause: err });
      throw err;
    });
    const body = need(r.Body, 'a body') as Readable;
    try {
      const info = storedInfo(r);
      if (r.ContentRange === undefined) return { info, body };
      const served = parseContentRange(r.ContentRange);
      // a ranged answer's Content-Length is the range's; the object's size is the Content-Range total
      if (served.end - served.start + 1 !== info.size) throw new SealError('BodyMalformed', `backend answered Content-Range ${r.ContentRange} with ${info.size} bytes`);
      return { info: { ...info, size: served.total }, body, range: { start: served.start, end: served.end } };
    } catch (err) {
      body.destroy();
      throw err;
    }
  }

  async put(bucket: string, key: string, body: Readable | Buffer, length: number, metadata: Record<string, string>, signal?: AbortSignal, headers?: ContentHeaders, digests?: BodyDigests): Promise<PutResult> {
    const content = contentInput(headers);
    const cmd = withDigests(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: length, Metadata: metadata, ...content, ChecksumAlgorithm: 'CRC32', ...(digests ? { ChecksumCRC32: digests.crc32 } : {}) }), digests);
    const r = await backend('PutObject', () => this.client.send(cmd, aborting(signal)));
    return { etag: need(r.ETag, 'ETag'), ...(r.VersionId ? { versionId: r.VersionId } : {}) };
  }

  async putConditional(bucket: string, key: string, body: Buffer, condition: WriteCondition, metadata: Record<string, string> = {}): Promise<PutResult> {
    const when = 'ifMatch' in condition ? { IfMatch: condition.ifMatch } : { IfNoneMatch: condition.ifNoneMatch };
    const r = await backend('PutObject', () => this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length, Metadata: metadata, ...when }))).catch((err: unknown) => {
      // the two answers of a lost race, typed: another write committed first, or is committing now
      const status = err instanceof BackendRequestError ? err.status : undefined;
      if (status === 412) throw new SealError('PreconditionFailed', `the object changed since it was read (${'ifMatch' in condition ? 'If-Match' : 'If-None-Match'})`, { cause: err });
      if (status === 409) throw new SealError('ConditionalRequestConflict', 'a concurrent conditional write of the same object is in progress', { cause: err });
      throw err;
    });
    return { etag: need(r.ETag, 'ETag'), ...(r.VersionId ? { versionId: r.VersionId } : {}) };
  }

  async createMultipart(bucket: string, key: string, metadata: Record<string, string>, headers?: ContentHeaders): Promise<string> {
    const content = contentInput(headers);
    const r = await backend('CreateMultipartUpload', () => this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: metadata, ...content, ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' })));
    return need(r.UploadId, 'UploadId');
  }

  async uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Readable | Buffer, length: number, signal?: AbortSignal, digests?: BodyDigests): Promise<string> {
    const cmd = withDigests(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: length, ChecksumAlgorithm: 'CRC32', ...(digests ? { ChecksumCRC32: digests.crc32 } : {}) }), digests);
    const r = await backend('UploadPart', () => this.client.send(cmd, aborting(signal)));
    return need(r.ETag, 'ETag');
  }

  async completeMultipart(bucket: string, key: string, uploadId: string, parts: CompletedPart[], ifMatch?: string): Promise<PutResult> {
    const r = await backend('CompleteMultipartUpload', () => this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        // no full-object CRC: the S3 API makes it optional, and MinIO and SeaweedFS derive it from the part CRCs,
        // so no crc32_combine is needed here
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag, ...(p.crc32 !== undefined ? { ChecksumCRC32: p.crc32 } : {}) })) },
        ...(ifMatch !== undefined ? { IfMatch: ifMatch } : {}),
      }),
    ));
    return { etag: need(r.ETag, 'ETag'), ...(r.VersionId ? { versionId: r.VersionId } : {}) };
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<Map<number, UploadedPart>> {
    const parts = new Map<number, UploadedPart>();
    let marker: string | undefined;
    for (;;) {
      const r = await backend('ListParts', () => this.client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, ...(marker ? { PartNumberMarker: marker } : {}) })));
      for (const p of r.Parts ?? []) {
        const n = need(p.PartNumber, 'PartNumber');
        const part: UploadedPart = {
          size: need(p.Size, 'Size'),
          ...(p.ETag !== undefined ? { etag: p.ETag } : {}),
          ...(p.LastModified !== undefined ? { lastModified: p.LastModified } : {}),
          ...(p.ChecksumCRC32 ? { crc32: p.ChecksumCRC32 } : {}),
        };
        const seen = parts.get(n);
        if (seen === undefined) parts.set(n, part);
        else if (supersedes(seen, part)) parts.set(n, { ...seen, superseded: [...(seen.superseded ?? []), part] });
        else parts.set(n, { ...part, superseded: [...(seen.superseded ?? []), withoutSuperseded(seen)] });
      }
      if (!r.IsTruncated) return parts;
      marker = need(r.NextPartNumberMarker, 'NextPartNumberMarker');
    }
  }

  async abortMultipart(bucket: string, key: string, uploadId: string): Promise<void> {
    await backend('AbortMultipartUpload', () => this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })));
  }

  async delete(bucket: string, key: string): Promise<DeleteResult> {
    const r = await backend('DeleteObject', () => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    return { ...(r.VersionId ? { versionId: r.VersionId } : {}), ...(r.DeleteMarker !== undefined ? { deleteMarker: r.DeleteMarker } : {}) };
  }

  /*
   * Lists ask the backend for encoding-type=url: a key may hold characters XML 1.0 cannot carry
   * (U+0001…), and the SDK does not decode what comes back, so the keys, prefixes and markers are
   * decoded here — only when the answer says it is encoded (a backend that ignores the parameter
   * sends them raw, and decoding those would corrupt every key with a `%` or `+`).
   */
  async listObjects(bucket: string, q: ListV1Query): Promise<ListPage> {
    const r = await backend('ListObjects', () => this.client.send(new ListObjectsCommand({ Bucket: bucket, ...listQueryInput(q), ...(q.marker !== undefined ? { Marker: q.marker } : {}) })));
    const d = urlDecoder(r.EncodingType);
    return {
      objects: (r.Contents ?? []).map((o) => listedObject(o, d)),
      commonPrefixes: (r.CommonPrefixes ?? []).map((p) => d(need(p.Prefix, 'CommonPrefixes.Prefix'))),
      isTruncated: r.IsTruncated === true,
      ...(r.NextMarker !== undefined ? { nextMarker: d(r.NextMarker) } : {}),
    };
  }

  async listObjectsV2(bucket: string, q: ListV2Query): Promise<ListPage> {
    const r = await backend('ListObjectsV2', () => this.client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        ...listQueryInput(q),
        ...(q.continuationToken !== undefined ? { ContinuationToken: q.continuationToken } : {}),
        ...(q.startAfter !== undefined ? { StartAfter: q.startAfter } : {}),
        ...(q.fetchOwner ? { FetchOwner: true } : {}),
      }),
    ));
    const d = urlDecoder(r.EncodingType);
    return {
      objects: (r.Contents ?? []).map((o) => listedObject(o, d)),
      commonPrefixes: (r.CommonPrefixes ?? []).map((p) => d(need(p.Prefix, 'CommonPrefixes.Prefix'))),
      isTruncated: r.IsTruncated === true,
      ...(r.NextContinuationToken !== undefined ? { nextContinuationToken: r.NextContinuationToken } : {}),
    };
  }

  async listObjectVersions(bucket: string, q: ListVersionsQuery): Promise<ListVersionsPage> {
    const r = await backend('ListObjectVersions', () => this.client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        ...listQueryInput(q),
        ...(q.keyMarker !== undefined ? { KeyMarker: q.keyMarker } : {}),
        ...(q.versionIdMarker !== undefined ? { VersionIdMarker: q.versionIdMarker } : {}),
      }),
    ));
    const d = urlDecoder(r.EncodingType);
    return {
      entries: mergeVersions(
        (r.Versions ?? []).map((v) => listedVersion(v, d)),
        (r.DeleteMarkers ?? []).map((m) => listedDeleteMarker(m, d)),
      ),
      commonPrefixes: (r.CommonPrefixes ?? []).map((p) => d(need(p.Prefix, 'CommonPrefixes.Prefix'))),
      isTruncated: r.IsTruncated === true,
      ...(r.NextKeyMarker !== undefined ? { nextKeyMarker: d(r.NextKeyMarker) } : {}),
      ...(r.NextVersionIdMarker !== undefined ? { nextVersionIdMarker: r.NextVersionIdMarker } : {}),
    };
  }

  async deleteObjects(bucket: string, objects: readonly ObjectToDelete[]): Promise<DeleteObjectsOutcome> {
    if (objects.length === 0) return { deleted: [], errors: [] };
    // the SDK adds the body checksum S3 requires for DeleteObjects (Content-MD5 or x-amz-checksum-*)
    const r = await backend('DeleteObjects', () => this.client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Quiet: false, Objects: objects.map((o) => ({ Key: o.key, ...(o.versionId !== undefined ? { VersionId: o.versionId } : {}) })) },
      }),
    ));
    return {
      deleted: (r.Deleted ?? []).map((e) => ({
        key: need(e.Key, 'Deleted.Key'),
        ...(e.VersionId !== undefined ? { versionId: e.VersionId } : {}),
        ...(e.DeleteMarker !== undefined ? { deleteMarker: e.DeleteMarker } : {}),
        ...(e.DeleteMarkerVersionId !== undefined ? { deleteMarkerVersionId: e.DeleteMarkerVersionId } : {}),
      })),
      errors: (r.Errors ?? []).map((e) => ({
        key: need(e.Key, 'Error.Key'),
        ...(e.VersionId !== undefined ? { versionId: e.VersionId } : {}),
        code: e.Code ?? 'InternalError',
        message: e.Message ?? '',
      })),
    };
  }

  async createBucket(bucket: string, location?: string): Promise<void> {
    const config = location !== undefined && location !== '' ? { CreateBucketConfiguration: { LocationConstraint: location as BucketLocationConstraint } } : {};
    await backend('CreateBucket', () => this.client.send(new CreateBucketCommand({ Bucket: bucket, ...config })));
  }

  async deleteBucket(bucket: string): Promise<void> {
    await backend('DeleteBucket', () => this.client.send(new DeleteBucketCommand({ Bucket: bucket })));
  }

  async headBucket(bucket: string): Promise<{ region?: string }> {
    const r = await backend('HeadBucket', () => this.client.send(new HeadBucketCommand({ Bucket: bucket })));
    return r.BucketRegion !== undefined ? { region: r.BucketRegion } : {};
  }

  async listBuckets(): Promise<BucketInfo[]> {
    const out: BucketInfo[] = [];
    let token: string | undefined;
    do {
      const r = await backend('ListBuckets', () => this.client.send(new ListBucketsCommand(token !== undefined ? { ContinuationToken: token } : {})));
      for (const b of r.Buckets ?? []) out.push({ name: need(b.Name, 'bucket Name'), ...(b.CreationDate ? { creationDate: b.CreationDate } : {}) });
      token = r.ContinuationToken;
    } while (token !== undefined && token !== '');
    return out;
  }

  async bucketLocation(bucket: string): Promise<string> {
    const r = await backend('GetBucketLocation', () => this.client.send(new GetBucketLocationCommand({ Bucket: bucket })));
    return r.LocationConstraint ?? '';
  }

  replaceMetadata(bucket: string, key: string, metadata: Record<string, string>, ifMatch: string, size: number, headers?: ContentHeaders): Promise<PutResult> {
    const self = { bucket, key };
    return this.copyObject(self, self, metadata, ifMatch, size, headers);
  }

  async copyObject(source: StoredObjectName, target: StoredObjectName, metadata: Record<string, string>, ifMatch: string, size: number, headers?: ContentHeaders): Promise<CopyResult> {
    if (size > this.copyLimit) return this.copyInParts(source, target, metadata, ifMatch, size, headers);
    // A multipart object (`-N` ETag) copied to ANOTHER key by one CopyObject gets a plain MD5 ETag on
    // MinIO and AWS, and the listing would then size it by the single-part formula (wrong: its parts
    // each carry a header). UploadPartCopy keeps a `-N` ETag on every backend. A copy onto itself
    // (the layout commit, an in-place re-wrap) stays one metadata-only CopyObject: MinIO and
    // SeaweedFS keep the ETag there (test multipart-commit, multipart-copy-listing).
    const onto = source.bucket === target.bucket && source.key === target.key;
    if (!onto && isMultipartEtag(ifMatch)) return this.copyInParts(source, target, metadata, ifMatch, size, headers);
    // no ChecksumAlgorithm: with one, MinIO recomputes the checksum, i.e. rewrites the object
    const r = await backend('CopyObject', () => this.client.send(
      new CopyObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        CopySource: copySource(source.bucket, source.key),
        CopySourceIfMatch: ifMatch,
        MetadataDirective: 'REPLACE',
        Metadata: metadata,
        ...contentInput(headers),
      }),
    ));
    const copied = {
      etag: quotedEtag(need(r.CopyObjectResult?.ETag, 'ETag')),
      ...(r.VersionId ? { versionId: r.VersionId } : {}),
      ...(r.CopyObjectResult?.LastModified ? { lastModified: r.CopyObjectResult.LastModified } : {}),
    };
    // MinIO rewrites an object without a full-object checksum on a self-copy (see the class
    // comment), and a rewritten multipart object gets a plain ETag: that is what an object made by
    // UploadPartCopy (above) becomes when re-wrapped in place. Copied again in parts, conditional on
    // the ETag just made, it is multipart-looking again (a rare second copy, not a wrong listing).
    if (onto && isMultipartEtag(ifMatch) && !isMultipartEtag(copied.etag)) return this.copyInParts(source, target, metadata, copied.etag, size, headers);
    return copied;
  }

  /**
   * A copy over the copy limit (the commit of a large multipart object, or a large copy to another
   * key), or of a multipart object to another key: a new multipart upload on the target with the replaced metadata, filled by UploadPartCopy
   * ranges of the source. Each range is copied only if the source still has `ifMatch`; a copy onto
   * the source itself completes only if the object still has `ifMatch` (S3 conditional write), so a
   * write that lands during the copy wins and is never overwritten by the older bytes. The upload is created without a checksum algorithm: UploadPartCopy
   * cannot carry part checksums, and MinIO refuses part copies into an upload that expects them.
   */
  private async copyInParts(source: StoredObjectName, target: StoredObjectName, metadata: Record<string, string>, ifMatch: string, size: number, headers?: ContentHeaders): Promise<CopyResult> {
    const { bucket, key } = target;
    const onto = source.bucket === target.bucket && source.key === target.key;
    const content = contentInput(headers);
    const created = await backend('CreateMultipartUpload', () => this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: metadata, ...content })));
    const uploadId = need(created.UploadId, 'UploadId');
    try {
      const partSize = copyPartSize(size, this.copyLimit);
      const count = Math.ceil(size / partSize);
      const etags: string[] = new Array<string>(count);
      let next = 0;
      // after one part copy fails no worker starts another, and the abort below waits for those in
      // flight: a part that finished after an abort would be left behind (storage on AWS)
      let failed = false;
      const worker = async (): Promise<void> => {
        while (next < count && !failed) {
          const i = next++;
          const start = i * partSize;
          const end = Math.min(start + partSize, size) - 1;
          const r = await backend('UploadPartCopy', () => this.client.send(
            new UploadPartCopyCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: i + 1,
              CopySource: copySource(source.bucket, source.key),
              CopySourceIfMatch: ifMatch,
              CopySourceRange: `bytes=${start}-${end}`,
            }),
          ));
          etags[i] = need(r.CopyPartResult?.ETag, 'ETag');
        }
      };
      const settled = await Promise.allSettled(
        Array.from({ length: Math.min(PART_COPY_CONCURRENCY, count) }, () =>
          worker().catch((err: unknown) => {
            failed = true;
            throw err;
          }),
        ),
      );
      const firstFailure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (firstFailure) throw firstFailure.reason;
      // another target's current object is not what was read: only a copy onto the source is conditional on it
      return await this.completeMultipart(bucket, key, uploadId, etags.map((etag, i) => ({ partNumber: i + 1, etag })), onto ? ifMatch : undefined);
    } catch (err) {
      // best effort: the failure that matters is the one thrown; a leftover upload holds only ciphertext
      await this.abortMultipart(bucket, key, uploadId).catch(() => undefined);
      throw err;
    }
  }
}
