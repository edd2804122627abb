import { SealError } from '../errors.js';
import type { BucketEncryption } from '../engine/facade/bucket-encryption.js';
import type { EncryptionPlan } from '../engine/materials/encryption-plan.js';
import type { RequestedEncryption } from '../engine/materials/write-planner.js';
import type { Floor } from './floors.js';

/** a plan whose SSE-KMS key is always named: the policy layer checks grants and floors on the key a write will really use */
export type FinalPlan = Exclude<EncryptionPlan, { mode: 'SSE-KMS' }> | (Extract<EncryptionPlan, { mode: 'SSE-KMS' }> & { keyRef: string });

/** whether `plan` keeps every floor; `sameKey` compares two keyRefs by resolved id */
export type FloorCheck = (plan: FinalPlan) => Promise<string | undefined>;

// S3's words for a blocked type are "rejected with an HTTP 403 AccessDenied error"; the text is ours
// (EncryptionPolicyDenied: AccessDenied on the wire, with this message)
const NO_KMS_KEY = 'aws:kms was requested without a key id, and neither the bucket nor the configuration names a default KMS key (defaultKmsKey)';
const SSEC_BLOCKED = 'SSE-C is blocked for this bucket (BlockedEncryptionTypes): choose SSE-S3 or SSE-KMS';

/**
 * The plan of a write (DESIGN.md "Bucket default encryption", issue 8), before grants:
 * - SSE-C is refused (AccessDenied, as S3) where the bucket blocks it or a floor blocks it or requires
 *   another algorithm;
 * - a request naming no SSE gets the bucket's default (AES256 → SSE-S3; aws:kms → its key and
 *   BucketKeyEnabled), no configuration → SSE-S3; where that default would break a floor (a floor
 *   is what no backend-stored configuration can lower), the floor's own requirement is the default;
 * - an object-level request overrides the default; `aws:kms` without a key id takes the bucket's
 *   KMS key, else the configured default KMS key (DESIGN.md "Defaults"), else InvalidArgument; an
 *   unsaid BucketKeyEnabled takes the bucket's;
 * - an explicit request that breaks a floor is AccessDenied, naming the floor.
 */
export async function planWrite(requested: RequestedEncryption, cfg: BucketEncryption | undefined, floors: readonly Floor[], defaultKmsKey: string | undefined, breaksFloor: FloorCheck): Promise<FinalPlan> {
  if (requested.mode === 'SSE-C') {
    if (cfg?.blockedEncryptionTypes.includes('SSE-C') === true) throw new SealError('EncryptionPolicyDenied', SSEC_BLOCKED);
    const broken = await breaksFloor(requested);
    if (broken !== undefined) throw new SealError('EncryptionPolicyDenied', `the requested encryption breaks a floor: ${broken}`);
    return requested;
  }
  if (requested.mode === 'none') {
    // aws:kms as the bucket's default with no key anywhere gives no plan — unless a floor names one
    const fromBucket = withFinalKey(defaultOf(cfg), defaultKmsKey);
    if (fromBucket !== undefined && (await breaksFloor(fromBucket)) === undefined) return fromBucket;
    const floor = floors.find((f) => f.requireAlgorithm !== undefined);
    if (floor !== undefined) {
      const fromFloor = finalKey(floor.requireAlgorithm === 'AES256' ? { mode: 'SSE-S3' } : { mode: 'SSE-KMS', ...(floor.requireKey !== undefined ? { keyRef: floor.requireKey } : {}) }, defaultKmsKey);
      const still = await breaksFloor(fromFloor);
      if (still === undefined) return fromFloor;
      throw new SealError('EncryptionPolicyDenied', `no encryption satisfies every floor of this object: ${still}`);
    }
    if (fromBucket === undefined) throw new SealError('InvalidArgument', NO_KMS_KEY);
    throw new SealError('EncryptionPolicyDenied', `the bucket's default encryption breaks a floor: ${await breaksFloor(fromBucket)}`);
  }
  const plan =
    requested.mode === 'SSE-S3'
      ? finalKey(requested, defaultKmsKey)
      : finalKey(
          {
            ...requested,
            ...(requested.keyRef === undefined && cfg?.algorithm === 'aws:kms' && cfg.kmsKeyId !== undefined ? { keyRef: cfg.kmsKeyId } : {}),
            ...(requested.bucketKey === undefined && cfg !== undefined ? { bucketKey: cfg.bucketKeyEnabled } : {}),
          },
          defaultKmsKey,
        );
  const broken = await breaksFloor(plan);
  if (broken !== undefined) throw new SealError('EncryptionPolicyDenied', `the requested encryption breaks a floor: ${broken}`);
  return plan;
}

function defaultOf(cfg: BucketEncryption | undefined): EncryptionPlan {
  if (cfg === undefined || cfg.algorithm === 'AES256') return { mode: 'SSE-S3' };
  return { mode: 'SSE-KMS', ...(cfg.kmsKeyId !== undefined ? { keyRef: cfg.kmsKeyId } : {}), bucketKey: cfg.bucketKeyEnabled };
}

/** finalKey, or undefined where no key can be named */
function withFinalKey(plan: EncryptionPlan, defaultKmsKey: string | undefined): FinalPlan | undefined {
  return plan.mode === 'SSE-KMS' && plan.keyRef === undefined && defaultKmsKey === undefined ? undefined : finalKey(plan, defaultKmsKey);
}

function finalKey(plan: EncryptionPlan, defaultKmsKey: string | undefined): FinalPlan {
  if (plan.mode !== 'SSE-KMS') return plan;
  const keyRef = plan.keyRef ?? defaultKmsKey;
  if (keyRef === undefined) throw new SealError('InvalidArgument', NO_KMS_KEY);
  return { ...plan, keyRef };
}
