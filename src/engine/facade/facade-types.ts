import type { Readable } from 'node:stream';
import type { ContentHeaders } from '../../backends/object-store.js';
import type { EncryptionContext } from '../../crypto/encryption-context.js';
import type { SseMode } from '../../crypto/envelope.js';
import type { EncryptionPlan, MaterialsManager } from '../materials/materials-manager.js';
import type { RequestedEncryption, WritePlanner } from '../materials/write-planner.js';
import type { BucketEncryptionSettings } from './bucket-encryption.js';
import type { BeforeFinal } from '../framed-transform.js';
import type { UserMetadata } from '../metadata-budget.js';
import type { RangeRequest } from '../resolve-range-request.js';
import type { ListedPart, SealedObjects } from '../sealed-objects.js';
import type { ObjectStore } from '../../backends/object-store.js';
import type { ObjectActionPolicy } from './object-action-policy.js';
import type { BodyChecksums } from '../body-checksums.js';
import type { ChecksumType, SealedChecksumAlgorithm } from '../../crypto/sealed-checksums.js';
import type { ListedSizes } from '../listed-sizes.js';

export type { BeforeFinal, BodyChecksums, ContentHeaders, EncryptionPlan, ListedPart, RequestedEncryption, UserMetadata };

/** the flexible-checksum algorithms S3 returns as x-amz-checksum-<name> (the sealed MD5 is the ETag option's, not one of them) */
export type FlexibleChecksumAlgorithm = Exclude<SealedChecksumAlgorithm, 'MD5'>;

/**
 * An object's plaintext checksums as S3 returns them (x-amz-checksum-<algorithm>, x-amz-checksum-type):
 * opened from the envelope's sealed checksums (FORMAT.md §5.7), only when the request asked
 * (`checksumMode`), never for a range. The S3 core turns it into headers (checksum-echo-headers.ts).
 */
export interface ObjectChecksums {
  type: ChecksumType;
  /** base64 as S3 writes it; a COMPOSITE value ends in "-N" */
  values: Partial<Record<FlexibleChecksumAlgorithm, string>>;
}

/**
 * What the S3 echo headers need to know about an object's encryption (x-amz-server-side-encryption,
 * -aws-kms-key-id, -context, -bucket-key-enabled, -customer-key-MD5) — never the envelope itself.
 */
export interface SseResult {
  mode: SseMode;
  /** SSE-S3: the managed key's resolved id; SSE-KMS: the KMS key's resolved id (an alias is echoed as its ARN) */
  keyId?: string;
  /** SSE-KMS: the caller's context as stored (the derived `aws:s3:arn` entry is not part of it) */
  context?: EncryptionContext;
  bucketKeyEnabled: boolean;
  /** SSE-C: base64 MD5 of the customer key the request carried */
  customerKeyMd5?: string;
}

/** Who asks, for which object. The principal is the one the door authenticated. */
export interface ObjectRequest {
  bucket: string;
  key: string;
  principal: string;
}

export type { RangeRequest };

export interface PutObjectRequest extends ObjectRequest, ContentHeaders {
  /** the plaintext body, exactly `contentLength` bytes */
  body: Readable | Buffer;
  /** absent: a stream of unknown length, uploaded as multipart in bounded parts when it is longer than one */
  contentLength?: number;
  /** what the SSE headers asked for (the S3 core maps SseRequest onto it); the policy layer applies bucket defaults and floors */
  encryption: RequestedEncryption;
  userMetadata?: UserMetadata;
  /** the body's plaintext checksums, verified by the door while the body streams and sealed into the envelope */
  checksums?: BodyChecksums;
}

export interface PutObjectResult {
  etag: string;
  versionId?: string;
  sse: SseResult;
  /** the verified checksums now sealed with the object (S3 echoes them on PUT, type FULL_OBJECT) */
  checksums?: ObjectChecksums;
}

export interface ReadObjectRequest extends ObjectRequest {
  /** the SSE-C key the request carried (required for SSE-C objects, refused for others); the caller zeroes it */
  customerKey?: Buffer;
}

export interface HeadObjectRequest extends ReadObjectRequest {
  /**
   * x-amz-checksum-mode: ENABLED — return the sealed checksums. Opening them needs the object's key:
   * as on AWS (kms:Decrypt for a KMS object), such a HEAD is a read of the key, not a key-free HEAD.
   */
  checksumMode?: boolean;
  /**
   * S3 `partNumber` (1..10 000): describe that part of the object — its length, its Content-Range
   * within the object and the object's part count. Part boundaries come from the committed layout;
   * a single-part object has part 1 (all of it) only; any other is InvalidPartNumber (416).
   */
  partNumber?: number;
}

export interface GetObjectRequest extends HeadObjectRequest {
  /** not together with `partNumber` (InvalidRequest) */
  range?: RangeRequest;
  /** x-amz-checksum-mode: ENABLED — return the sealed checksums (whole reads only: S3 sends none for a range) */
  checksumMode?: boolean;
}

export interface HeadObjectResult extends ContentHeaders {
  etag: string;
  versionId?: string;
  lastModified?: Date;
  /** plaintext bytes of the whole object */
  contentLength: number;
  userMetadata: Record<string, string>;
  /** undefined only for a plaintext object served by passthrough */
  sse?: SseResult;
  /** only with `checksumMode`, and only when the object has sealed checksums */
  checksums?: ObjectChecksums;
  /**
   * a ranged or `partNumber` read: the inclusive bytes served (described) and the object's plaintext
   * length (Content-Range; S3 answers 206). `contentLength` is then the range's length.
   */
  contentRange?: { start: number; end: number; total: number };
  /** a `partNumber` read of a multipart object: how many parts it has (x-amz-mp-parts-count); absent for single-part objects, as on S3 */
  partsCount?: number;
}

export interface GetObjectResult extends HeadObjectResult {
  /** the plaintext (of the range or part, when one was asked for) */
  body: Readable;
}

export type DeleteObjectRequest = ObjectRequest;

export interface DeleteObjectResult {
  versionId?: string;
  deleteMarker?: boolean;
}

export interface CreateMultipartUploadRequest extends ObjectRequest, ContentHeaders {
  encryption: RequestedEncryption;
  userMetadata?: UserMetadata;
}

export interface CreateMultipartUploadResult {
  /** the s3seal upload token: what the caller uses as UploadId */
  uploadId: string;
  sse: SseResult;
}

export interface UploadPartRequest extends ReadObjectRequest {
  uploadId: string;
  partNumber: number;
  body: Readable | Buffer;
  contentLength: number;
  /** the part's plaintext checksums: verified before the part's final chunk, echoed, never stored */
  checksums?: BodyChecksums;
}

export interface UploadPartResult {
  etag: string;
  sse: SseResult;
  /** the part's verified checksums (S3 echoes them on UploadPart; the caller lists them at Complete) */
  checksums?: ObjectChecksums;
}

export interface CompleteMultipartUploadRequest extends ReadObjectRequest {
  uploadId: string;
  parts: readonly { partNumber: number; etag: string }[];
}

export interface CompleteMultipartUploadResult {
  etag: string;
  versionId?: string;
  sse: SseResult;
}

export interface AbortMultipartUploadRequest extends ObjectRequest {
  uploadId: string;
}

export interface ListPartsRequest extends ObjectRequest {
  uploadId: string;
}

/** the parts uploaded so far, by part number: plaintext sizes, the backend's part ETags */
export interface ListPartsResult {
  parts: ListedPart[];
}

/** What every facade operation works with. Keys come only from `materials`; no caller passes a KeyResolver. */
export interface FacadeContext {
  objects: SealedObjects;
  materials: MaterialsManager;
  store: ObjectStore;
  policy: ObjectActionPolicy;
  /** bucket defaults, floors and encrypt grants: every write's plan */
  planner: WritePlanner;
  /** where bucket encryption configurations live; absent: Put/Get/DeleteBucketEncryption are NotImplemented */
  bucketEncryption?: BucketEncryptionSettings;
  /** part size of a PutObject of unknown length (at least 5 MiB); one such part is buffered per upload */
  unknownLengthPartSize: number;
  /** plaintext sizes of listed objects */
  sizes: ListedSizes;
}
