/**
 * Backend outages fail closed (DESIGN.md "Errors"): through a pausable TCP proxy in front of MinIO,
 * requests during an outage fail with BackendUnavailable (503, retryable), a PUT cut mid-body leaves
 * no object at all, and the same process works again after the outage.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { TcpProxy } from '../../scripts/harness/tcp-proxy.js';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { KeystoreKeyResolver } from '../../src/engine/materials/keystore-key-resolver.js';
import { SealError } from '../../src/errors.js';
import { s3ErrorShape } from '../../src/adapters/s3/s3-error-shape.js';
import { s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

test('MinIO outage: BackendUnavailable (503, retryable), no partial object, recovery after resume', async (t) => {
  const m = service('minio');
  const direct = s3Client(m);
  const bucket = `bfault-${randomBytes(4).toString('hex')}`;
  await direct.send(new CreateBucketCommand({ Bucket: bucket }));
  const u = new URL(m.endpoint);
  const proxy = new TcpProxy(u.hostname, Number(u.port));
  const port = await proxy.start();
  const viaProxy = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 5000 },
  });
  const ks = new FileKeystore({ path: join(tempDir('bfault'), 'keys.json'), create: true });
  await ks.createKey('s3');
  const keys = new KeystoreKeyResolver(ks, 'SSE-S3', 's3');
  const sealed = new SealedObjects(new S3ObjectStore(viaProxy), { uploadTokenRoot: randomBytes(32) });
  try {
    await sealed.put({ bucket, key: 'before' }, Buffer.from('before'), 6, {}, keys);

    proxy.pause();
    for (const attempt of [sealed.put({ bucket, key: 'during' }, Buffer.from('during'), 6, {}, keys), sealed.get({ bucket, key: 'before' }, keys)]) {
      const err = await t.throwsAsync(attempt, { instanceOf: SealError });
      t.is(err?.code, 'BackendUnavailable');
      t.like(s3ErrorShape(err), { status: 503, code: 'ServiceUnavailable' });
      t.true(err?.retryable);
    }
    proxy.resume();

    // an outage in the middle of a PUT body: the object must not exist afterwards, not even partly
    const size = 32 * 1024 * 1024;
    const slow = Readable.from(
      (async function* () {
        for (let sent = 0; sent < size; sent += 1024 * 1024) {
          if (sent === 8 * 1024 * 1024) proxy.pause();
          yield randomBytes(1024 * 1024);
          await sleep(5);
        }
      })(),
    );
    const cut = await t.throwsAsync(sealed.put({ bucket, key: 'cut' }, slow, size, {}, keys));
    t.truthy(cut);
    proxy.resume();
    await t.throwsAsync(direct.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cut' })), { name: 'NotFound' }, 'no partial object was stored');
    await t.throwsAsync(direct.send(new HeadObjectCommand({ Bucket: bucket, Key: 'during' })), { name: 'NotFound' });

    await sealed.put({ bucket, key: 'after' }, Buffer.from('after'), 5, {}, keys);
    t.is((await buffer((await sealed.get({ bucket, key: 'after' }, keys)).stream)).toString(), 'after');
  } finally {
    await proxy.stop();
    viaProxy.destroy();
    direct.destroy();
  }
});
