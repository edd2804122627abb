/** Every example and the README's main command run here, against real services. */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { main as librarySseS3 } from '../../examples/library-sse-s3.js';
import { main as keystoreByConfig } from '../../examples/keystore-by-config.js';
import { main as sdkPlugin } from '../../examples/sdk-plugin.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { VaultKeystore } from '../../src/keystores/vault/vault-keystore.js';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { KMSClient } from '@aws-sdk/client-kms';
import { openbao } from '../helpers/openbao-admin.js';
import { runDemo } from '../../src/cli/demo.js';
import { freshBucket, service } from '../helpers/services.js';

test('examples/library-sse-s3 writes and reads back through MinIO', async (t) => {
  const m = service('minio');
  const bucket = await freshBucket(m, 'example');
  const dir = mkdtempSync(join(tmpdir(), 's3seal-example-'));
  try {
    t.is(await librarySseS3(m.endpoint, m.accessKey!, m.secretKey!, bucket, join(dir, 'keys.json')), 'account,balance\nada,100\n|ada');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('examples/sdk-plugin: one added line gives an existing S3Client SSE-KMS; MinIO holds ciphertext', async (t) => {
  const m = service('minio');
  const bucket = await freshBucket(m, 'example-sdk');
  const dir = mkdtempSync(join(tmpdir(), 's3seal-example-'));
  try {
    t.is(await sdkPlugin(m.endpoint, m.accessKey!, m.secretKey!, bucket, join(dir, 'keys.json')), 'aws:kms file:reports|revenue up|ciphertext at rest');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the README main command (demo on embedded defaults) succeeds, twice on the same data dir', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3seal-demo-'));
  try {
    for (let run = 0; run < 2; run++) {
      const lines: string[] = [];
      await runDemo(dir, (l) => lines.push(l));
      t.regex(lines.at(-1) ?? '', /^s3seal demo ok backend=http:\/\/127\.0\.0\.1:\d+ /);
      t.is(lines.filter((l) => l.includes('plaintext-at-rest=no') && l.includes('round-trip=ok') && l.includes('range=ok')).length, 3);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('examples/keystore-by-config: the same code on the file keystore, OpenBao Transit and local-kms, switched by configuration', async (t) => {
  const m = service('minio');
  const bucket = await freshBucket(m, 'bycfg');
  const backend = { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! };
  const uploadTokenRoot = randomBytes(32).toString('base64');
  const expected = '{"invoice": 42, "total": "99.00"}';

  // development: the file keystore
  const dir = mkdtempSync(join(tmpdir(), 's3seal-bycfg-'));
  const fileKs = new FileKeystore({ path: join(dir, 'keys.json'), create: true });
  await fileKs.createKey('invoices');
  const dev = await keystoreByConfig({ backend, uploadTokenRoot, keystores: { file: { path: join(dir, 'keys.json') } } }, 'file:invoices', bucket);
  t.deepEqual(dev, { storedKeyId: 'file:invoices', roundTrip: expected });

  // staging: OpenBao Transit
  const o = openbao();
  const vkey = `${o.mount}/invoices-${randomBytes(3).toString('hex')}`;
  await new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } }).createKey(vkey);
  const staging = await keystoreByConfig({ backend, uploadTokenRoot, keystores: { vault: { address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } } } }, `vault:${vkey}`, bucket);
  t.deepEqual(staging, { storedKeyId: `vault:${vkey}`, roundTrip: expected });

  // production: AWS KMS (local-kms here), by alias; the envelope stores the resolved ARN
  const k = service('localkms');
  const alias = `alias/invoices-${randomBytes(3).toString('hex')}`;
  const { keyId: arn } = await new AwsKmsKeystore(new KMSClient({ endpoint: k.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } })).createKey(alias);
  const prod = await keystoreByConfig(
    { backend, uploadTokenRoot, keystores: { awskms: { endpoint: k.endpoint, region: 'us-east-1', accessKeyId: 'x', secretAccessKey: 'x', rotateOnDemand: false } } },
    alias,
    bucket,
  );
  t.deepEqual(prod, { storedKeyId: arn, roundTrip: expected });
  rmSync(dir, { recursive: true, force: true });
});
