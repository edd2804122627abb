import type { ObjectFacade } from '../../engine/facade/object-facade.js';
import type { S3Request } from './s3-request.js';
import type { S3Response } from './s3-response.js';

/**
 * The S3 operations the core recognises (S3 API reference names). `Unsupported` is every other
 * request: it answers NotImplemented and reaches nothing (issue 7 item 2).
 */
export type S3OperationName =
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'CopyObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'ListMultipartUploads'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'ListObjectVersions'
  | 'GetObjectAttributes'
  | 'UpdateObjectEncryption'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'ListBuckets'
  | 'GetBucketLocation'
  | 'PutBucketEncryption'
  | 'GetBucketEncryption'
  | 'DeleteBucketEncryption'
  | 'Unsupported';

/**
 * What every operation works with: the engine facade, the one way to the backend (DESIGN.md
 * "Architecture") — objects and the bucket operations the core forwards alike, each asking the
 * policy first. The core holds no backend client of its own.
 */
export interface S3CoreContext {
  facade: ObjectFacade;
}

/**
 * One S3 operation at the HTTP level: validates the request (S3's codes), calls the facade, writes
 * S3's response headers and body. It throws typed errors; the core turns them into S3 error responses.
 */
export type S3Operation = (ctx: S3CoreContext, req: S3Request) => Promise<S3Response>;
