import type { EncryptionContext } from '../../crypto/encryption-context.js';

/**
 * What a write asks for, after the policy layer applied bucket defaults, floors and grants to what
 * the request asked for (write-planner.ts; DESIGN.md "Bucket default encryption"): the mode, and for SSE-KMS the key (absent: the configured
 * default KMS key) and the caller's context; `bucketKey` as S3's BucketKeyEnabled.
 */
export type EncryptionPlan =
  | { mode: 'SSE-S3'; bucketKey?: boolean }
  | { mode: 'SSE-KMS'; keyRef?: string; context?: EncryptionContext; bucketKey?: boolean }
  | { mode: 'SSE-C'; customerKey: Buffer };

