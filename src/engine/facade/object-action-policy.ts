import type { ObjectId } from '../../crypto/object-id.js';

/** The S3 actions the facade performs, as a policy document names them (DESIGN.md "Policies"). */
export type ObjectAction =
  | 'GetObject'
  | 'HeadObject'
  | 'PutObject'
  | 'DeleteObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'GetObjectAttributes'
  /** the three lists; the object is the bucket with the listed prefix as `key` ('' = the whole bucket), as S3's s3:prefix condition sees it */
  | 'ListBucket'
  /** bucket operations the S3 core forwards (the object is the bucket with an empty key; ListBuckets: both empty) */
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'ListBuckets'
  | 'GetBucketLocation';

/**
 * DESIGN.md "Architecture": every facade method asks the policy layer first, before any backend call
 * or key material. This is the port for the action half of that decision (may this principal do this
 * to this object); the key half is AllowedReadKeys on read and the encryption plan on write. A
 * refusal throws SealError `AccessDenied`. The policy layer (issue 8) supplies the real one.
 */
export interface ObjectActionPolicy {
  authorize(principal: string, action: ObjectAction, object: ObjectId): Promise<void>;
}

/**
 * DESIGN.md "Defaults": without a policy document the process's own principal may do everything;
 * which keys it may read is still pinned by AllowedReadKeys.
 */
export const allowAllActions: ObjectActionPolicy = {
  authorize: () => Promise.resolve(),
};
