/**
 * Proves each real service started by `npm test` really answers, with the features s3seal relies on
 * (user metadata round-trip, native SSE-S3, derived Transit keys, KMS encryption context), and that
 * TcpProxy really cuts and restores the path to OpenBao.
 */
import { CreateKeyCommand, DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { TcpProxy } from '../../scripts/harness/tcp-proxy.js';
import { kmsClient, s3Client, service, type ServiceDescriptor } from '../helpers/services.js';

const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(6).toString('hex')}`;

for (const name of ['minio', 'seaweedfs'] as const) {
  test(`${name}: bucket, put/get with user metadata`, async (t) => {
    const s3 = s3Client(service(name));
    const Bucket = uniqueName('s3seal-it');
    const Body = randomBytes(1024 + 7);
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'dir/object.bin', Body, Metadata: { 's3seal-test': 'value-1', other: 'x' } }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'dir/object.bin' }));
    t.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), Body);
    t.is(got.Metadata?.['s3seal-test'], 'value-1');
    t.is(got.Metadata?.['other'], 'x');
    s3.destroy();
  });
}

test('seaweedfs: takes writes in 60 more fresh buckets (each bucket is a collection with its own volumes; the automatic volume count ran out after ~40)', async (t) => {
  t.timeout(180_000);
  const s3 = s3Client(service('seaweedfs'));
  try {
    for (let i = 0; i < 60; i++) {
      const Bucket = uniqueName(`s3seal-vol${i}`);
      await s3.send(new CreateBucketCommand({ Bucket }));
      await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: Buffer.alloc(100) }));
    }
    t.pass();
  } finally {
    s3.destroy();
  }
});

test('minio-sse: native SSE-S3 PUT succeeds and HEAD reports AES256', async (t) => {
  const s3 = s3Client(service('minio-sse'));
  const Bucket = uniqueName('s3seal-sse');
  await s3.send(new CreateBucketCommand({ Bucket }));
  const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'hello', ServerSideEncryption: 'AES256' }));
  t.is(put.ServerSideEncryption, 'AES256');
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'k' }));
  t.is(head.ServerSideEncryption, 'AES256');
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'k' }));
  t.is(await got.Body!.transformToString(), 'hello');
  s3.destroy();
});

async function bao(desc: ServiceDescriptor, method: string, path: string, body?: unknown, endpoint = desc.endpoint): Promise<Record<string, unknown>> {
  const response = await fetch(`${endpoint}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': desc.token ?? '', 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

test('openbao: derived transit key, datakey with context, decrypt back', async (t) => {
  const desc = service('openbao');
  const mount = desc.mount ?? 'transit';
  const key = uniqueName('s3seal');
  await bao(desc, 'POST', `${mount}/keys/${key}`, { derived: true, type: 'aes256-gcm96' });
  const context = randomBytes(32).toString('base64');
  const created = (await bao(desc, 'POST', `${mount}/datakey/plaintext/${key}`, { context })).data as { plaintext: string; ciphertext: string };
  t.is(Buffer.from(created.plaintext, 'base64').length, 32);
  const decrypted = (await bao(desc, 'POST', `${mount}/decrypt/${key}`, { ciphertext: created.ciphertext, context })).data as { plaintext: string };
  t.is(decrypted.plaintext, created.plaintext);
  // The context really binds: a different one must not decrypt.
  await t.throwsAsync(bao(desc, 'POST', `${mount}/decrypt/${key}`, { ciphertext: created.ciphertext, context: randomBytes(32).toString('base64') }));
});

test('localkms: CreateKey, GenerateDataKey with context, Decrypt with wrong context fails', async (t) => {
  const kms = kmsClient(service('localkms'));
  const key = await kms.send(new CreateKeyCommand({ Description: 's3seal services test' }));
  const KeyId = key.KeyMetadata!.KeyId!;
  const EncryptionContext = { bucket: 'b', key: 'k' };
  const generated = await kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext }));
  t.is(generated.Plaintext?.length, 32);
  const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext }));
  t.deepEqual(Buffer.from(decrypted.Plaintext!), Buffer.from(generated.Plaintext!));
  await t.throwsAsync(kms.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: { bucket: 'b', key: 'other' } })));
  kms.destroy();
});

test('TcpProxy in front of openbao: pause cuts connections, resume restores them', async (t) => {
  const desc = service('openbao');
  const target = new URL(desc.endpoint);
  const proxy = new TcpProxy(target.hostname, Number(target.port));
  const port = await proxy.start();
  const via = `http://127.0.0.1:${port}`;
  try {
    const health = async (): Promise<Record<string, unknown>> => bao(desc, 'GET', 'sys/health', undefined, via);
    t.is((await health())['sealed'], false);
    proxy.pause();
    await t.throwsAsync(health());
    proxy.resume();
    t.is((await health())['sealed'], false);
  } finally {
    await proxy.stop();
  }
});

test('TcpProxy in front of localkms: pause cuts connections, resume restores them', async (t) => {
  const desc = service('localkms');
  const target = new URL(desc.endpoint);
  const proxy = new TcpProxy(target.hostname, Number(target.port));
  const port = await proxy.start();
  const kms = kmsClient({ ...desc, endpoint: `http://127.0.0.1:${port}` });
  try {
    await t.notThrowsAsync(kms.send(new CreateKeyCommand({})));
    proxy.pause();
    await t.throwsAsync(kms.send(new CreateKeyCommand({})));
    proxy.resume();
    await t.notThrowsAsync(kms.send(new CreateKeyCommand({})));
  } finally {
    kms.destroy();
    await proxy.stop();
  }
});
