/**
 * The materials manager on real servers (issue 7 item 1): through the container, objects written to
 * MinIO in every mode — SSE-S3 direct and bucket-key (file keystore), SSE-KMS direct and bucket-key
 * with context (local-kms, keys named by alias), SSE-C — are read back by one reader that is told
 * only the principal (and, for SSE-C, the key): mode, bucket-key and key come from each envelope.
 * An object planted under a local-kms key this process can unwrap but is not configured to read is
 * AccessDenied with zero KMS Decrypt calls; an SSE-S3 envelope naming a KMS key is refused.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import type { ObjectId } from '../../src/crypto/object-id.js';
import type { EncryptionPlan } from '../../src/engine/materials/materials-manager.js';
import { KeystoreKeyResolver } from '../../src/engine/materials/keystore-key-resolver.js';
import { UpdateAliasCommand } from '@aws-sdk/client-kms';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { closeContainer, createContainer, getService, SealError, TOKENS } from '../../src/index.js';
import { freshBucket, kmsClient, service } from '../helpers/services.js';
import { kmsCallLog } from '../helpers/kms-call-log.js';
import { tempDir } from '../helpers/temp-dir.js';

test('every mode written through the container is read back from its envelope alone; planted and mislabelled envelopes are refused before any KMS Decrypt', async (t) => {
  const m = service('minio');
  const kms = service('localkms');
  const admin = kmsClient(kms);
  const ks = new AwsKmsKeystore(admin);
  const tag = randomBytes(4).toString('hex');
  const [dflt, extra, planted] = ['default', 'extra', 'planted'].map((n) => `alias/materials-${n}-${tag}`) as [string, string, string];
  const arns = await Promise.all([dflt, extra, planted].map(async (a) => (await ks.createKey(a)).keyId));
  const plantedArn = arns[2]!;

  const path = join(tempDir('materials'), 'keys.json');
  const c = createContainer({
    backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    keystores: { file: { path, create: true }, awskms: { endpoint: kms.endpoint, accessKeyId: kms.accessKey!, secretAccessKey: kms.secretKey!, rotateOnDemand: false } },
    uploadTokenRoot: randomBytes(32).toString('base64'),
    defaultKmsKey: dflt,
    readKeys: [extra],
  });
  await getService(c, TOKENS.FileKeystore).createKey('s3-default');
  // every KMS call the container's own client makes, by command
  const calls = kmsCallLog(getService(c, TOKENS.KmsClient));
  const decrypts = (): number => calls.filter((x) => x === 'DecryptCommand').length;

  const objects = getService(c, TOKENS.SealedObjects);
  const materials = getService(c, TOKENS.MaterialsManager);
  const bucket = await freshBucket(m, 'materials');
  const customerKey = randomBytes(32);
  const plans: [string, EncryptionPlan][] = [
    ['sse-s3', { mode: 'SSE-S3' }],
    ['sse-s3-bucket-key', { mode: 'SSE-S3', bucketKey: true }],
    ['sse-kms-default', { mode: 'SSE-KMS', context: { dept: 'payroll' } }],
    ['sse-kms-extra-bucket-key', { mode: 'SSE-KMS', keyRef: extra, context: { dept: 'payroll' }, bucketKey: true }],
    ['sse-kms-default-bucket-key', { mode: 'SSE-KMS', bucketKey: true }],
    ['sse-c', { mode: 'SSE-C', customerKey }],
  ];
  const body = (key: string): Buffer => Buffer.from(`${key}: written one way, read without being told which`);
  for (const [key, plan] of plans) {
    const keys = await materials.forWrite(plan, 'svc');
    await objects.put({ bucket, key }, body(key), body(key).length, {}, keys);
    keys.dispose?.();
  }

  const reader = materials.reader('svc');
  const ssecReader = materials.reader('svc', customerKey);
  for (const [key, plan] of plans) {
    const got = await objects.get({ bucket, key }, plan.mode === 'SSE-C' ? ssecReader : reader);
    t.deepEqual(await buffer(got.stream), body(key), key);
    t.is(got.envelope?.mode, plan.mode, `${key}: mode`);
    t.is(got.envelope?.bucketKey !== undefined, plan.mode !== 'SSE-C' && plan.bucketKey === true, `${key}: bucket-key`);
    if (plan.mode === 'SSE-KMS') t.is(got.envelope?.keyRef, plan.keyRef === extra ? arns[1] : arns[0], `${key}: the alias's key ARN is stored`);
  }
  // the SSE-C object without its key, and with another key; an SSE-C key on an SSE-KMS object
  const codeOf = async (o: ObjectId, r = reader): Promise<string | undefined> => (await t.throwsAsync(objects.get(o, r), { instanceOf: SealError }))?.code;
  t.is(await codeOf({ bucket, key: 'sse-c' }), 'InvalidRequest');
  t.is(await codeOf({ bucket, key: 'sse-c' }, materials.reader('svc', randomBytes(32))), 'AccessDenied');
  t.is(await codeOf({ bucket, key: 'sse-kms-default' }, ssecReader), 'InvalidRequest');

  // planted: written by someone who may encrypt under a key this process can also unwrap
  const registry = getService(c, TOKENS.KeystoreRegistry);
  for (const bucketKeyPrincipal of [undefined, 'svc']) {
    const key = bucketKeyPrincipal ? 'planted-bucket-key' : 'planted';
    await objects.put({ bucket, key }, body(key), body(key).length, {}, registry.resolver({ mode: 'SSE-KMS', keyRef: planted, ...(bucketKeyPrincipal ? { bucketKeyPrincipal } : {}) }));
    const before = decrypts();
    t.is(await codeOf({ bucket, key }), 'AccessDenied', key);
    t.is(decrypts(), before, `${key}: zero KMS Decrypt calls`);
    // only the pin stood in the way: the registry's own resolver unwraps it
    t.deepEqual(await buffer((await objects.get({ bucket, key }, registry.resolver({ mode: 'SSE-KMS', keyRef: plantedArn, ...(bucketKeyPrincipal ? { bucketKeyPrincipal } : {}) }))).stream), body(key));
  }

  // an SSE-S3 envelope naming a KMS key (wrapped under it, mode SSE-S3): refused, no Decrypt
  await objects.put({ bucket, key: 'sse-s3-under-kms' }, body('x'), body('x').length, {}, new KeystoreKeyResolver(getService(c, TOKENS.AwsKmsKeystore), 'SSE-S3', arns[0]!));
  const before = decrypts();
  t.is(await codeOf({ bucket, key: 'sse-s3-under-kms' }), 'EnvelopeMalformed');
  t.is(decrypts(), before);

  t.true(calls.length > 0, 'the counter saw the container’s KMS traffic');
  await closeContainer(c);
  admin.destroy();
});

test('a read key named by alias follows the alias: after it is re-pointed, objects under the new target are readable at once (fresh re-resolution), and the old target is no longer a read key', async (t) => {
  const m = service('minio');
  const kms = service('localkms');
  const admin = kmsClient(kms);
  const ks = new AwsKmsKeystore(admin);
  const alias = `alias/materials-moving-${randomBytes(4).toString('hex')}`;
  const first = (await ks.createKey(alias)).keyId;
  const second = (await ks.createKey(`alias/materials-next-${randomBytes(4).toString('hex')}`)).keyId;
  const c = createContainer({
    backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    keystores: { awskms: { endpoint: kms.endpoint, accessKeyId: kms.accessKey!, secretAccessKey: kms.secretKey!, rotateOnDemand: false } },
    uploadTokenRoot: randomBytes(32).toString('base64'),
    readKeys: [alias],
    // a long TTL: only the re-resolution on a mismatch can see the re-pointed alias
    resolvedKeyIds: { ttlMs: 3_600_000 },
  });
  const objects = getService(c, TOKENS.SealedObjects);
  const materials = getService(c, TOKENS.MaterialsManager);
  const bucket = await freshBucket(m, 'materials-alias');
  const body = Buffer.from('under whatever the alias names');
  const put = async (key: string): Promise<unknown> => objects.put({ bucket, key }, body, body.length, {}, await materials.forWrite({ mode: 'SSE-KMS', keyRef: alias }, 'svc'));
  await put('before');
  t.deepEqual(await buffer((await objects.get({ bucket, key: 'before' }, materials.reader('svc'))).stream), body, 'read (and the alias resolved, cached for an hour)');

  await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: second }));
  await put('after');
  const after = await objects.get({ bucket, key: 'after' }, materials.reader('svc'));
  t.is(after.envelope?.keyRef, second);
  t.deepEqual(await buffer(after.stream), body, 'the cached id missed, the fresh one matched');
  // the alias no longer names the first key: it is not a configured read key any more
  const err = await t.throwsAsync(objects.get({ bucket, key: 'before' }, materials.reader('svc')), { instanceOf: SealError });
  t.is(err?.code, 'AccessDenied', `an object under ${first} needs that key listed in readKeys`);
  await closeContainer(c);
  admin.destroy();
});
