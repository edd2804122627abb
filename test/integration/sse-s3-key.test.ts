/**
 * The `sseS3Key` setting is what SSE-S3 uses (issue 7 item 8): with a managed key other than the
 * default configured, SSE-S3 writes through the container (SealedObjects + the registry's
 * sseS3Resolver) are wrapped under that key — with and without bucket keys — and read back; a
 * deployment configured with another managed key does not accept them. Real MinIO, real file keystore.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { closeContainer, createContainer, getService, SealError, TOKENS, type S3SealConfigInput } from '../../src/index.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { freshBucket, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a configured sseS3Key other than the default is the key SSE-S3 writes are wrapped under', async (t) => {
  const m = service('minio');
  const bucket = await freshBucket(m, 'sses3key');
  const path = join(tempDir('sses3key'), 'keys.json');
  const ks = new FileKeystore({ path, create: true });
  // deliberately no `s3-default`: a write that fell back to the default key would fail
  await ks.createKey('managed-sse-s3');
  await ks.createKey('other-managed');
  const base: S3SealConfigInput = {
    backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    keystores: { file: { path } },
    uploadTokenRoot: randomBytes(32).toString('base64'),
  };
  const c = createContainer({ ...base, sseS3Key: 'file:managed-sse-s3' });
  t.is(getService(c, TOKENS.SseS3KeyRef), 'file:managed-sse-s3');
  const objects = getService(c, TOKENS.SealedObjects);
  const registry = getService(c, TOKENS.KeystoreRegistry);
  const body = Buffer.from('sealed under the configured managed key');

  for (const bucketKeyPrincipal of [undefined, 'svc']) {
    const o = { bucket, key: bucketKeyPrincipal ? 'with-bucket-key' : 'plain' };
    const keys = registry.sseS3Resolver(bucketKeyPrincipal ? { bucketKeyPrincipal } : {});
    await objects.put(o, body, body.length, {}, keys);
    const env = (await objects.head(o)).envelope!;
    t.is(env.mode, 'SSE-S3');
    t.is(env.keyRef, 'file:managed-sse-s3', `${o.key}: wrapped under the configured key`);
    t.is(env.bucketKey !== undefined, bucketKeyPrincipal !== undefined);
    t.deepEqual(await buffer((await objects.get(o, registry.sseS3Resolver(bucketKeyPrincipal ? { bucketKeyPrincipal } : {}))).stream), body);
  }

  // the default would have been `file:s3-default`, which this key file does not have
  const defaulted = createContainer(base);
  const noDefault = await t.throwsAsync(getService(defaulted, TOKENS.SealedObjects).put({ bucket, key: 'x' }, body, body.length, {}, getService(defaulted, TOKENS.KeystoreRegistry).sseS3Resolver()));
  t.regex(String(noDefault?.message), /s3-default/);

  // another deployment's managed key does not read these objects as SSE-S3 (FORMAT.md §5.5)
  const elsewhere = createContainer({ ...base, sseS3Key: 'file:other-managed' });
  const err = await t.throwsAsync(getService(elsewhere, TOKENS.SealedObjects).get({ bucket, key: 'plain' }, getService(elsewhere, TOKENS.KeystoreRegistry).sseS3Resolver()), { instanceOf: SealError });
  t.is(err?.code, 'EnvelopeMalformed');

  await Promise.all([c, defaulted, elsewhere].map((x) => closeContainer(x)));
});
