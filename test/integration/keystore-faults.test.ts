/**
 * Keystore outages fail closed (issue 3): through a pausable loopback TCP proxy in front of OpenBao
 * and local-kms, writes during the outage fail with KeyStoreUnavailable and nothing reaches the
 * backend; after the proxy resumes, the same process works again.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { KMSClient } from '@aws-sdk/client-kms';
import { TcpProxy } from '../../scripts/harness/tcp-proxy.js';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { VaultKeystore } from '../../src/keystores/vault/vault-keystore.js';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { KeystoreKeyResolver } from '../../src/engine/materials/keystore-key-resolver.js';
import type { Keystore } from '../../src/keystores/keystore.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { RecordingStore } from '../helpers/recording-store.js';
import { openbao } from '../helpers/openbao-admin.js';
import { s3Client, service } from '../helpers/services.js';

const retry = { attempts: 3, baseMs: 10, maxMs: 50 };

async function proxied(endpoint: string): Promise<{ proxy: TcpProxy; url: string }> {
  const u = new URL(endpoint);
  const proxy = new TcpProxy(u.hostname, Number(u.port));
  const port = await proxy.start();
  return { proxy, url: `http://127.0.0.1:${port}` };
}

async function outageScenario(t: import('ava').ExecutionContext, ks: Keystore, keyName: string, proxy: TcpProxy): Promise<void> {
  const s3 = s3Client(service('minio'));
  const bucket = `faults-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const store = new RecordingStore(new S3ObjectStore(s3));
  const sealed = new SealedObjects(store, { uploadTokenRoot: randomBytes(32) });
  const keys = new KeystoreKeyResolver(ks, 'SSE-KMS', keyName);
  await sealed.put({ bucket, key: 'before' }, Buffer.from('before'), 6, {}, keys);

  proxy.pause();
  const err = await t.throwsAsync(sealed.put({ bucket, key: 'during' }, Buffer.from('during'), 6, {}, keys));
  t.true(err instanceof KeystoreError);
  t.is((err as KeystoreError).code, 'KeyStoreUnavailable');
  t.true((err as KeystoreError).retryable);
  t.deepEqual(store.puts.map((p) => p.key), ['before'], 'nothing reached the backend during the outage');
  await t.throwsAsync(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'during' })));
  const readErr = await t.throwsAsync(sealed.get({ bucket, key: 'before' }, keys));
  t.is((readErr as KeystoreError).code, 'KeyStoreUnavailable', 'reads fail closed too');

  proxy.resume();
  await sealed.put({ bucket, key: 'after' }, Buffer.from('after'), 5, {}, keys);
  const r = await sealed.get({ bucket, key: 'after' }, keys);
  const chunks: Buffer[] = [];
  for await (const c of r.stream) chunks.push(c as Buffer);
  t.is(Buffer.concat(chunks).toString(), 'after', 'the same process works again after the outage');
  s3.destroy();
}

test('OpenBao outage: writes fail closed with KeyStoreUnavailable, nothing stored; recovery after resume', async (t) => {
  const o = openbao();
  const { proxy, url } = await proxied(o.address);
  try {
    const admin = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
    const key = `${o.mount}/faults-${randomBytes(4).toString('hex')}`;
    await admin.createKey(key);
    await outageScenario(t, new VaultKeystore({ address: url, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken }, retry, timeoutMs: 2000 }), key, proxy);
  } finally {
    await proxy.stop();
  }
});

test('local-kms outage: writes fail closed with KeyStoreUnavailable, nothing stored; recovery after resume', async (t) => {
  const d = service('localkms');
  const { proxy, url } = await proxied(d.endpoint);
  try {
    const creds = { accessKeyId: d.accessKey ?? 'x', secretAccessKey: d.secretKey ?? 'x' };
    const admin = new AwsKmsKeystore(new KMSClient({ endpoint: d.endpoint, region: 'us-east-1', credentials: creds }));
    const { keyId } = await admin.createKey(`alias/faults-${randomBytes(4).toString('hex')}`);
    // the SDK's own standard retries (DESIGN.md "Retries"): they give up, and the outage fails closed
    const client = new KMSClient({ endpoint: url, region: 'us-east-1', credentials: creds, requestHandler: { requestTimeout: 2000, connectionTimeout: 2000, throwOnRequestTimeout: true } });
    await outageScenario(t, new AwsKmsKeystore(client), keyId, proxy);
  } finally {
    await proxy.stop();
  }
});
