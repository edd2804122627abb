import { LABEL } from './constants.js';
import { lp } from './bytes.js';
import { V1, type SuiteId } from './kdf.js';
import { localUnwrap, localWrap } from './local-wrap.js';
import { objectArn, type ObjectId } from './object-id.js';

/**
 * Bucket-key mode (FORMAT.md §9): the per-object DEK is wrapped locally under a bucket key that the
 * KMS generated; AAD = version ‖ suite ‖ lp(object ARN), so a wrapped DEK cannot be moved to another
 * object.
 */
export function bucketKeyWrap(bucketKey: Uint8Array, dek: Uint8Array, o: ObjectId, id: SuiteId = V1, nonce?: Buffer): Buffer {
  return localWrap(bucketKey, LABEL.bucketKeyWrap, Buffer.alloc(0), lp(objectArn(o)), dek, id, nonce);
}

export function bucketKeyUnwrap(bucketKey: Uint8Array, wrapped: Buffer, o: ObjectId, id: SuiteId = V1): Buffer {
  return localUnwrap(bucketKey, LABEL.bucketKeyWrap, Buffer.alloc(0), lp(objectArn(o)), wrapped, id);
}
