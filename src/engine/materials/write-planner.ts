import type { EncryptionContext } from '../../crypto/encryption-context.js';
import type { ObjectId } from '../../crypto/object-id.js';
import type { BucketEncryption } from '../facade/bucket-encryption.js';
import type { EncryptionPlan } from './encryption-plan.js';

/**
 * What a write's SSE headers asked for, before bucket defaults: `none` when it named no SSE. For
 * SSE-KMS `bucketKey` undefined means "not said" (the bucket's BucketKeyEnabled then decides, as on
 * S3). An SSE-C request holds the caller's key buffer; the caller zeroes it.
 */
export type RequestedEncryption =
  | { mode: 'none' }
  | { mode: 'SSE-S3'; bucketKey?: boolean }
  | { mode: 'SSE-KMS'; keyRef?: string; context?: EncryptionContext; bucketKey?: boolean }
  | { mode: 'SSE-C'; customerKey: Buffer };

/** the writes that plan encryption */
export type WriteOperation = 'PutObject' | 'CreateMultipartUpload' | 'CopyObject' | 'UpdateObjectEncryption';

export interface WritePlanRequest {
  principal: string;
  object: ObjectId;
  requested: RequestedEncryption;
  operation: WriteOperation;
}

/**
 * The policy layer's write half (DESIGN.md "policies: decide(…) → EncryptionPlan | Deny"): bucket
 * default encryption when the request names none, an object-level request overriding it unless the
 * bucket blocks that type (AccessDenied, as S3), local floors no bucket configuration can lower, and
 * the principal's encrypt grant on the key the plan ends up with. Every facade write asks it, after
 * the action policy and before any key material exists. Failing to read the bucket configuration
 * fails the write closed. The returned SSE-C plan holds the request's own key buffer.
 */
export interface WritePlanner {
  planWrite(req: WritePlanRequest): Promise<EncryptionPlan>;
  /** PutBucketEncryption: refuse (AccessDenied) a configuration that would lower a local floor of `bucket` */
  checkBucketEncryption(principal: string, bucket: string, configuration: BucketEncryption): Promise<void>;
}
