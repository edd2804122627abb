import type { RequestedEncryption } from '../materials/write-planner.js';
import type { ActionConditions } from './object-action-policy.js';

/**
 * The SSE condition keys S3 bucket policies see (s3:x-amz-server-side-encryption, …-aws-kms-key-id,
 * …-customer-algorithm), from what the request itself asked for — never from a bucket default, so
 * "deny PutObject without x-amz-server-side-encryption" means what it means on S3. A read carries
 * only the SSE-C algorithm, when it sent a customer key.
 */
export function conditionsOf(requested: RequestedEncryption | undefined, customerKey?: Buffer): ActionConditions {
  if (requested === undefined || requested.mode === 'none') return customerKey !== undefined ? { customerAlgorithm: 'AES256' } : {};
  if (requested.mode === 'SSE-S3') return { sse: 'AES256' };
  if (requested.mode === 'SSE-C') return { customerAlgorithm: 'AES256' };
  return { sse: 'aws:kms', ...(requested.keyRef !== undefined ? { kmsKeyId: requested.keyRef } : {}) };
}
