/**
 * planWrite (src/policies/plan-write.ts): how a write's requested SSE, the bucket's default encryption
 * and the local floors make one plan — DESIGN.md "Bucket default encryption" and "Defaults", issue 8.
 */
import test from 'ava';
import { planWrite, type FinalPlan } from '../../src/policies/plan-write.js';
import type { Floor } from '../../src/policies/floors.js';
import type { BucketEncryption } from '../../src/engine/facade/bucket-encryption.js';
import { SealError } from '../../src/errors.js';

const noFloor = (): Promise<undefined> => Promise.resolve(undefined);
const kms = (keyRef: string, bucketKey = false): BucketEncryption => ({ algorithm: 'aws:kms', kmsKeyId: keyRef, bucketKeyEnabled: bucketKey, blockedEncryptionTypes: [] });
const aes: BucketEncryption = { algorithm: 'AES256', bucketKeyEnabled: false, blockedEncryptionTypes: [] };

/** a floor check that compares keyRefs by name (the real one compares resolved ids) */
function floorCheck(floors: Floor[]): (p: FinalPlan) => Promise<string | undefined> {
  return (p) => {
    for (const f of floors) {
      if (p.mode === 'SSE-C' && f.blockedEncryptionTypes.includes('SSE-C')) return Promise.resolve('blocks SSE-C');
      if (f.requireAlgorithm !== undefined && p.mode !== (f.requireAlgorithm === 'AES256' ? 'SSE-S3' : 'SSE-KMS')) return Promise.resolve(`requires ${f.requireAlgorithm}`);
      if (f.requireKey !== undefined && (p.mode !== 'SSE-KMS' || p.keyRef !== f.requireKey)) return Promise.resolve(`requires ${f.requireKey}`);
    }
    return Promise.resolve(undefined);
  };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return err instanceof SealError ? err.code : String(err);
  }
}

test('no SSE requested: the bucket default (AES256 → SSE-S3; aws:kms → its key and BucketKeyEnabled); no configuration → SSE-S3', async (t) => {
  t.deepEqual(await planWrite({ mode: 'none' }, undefined, [], undefined, noFloor), { mode: 'SSE-S3' });
  t.deepEqual(await planWrite({ mode: 'none' }, aes, [], undefined, noFloor), { mode: 'SSE-S3' });
  t.deepEqual(await planWrite({ mode: 'none' }, kms('alias/b', true), [], undefined, noFloor), { mode: 'SSE-KMS', keyRef: 'alias/b', bucketKey: true });
  t.deepEqual(await planWrite({ mode: 'none' }, { algorithm: 'aws:kms', bucketKeyEnabled: false, blockedEncryptionTypes: [] }, [], 'alias/default', noFloor), { mode: 'SSE-KMS', keyRef: 'alias/default', bucketKey: false });
  t.is(await code(planWrite({ mode: 'none' }, { algorithm: 'aws:kms', bucketKeyEnabled: false, blockedEncryptionTypes: [] }, [], undefined, noFloor)), 'InvalidArgument');
});

test('an object-level request overrides the default; aws:kms without a key takes the bucket’s key, else the configured default; an unsaid BucketKeyEnabled takes the bucket’s, a said one wins', async (t) => {
  t.deepEqual(await planWrite({ mode: 'SSE-S3' }, kms('alias/b'), [], undefined, noFloor), { mode: 'SSE-S3' });
  t.deepEqual(await planWrite({ mode: 'SSE-KMS' }, kms('alias/b', true), [], 'alias/d', noFloor), { mode: 'SSE-KMS', keyRef: 'alias/b', bucketKey: true });
  t.deepEqual(await planWrite({ mode: 'SSE-KMS', bucketKey: false }, kms('alias/b', true), [], 'alias/d', noFloor), { mode: 'SSE-KMS', keyRef: 'alias/b', bucketKey: false });
  t.deepEqual(await planWrite({ mode: 'SSE-KMS' }, aes, [], 'alias/d', noFloor), { mode: 'SSE-KMS', keyRef: 'alias/d', bucketKey: false });
  t.deepEqual(await planWrite({ mode: 'SSE-KMS', keyRef: 'alias/x', context: { a: 'b' } }, undefined, [], 'alias/d', noFloor), { mode: 'SSE-KMS', keyRef: 'alias/x', context: { a: 'b' } });
  t.is(await code(planWrite({ mode: 'SSE-KMS' }, undefined, [], undefined, noFloor)), 'InvalidArgument');
});

test('SSE-C is refused (EncryptionPolicyDenied: AccessDenied on the wire) where the bucket or a floor blocks it or a floor requires another algorithm, and passed through as asked otherwise', async (t) => {
  const key = Buffer.alloc(32, 1);
  t.deepEqual(await planWrite({ mode: 'SSE-C', customerKey: key }, aes, [], undefined, noFloor), { mode: 'SSE-C', customerKey: key });
  t.is(await code(planWrite({ mode: 'SSE-C', customerKey: key }, { ...aes, blockedEncryptionTypes: ['SSE-C'] }, [], undefined, noFloor)), 'EncryptionPolicyDenied');
  const floor: Floor = { bucket: 'b', prefix: '', blockedEncryptionTypes: ['SSE-C'] };
  t.is(await code(planWrite({ mode: 'SSE-C', customerKey: key }, undefined, [floor], undefined, floorCheck([floor]))), 'EncryptionPolicyDenied');
  const kmsFloor: Floor = { bucket: 'b', prefix: '', requireAlgorithm: 'aws:kms', blockedEncryptionTypes: [] };
  t.is(await code(planWrite({ mode: 'SSE-C', customerKey: key }, undefined, [kmsFloor], undefined, floorCheck([kmsFloor]))), 'EncryptionPolicyDenied');
});

test('floors: an explicit request that breaks one is refused (EncryptionPolicyDenied); a request naming no SSE gets the floor where the bucket default would break it', async (t) => {
  const floor: Floor = { bucket: 'b', prefix: '', requireAlgorithm: 'aws:kms', requireKey: 'alias/floor', blockedEncryptionTypes: [] };
  const check = floorCheck([floor]);
  t.is(await code(planWrite({ mode: 'SSE-S3' }, undefined, [floor], undefined, check)), 'EncryptionPolicyDenied');
  t.is(await code(planWrite({ mode: 'SSE-KMS', keyRef: 'alias/other' }, undefined, [floor], undefined, check)), 'EncryptionPolicyDenied');
  t.deepEqual(await planWrite({ mode: 'SSE-KMS', keyRef: 'alias/floor' }, undefined, [floor], undefined, check), { mode: 'SSE-KMS', keyRef: 'alias/floor' });
  t.deepEqual(await planWrite({ mode: 'none' }, aes, [floor], undefined, check), { mode: 'SSE-KMS', keyRef: 'alias/floor' });
  t.deepEqual(await planWrite({ mode: 'none' }, kms('alias/floor', true), [floor], undefined, check), { mode: 'SSE-KMS', keyRef: 'alias/floor', bucketKey: true }, 'a default that keeps the floor is kept, with its BucketKeyEnabled');
  // aws:kms as the bucket's default with no key anywhere: the floor's key still makes a plan
  t.deepEqual(await planWrite({ mode: 'none' }, { algorithm: 'aws:kms', bucketKeyEnabled: false, blockedEncryptionTypes: [] }, [floor], undefined, check), { mode: 'SSE-KMS', keyRef: 'alias/floor' });
  // two floors no single plan can keep
  const aesFloor: Floor = { bucket: 'b', prefix: 'x/', requireAlgorithm: 'AES256', blockedEncryptionTypes: [] };
  t.is(await code(planWrite({ mode: 'none' }, undefined, [floor, aesFloor], undefined, floorCheck([floor, aesFloor]))), 'EncryptionPolicyDenied');
});
