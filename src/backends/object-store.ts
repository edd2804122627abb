import type { Readable } from 'node:stream';
import type { DeleteObjectsOutcome, ListPage, ListV1Query, ListV2Query, ListVersionsPage, ListVersionsQuery, ObjectToDelete } from './object-listing.js';

export type * from './object-listing.js';

/**
 * The backend port: what s3seal needs from an object server. It only ever sees ciphertext and the
 * envelope. Implementations: S3ObjectStore (@aws-sdk/client-s3). Metadata names are given without
 * the `x-amz-meta-` prefix, lower-case, as S3 returns them.
 */
/**
 * The content headers S3 stores with an object and returns on HEAD / GET, passed through unchanged
 * (issue 7 item 1). They describe the plaintext (its type, its encoding) as the caller set them; the
 * backend keeps them beside the ciphertext, unauthenticated, as S3 keeps them beside the bytes.
 */
export interface ContentHeaders {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  contentEncoding?: string;
  /**
   * the Expires header, an HTTP date: S3ObjectStore sends it as the SDK formats a Date (IMF-fixdate),
   * so a date in another format comes back normalised; an unparsable one is InvalidArgument
   */
  expires?: string;
}

export interface StoredObjectInfo {
  size: number;
  etag: string;
  metadata: Record<string, string>;
  /** the content headers stored with the object (empty when none were set) */
  headers: ContentHeaders;
  lastModified?: Date;
  versionId?: string;
  /** absent where the backend does not say (S3 omits it for STANDARD) */
  storageClass?: string;
}

export interface ByteRange {
  start: number;
  end: number;
}

/**
 * A byte range as a GET asks for it (RFC 9110 §14.1.2), before the object's size is known:
 * `bytes=start-end`, `bytes=start-` (no `end`) or `bytes=-suffix` (the last `suffix` bytes).
 */
export type RequestedRange = { start: number; end?: number } | { suffix: number };

export interface OpenRequest {
  range?: RequestedRange;
  /** read only this version: another ETag is PreconditionFailed */
  ifMatch?: string;
}

export interface OpenedStoredObject {
  /** `size` is the whole stored object's (for a ranged answer: the Content-Range total) */
  info: StoredObjectInfo;
  /** unread; the caller consumes or destroys it */
  body: Readable;
  /** the inclusive bytes the body holds, as the answer's Content-Range says; absent = the whole object */
  range?: ByteRange;
}

export interface DeleteResult {
  versionId?: string;
  deleteMarker?: boolean;
}

export interface PutResult {
  etag: string;
  versionId?: string;
}

export interface CopyResult extends PutResult {
  /** as the backend's CopyObjectResult says (absent after a copy in parts, whose Complete does not say) */
  lastModified?: Date;
}

/**
 * The condition of a conditional PutObject (S3 conditional writes): replace only the object that
 * still has this ETag, or create one only where none exists.
 */
export type WriteCondition = { ifMatch: string } | { ifNoneMatch: '*' };

/** An object named by bucket and key (the copy source or target). */
export interface StoredObjectName {
  bucket: string;
  key: string;
}

/** A part of an open upload as the backend lists it. */
export interface UploadedPart {
  size: number;
  /** the part's ETag and upload time, as ListParts reports them */
  etag?: string;
  lastModified?: Date;
  /** the backend's CRC32 of the part's ciphertext (base64), where it keeps one */
  crc32?: string;
  /**
   * other uploads of the same part number the backend still lists (SeaweedFS lists every upload
   * until Complete, and completes with the one whose ETag the caller names): older, or not to be
   * told apart by date
   */
  superseded?: readonly UploadedPart[];
}

/** A bucket as ListBuckets reports it. */
export interface BucketInfo {
  name: string;
  creationDate?: Date;
}

/** A part named in CompleteMultipartUpload. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
  /** the part's CRC32 as listed: a backend that keeps checksums (MinIO) requires it back at Complete */
  crc32?: string;
}

/** Digests of a request body the engine already computed (over exactly the bytes sent). */
export interface BodyDigests {
  /** CRC32, base64 of the 4 big-endian bytes (as S3's x-amz-checksum-crc32) */
  crc32: string;
  /** SHA-256, lower-case hex (as SigV4's x-amz-content-sha256); absent: the payload is sent unsigned (UNSIGNED-PAYLOAD), as a streamed body is */
  sha256?: string;
}

export interface ObjectStore {
  /** `versionId`: that version instead of the current one */
  head(bucket: string, key: string, versionId?: string): Promise<StoredObjectInfo>;
  /** whole object when range is absent; `range` is inclusive */
  get(bucket: string, key: string, range?: ByteRange, ifMatch?: string): Promise<Readable>;
  /**
   * GET of the object (or of a byte range of it) together with what its response says about it
   * (metadata — the envelope —, the whole object's size, ETag, content headers): a read costs one
   * request, no HEAD first. A range that starts at or past the end is SealError InvalidRange (the
   * backend's 416); an `ifMatch` that no longer holds is SealError PreconditionFailed (412).
   */
  open(bucket: string, key: string, req?: OpenRequest): Promise<OpenedStoredObject>;
  /**
   * `signal` aborts the request (the engine aborts it when the body it streams fails: a body of the
   * wrong length must never be stored, and the request must not wait for bytes that never come);
   * `headers`: content headers stored with the object; `digests`: of a buffer body, computed by the
   * engine while it sealed it, so the driver need not hash it again
   */
  put(bucket: string, key: string, body: Readable | Buffer, length: number, metadata: Record<string, string>, signal?: AbortSignal, headers?: ContentHeaders, digests?: BodyDigests): Promise<PutResult>;
  /**
   * A small PutObject of `body` only if `condition` still holds when the backend commits it (no
   * checksum trailer, no content headers: s3seal's own records, e.g. the bucket encryption document).
   * Another writer first: SealError PreconditionFailed (the backend's 412) or ConditionalRequestConflict
   * (409, a conditional write racing another).
   */
  putConditional(bucket: string, key: string, body: Buffer, condition: WriteCondition, metadata?: Record<string, string>): Promise<PutResult>;
  /** `headers`: as for put, stored with the completed object */
  createMultipart(bucket: string, key: string, metadata: Record<string, string>, headers?: ContentHeaders): Promise<string>;
  /** `signal`, `digests`: as for put */
  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Readable | Buffer, length: number, signal?: AbortSignal, digests?: BodyDigests): Promise<string>;
  /** `ifMatch`: complete only if the object at `key` still has this ETag (S3 conditional write) */
  completeMultipart(bucket: string, key: string, uploadId: string, parts: CompletedPart[], ifMatch?: string): Promise<PutResult>;
  /**
   * the parts uploaded so far, by part number (all pages); a part uploaded more than once is the
   * upload the backend would complete with (the newest), even where the backend lists them all
   */
  listParts(bucket: string, key: string, uploadId: string): Promise<Map<number, UploadedPart>>;
  abortMultipart(bucket: string, key: string, uploadId: string): Promise<void>;
  /**
   * Server-side copy of the `size`-byte object at `key` onto itself with the metadata replaced, only
   * if the source still has `ifMatch` (a concurrent write is never overwritten). Metadata-only
   * where the backend allows it; objects over the backend's single-copy limit are copied in parts,
   * every part and the final Complete conditional on `ifMatch`. A REPLACE copy replaces the content
   * headers too: `headers` are the ones the copy keeps (none given = none kept).
   */
  replaceMetadata(bucket: string, key: string, metadata: Record<string, string>, ifMatch: string, size: number, headers?: ContentHeaders): Promise<PutResult>;
  /**
   * Server-side copy of the `size`-byte object `source` to `target` (which may be `source` itself)
   * with `metadata` and content `headers` replacing the source's (REPLACE), only if the source still
   * has `ifMatch`. Over the backend's single-copy limit the copy goes by UploadPartCopy, every part
   * conditional on `ifMatch`; a copy onto the source itself also completes only if it still has
   * `ifMatch`. A copy of a multipart object (`ifMatch` is a `-N` ETag) to another key keeps a
   * multipart ETag (the listing relies on it: engine/listed-sizes.ts). The backend never sees
   * anything but ciphertext and the envelope.
   */
  copyObject(source: StoredObjectName, target: StoredObjectName, metadata: Record<string, string>, ifMatch: string, size: number, headers?: ContentHeaders): Promise<CopyResult>;
  /** DeleteObject: no key is involved (DESIGN.md permission matrix); a missing key is not an error, as on S3 */
  delete(bucket: string, key: string): Promise<DeleteResult>;
  /** one page of ListObjects (v1); keys, prefixes and markers decoded (object-listing.ts) */
  listObjects(bucket: string, query: ListV1Query): Promise<ListPage>;
  /** one page of ListObjectsV2 */
  listObjectsV2(bucket: string, query: ListV2Query): Promise<ListPage>;
  /** one page of ListObjectVersions */
  listObjectVersions(bucket: string, query: ListVersionsQuery): Promise<ListVersionsPage>;
  /** DeleteObjects of at most 1000 keys (one request); every key's outcome is reported (never quiet) */
  deleteObjects(bucket: string, objects: readonly ObjectToDelete[]): Promise<DeleteObjectsOutcome>;

  // Bucket operations that cannot expose object data: forwarded as they are (issue 7 item 2).
  /** CreateBucket; `location`: the LocationConstraint, when the caller named one */
  createBucket(bucket: string, location?: string): Promise<void>;
  deleteBucket(bucket: string): Promise<void>;
  /** HeadBucket: resolves when the bucket exists and may be accessed; the region the backend reports, if any */
  headBucket(bucket: string): Promise<{ region?: string }>;
  listBuckets(): Promise<BucketInfo[]>;
  /** GetBucketLocation: the LocationConstraint ("" for us-east-1 / none) */
  bucketLocation(bucket: string): Promise<string>;
}
