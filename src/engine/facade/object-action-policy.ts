import type { ObjectId } from '../../crypto/object-id.js';

/** The S3 actions the facade performs, as a policy document names them (DESIGN.md "Policies"). */
export type ObjectAction =
  | 'GetObject'
  | 'HeadObject'
  | 'PutObject'
  | 'DeleteObject'
  /** DeleteObjects entries that name a versionId: a permanent deletion (S3: s3:DeleteObjectVersion) */
  | 'DeleteObjectVersion'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'GetObjectAttributes'
  /** ListObjects v1 and v2; the object is the bucket with the listed prefix as `key` ('' = the whole bucket) */
  | 'ListBucket'
  /** ListObjectVersions (S3: s3:ListBucketVersions), with the prefix as `key` like ListBucket */
  | 'ListBucketVersions'
  /** bucket operations the S3 core forwards (the object is the bucket with an empty key; ListBuckets: both empty) */
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'ListBuckets'
  | 'GetBucketLocation'
  /** bucket default encryption (S3: s3:PutEncryptionConfiguration / s3:GetEncryptionConfiguration) */
  | 'PutBucketEncryption'
  | 'GetBucketEncryption'
  | 'DeleteBucketEncryption';

/**
 * The SSE header values of the request, as S3 bucket policies see them in the condition keys
 * s3:x-amz-server-side-encryption, …-aws-kms-key-id and …-customer-algorithm: undefined = the header
 * was absent (so `Null` conditions can tell "deny unencrypted PUT" apart). Values as the caller sent
 * them, before any bucket default.
 */
export interface ActionConditions {
  sse?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  customerAlgorithm?: string;
  /**
   * UploadPart / CompleteMultipartUpload (and UploadPartCopy's destination): the upload's encryption
   * was fixed, and checked against these conditions, at CreateMultipartUpload — a part request carries
   * no SSE headers of its own (S3: they are not allowed there), so it is judged as its upload was:
   * an Allow statement's SSE condition holds, a Deny statement's does not.
   */
  continuesUpload?: true;
}

/**
 * DESIGN.md "Architecture": every facade method asks the policy layer first, before any backend call
 * or key material. This is the port for the action half of that decision (may this principal do this
 * to this object); the key half is AllowedReadKeys on read and the encryption plan on write. A
 * refusal throws SealError `AccessDenied`. The policy layer (src/policies) supplies the one in force.
 */
export interface ObjectActionPolicy {
  authorize(principal: string, action: ObjectAction, object: ObjectId, conditions?: ActionConditions): Promise<void>;
}

/**
 * DESIGN.md "Defaults": without a policy document the process's own principal may do everything;
 * which keys it may read is still pinned by AllowedReadKeys.
 */
export const allowAllActions: ObjectActionPolicy = {
  authorize: () => Promise.resolve(),
};
