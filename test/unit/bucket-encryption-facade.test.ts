/**
 * The facade's bucket encryption operations (issue 8): the action policy first (a denied principal
 * reaches nothing), then the bucket's existence (a bodiless HEAD 404 is NoSuchBucket), then the
 * planner's floors, then the settings store — a refused configuration is never stored; the
 * reserved bucket is AccessDenied and hidden from ListBuckets; without a store, NotImplemented.
 * MinIO and the SDK: test/integration/bucket-encryption-s3.test.ts.
 */
import test from 'ava';
import { BackendRequestError } from '../../src/backends/backend-request-error.js';
import type { ObjectStore } from '../../src/backends/object-store.js';
import type { BucketEncryption, BucketEncryptionSettings } from '../../src/engine/facade/bucket-encryption.js';
import type { ObjectActionPolicy } from '../../src/engine/facade/object-action-policy.js';
import { ObjectFacade } from '../../src/engine/facade/object-facade.js';
import type { MaterialsManager } from '../../src/engine/materials/materials-manager.js';
import type { WritePlanner } from '../../src/engine/materials/write-planner.js';
import type { SealedObjects } from '../../src/engine/sealed-objects.js';
import { isSealError, SealError } from '../../src/errors.js';

const KMS: BucketEncryption = { algorithm: 'aws:kms', kmsKeyId: 'alias/k', bucketKeyEnabled: false, blockedEncryptionTypes: [] };
const RESERVED = 's3seal-reserved';

function fixture(opts: { settings?: boolean } = {}) {
  const log: string[] = [];
  const stored = new Map<string, BucketEncryption>();
  const settings: BucketEncryptionSettings = {
    reservedBucket: RESERVED,
    get: (b) => (log.push(`get ${b}`), Promise.resolve(stored.get(b))),
    put: (b, c) => (log.push(`put ${b}`), stored.set(b, c), Promise.resolve()),
    delete: (b) => (log.push(`delete ${b}`), Promise.resolve(stored.delete(b))),
  };
  const store = {
    headBucket: (b: string) => (log.push(`head ${b}`), b === 'missing' ? Promise.reject(new BackendRequestError('NotFound', 404, 'HeadBucket')) : Promise.resolve({})),
    listBuckets: () => Promise.resolve([{ name: 'a' }, { name: RESERVED }, { name: 'b' }]),
    deleteBucket: (b: string) => (log.push(`deleteBucket ${b}`), b === 'full' ? Promise.reject(new BackendRequestError('BucketNotEmpty', 409, 'DeleteBucket')) : Promise.resolve()),
    deleteObjects: (b: string, objects: readonly unknown[]) => (objects.length > 0 && log.push(`deleteObjects ${b}`), Promise.resolve({ deleted: [], errors: [] })),
  } as unknown as ObjectStore;
  const policy: ObjectActionPolicy = {
    authorize: (p, action, o) => (log.push(`authorize ${p} ${action} ${o.bucket}`), p === 'intruder' ? Promise.reject(new SealError('AccessDenied', 'no')) : Promise.resolve()),
  };
  const planner: WritePlanner = {
    planWrite: () => Promise.reject(new Error('not a write')),
    checkBucketEncryption: (p, b, c) => (log.push(`check ${p} ${b} ${c.algorithm}`), c.algorithm === 'AES256' ? Promise.reject(new SealError('AccessDenied', 'floor')) : Promise.resolve()),
  };
  const facade = new ObjectFacade({} as SealedObjects, {} as MaterialsManager, store, policy, { planner, ...(opts.settings === false ? {} : { bucketEncryption: settings }) });
  return { facade, log, stored };
}

const rejected = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'resolved', (e: unknown) => e);

test('PutBucketEncryption asks the policy, checks the bucket exists, asks the planner, then stores — in that order', async (t) => {
  const f = fixture();
  await f.facade.putBucketEncryption({ bucket: 'a', principal: 'admin', configuration: KMS });
  t.deepEqual(f.log, ['authorize admin PutBucketEncryption a', 'head a', 'check admin a aws:kms', 'put a']);
  t.deepEqual(await f.facade.getBucketEncryption({ bucket: 'a', principal: 'admin' }), KMS);
  await f.facade.deleteBucketEncryption({ bucket: 'a', principal: 'admin' });
  t.is(await f.facade.getBucketEncryption({ bucket: 'a', principal: 'admin' }), undefined);
  t.deepEqual(f.log.slice(4), ['authorize admin GetBucketEncryption a', 'head a', 'get a', 'authorize admin DeleteBucketEncryption a', 'head a', 'delete a', 'authorize admin GetBucketEncryption a', 'head a', 'get a']);
});

test('a denied principal reaches nothing; a configuration below a floor is AccessDenied and not stored', async (t) => {
  const f = fixture();
  t.true(isSealError(await rejected(f.facade.putBucketEncryption({ bucket: 'a', principal: 'intruder', configuration: KMS })), 'AccessDenied'));
  t.true(isSealError(await rejected(f.facade.getBucketEncryption({ bucket: 'a', principal: 'intruder' })), 'AccessDenied'));
  t.deepEqual(f.log, ['authorize intruder PutBucketEncryption a', 'authorize intruder GetBucketEncryption a']);
  f.log.length = 0;
  t.true(isSealError(await rejected(f.facade.putBucketEncryption({ bucket: 'a', principal: 'admin', configuration: { algorithm: 'AES256', bucketKeyEnabled: false, blockedEncryptionTypes: [] } })), 'AccessDenied'));
  t.false(f.log.some((l) => l.startsWith('put')), 'nothing stored');
  t.is(f.stored.size, 0);
});

test('a bucket that does not exist is NoSuchBucket 404; the reserved bucket is AccessDenied before any backend call and hidden from ListBuckets', async (t) => {
  const f = fixture();
  const missing = await rejected(f.facade.getBucketEncryption({ bucket: 'missing', principal: 'admin' }));
  t.true(missing instanceof BackendRequestError && missing.s3Code === 'NoSuchBucket' && missing.status === 404, String(missing));
  f.log.length = 0;
  for (const call of [
    () => f.facade.putBucketEncryption({ bucket: RESERVED, principal: 'admin', configuration: KMS }),
    () => f.facade.getBucketEncryption({ bucket: RESERVED, principal: 'admin' }),
    () => f.facade.deleteBucketEncryption({ bucket: RESERVED, principal: 'admin' }),
  ]) {
    t.true(isSealError(await rejected(call()), 'AccessDenied'));
  }
  t.false(f.log.some((l) => l.startsWith('head') || l.startsWith('put') || l.startsWith('get') || l.startsWith('delete')));
  t.deepEqual((await f.facade.listBuckets({ principal: 'admin' })).map((b) => b.name), ['a', 'b']);
});

test('without a settings store the three operations are NotImplemented, after the policy; ListBuckets lists every bucket', async (t) => {
  const f = fixture({ settings: false });
  t.true(isSealError(await rejected(f.facade.putBucketEncryption({ bucket: 'a', principal: 'admin', configuration: KMS })), 'NotImplemented'));
  t.true(isSealError(await rejected(f.facade.getBucketEncryption({ bucket: 'a', principal: 'admin' })), 'NotImplemented'));
  t.true(isSealError(await rejected(f.facade.deleteBucketEncryption({ bucket: 'a', principal: 'admin' })), 'NotImplemented'));
  t.deepEqual(f.log, ['authorize admin PutBucketEncryption a', 'authorize admin GetBucketEncryption a', 'authorize admin DeleteBucketEncryption a']);
  t.deepEqual((await f.facade.listBuckets({ principal: 'admin' })).map((b) => b.name), ['a', RESERVED, 'b']);
});

test('every object, list and bucket operation on the reserved bucket is AccessDenied although the policy allows it, and the backend is never asked (copy sources included)', async (t) => {
  const f = fixture();
  const o = { bucket: RESERVED, key: 's3seal/bucket-encryption.json', principal: 'admin' };
  const calls: [string, () => Promise<unknown>][] = [
    ['getObject', () => f.facade.getObject(o)],
    ['headObject', () => f.facade.headObject(o)],
    ['putObject', () => f.facade.putObject({ ...o, body: Buffer.from('{}'), contentLength: 2, encryption: { mode: 'SSE-S3' } })],
    ['deleteObject', () => f.facade.deleteObject(o)],
    ['listObjects', () => f.facade.listObjects({ bucket: RESERVED, principal: 'admin', api: 'v2' })],
    ['copyObject from it', () => f.facade.copyObject({ principal: 'admin', source: { bucket: RESERVED, key: o.key }, bucket: 'a', key: 'stolen', encryption: { mode: 'SSE-S3' } } as Parameters<ObjectFacade['copyObject']>[0])],
    ['createBucket', () => f.facade.createBucket({ bucket: RESERVED, principal: 'admin' })],
    ['deleteBucket', () => f.facade.deleteBucket({ bucket: RESERVED, principal: 'admin' })],
    ['headBucket', () => f.facade.headBucket({ bucket: RESERVED, principal: 'admin' })],
  ];
  for (const [name, call] of calls) {
    const err = await rejected(call());
    t.true(isSealError(err, 'AccessDenied'), `${name}: ${String(err)}`);
  }
  // DeleteObjects reports a refusal per key (S3's DeleteResult), and deletes nothing
  const batch = await f.facade.deleteObjects({ bucket: RESERVED, principal: 'admin', objects: [{ key: o.key }] });
  t.deepEqual(batch.deleted, []);
  t.deepEqual(batch.errors.map((e) => [e.key, e.error.code]), [[o.key, 'AccessDenied']]);
  // the policy is asked first (its own refusal, audited by the policy layer, would be the answer); it allowed, and the bucket was refused anyway
  t.true(f.log.length > 0 && f.log.every((l) => l.startsWith('authorize admin ') && l.endsWith(` ${RESERVED}`)), `only the policy was asked: ${f.log.join(', ')}`);
});

test('DeleteBucket removes the bucket encryption configuration after the bucket, as S3 does; a refused DeleteBucket keeps it', async (t) => {
  const f = fixture();
  await f.facade.putBucketEncryption({ bucket: 'a', principal: 'admin', configuration: KMS });
  await f.facade.putBucketEncryption({ bucket: 'full', principal: 'admin', configuration: KMS });
  f.log.length = 0;
  await f.facade.deleteBucket({ bucket: 'a', principal: 'admin' });
  t.deepEqual(f.log, ['authorize admin DeleteBucket a', 'deleteBucket a', 'delete a']);
  t.false(f.stored.has('a'));
  const refused = await rejected(f.facade.deleteBucket({ bucket: 'full', principal: 'admin' }));
  t.true(refused instanceof BackendRequestError && refused.s3Code === 'BucketNotEmpty');
  t.deepEqual(f.stored.get('full'), KMS, 'kept');
});
