/** Every example and the README's main command run here, against real services. */
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { main as librarySseS3 } from '../../examples/library-sse-s3.js';
import { main as keystoreByConfig } from '../../examples/keystore-by-config.js';
import { main as sdkPlugin } from '../../examples/sdk-plugin.js';
import { main as expressUploadService } from '../../examples/express-upload-service.js';
import { main as roleSeparation } from '../../examples/role-separation.js';
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

test('s3seal demo (the in-process walk-through on embedded defaults) succeeds, twice on the same data dir', async (t) => {
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

test('examples/express-upload-service: an Express service with one added line stores SSE-KMS ciphertext and serves plaintext, whole and by range, over HTTP', async (t) => {
  const m = service('minio');
  const bucket = await freshBucket(m, 'example-express');
  const dir = mkdtempSync(join(tmpdir(), 's3seal-example-'));
  try {
    const printed: string[] = [];
    const r = await expressUploadService(m.endpoint, m.accessKey!, m.secretKey!, bucket, join(dir, 'keys.json'), (l) => printed.push(l));
    t.deepEqual(printed, r.lines);
    t.deepEqual(r.sse, { algorithm: 'aws:kms', keyId: 'file:uploads' });
    t.true(r.downloadMatches);
    t.true(r.rangeMatches);
    t.true(r.storedCiphertext);
    t.true(r.storedEnvelope);
    t.deepEqual(printed.slice(0, 2), ['upload: HTTP 201', 'download matches: yes']);
    t.regex(printed[2] ?? '', /^range download matches: yes \(HTTP 206, bytes 5242870-5242899\/6291456\)$/);
    t.is(printed[3], 'missing file: HTTP 404');
    t.is(printed[4], 'encryption: aws:kms file:uploads');
    t.regex(printed[5] ?? '', /^stored ciphertext: yes /);
    t.is(printed[6], 'stored envelope: yes (x-amz-meta-s3seal)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('examples/role-separation: the uploader writes but cannot read, the auditor reads but cannot write, MinIO\'s administrator sees only ciphertext and the envelope', async (t) => {
  const m = service('minio');
  const bucket = await freshBucket(m, 'example-roles');
  const dir = mkdtempSync(join(tmpdir(), 's3seal-example-'));
  try {
    const printed: string[] = [];
    const r = await roleSeparation(m.endpoint, m.accessKey!, m.secretKey!, bucket, dir, (l) => printed.push(l));
    t.deepEqual(printed, r.lines);
    t.deepEqual(r.uploaderWrote, { algorithm: 'aws:kms', keyId: 'file:invoices' });
    t.is(r.uploaderGetError, 'AccessDenied');
    t.true(r.auditorReadMatches);
    t.is(r.auditorPutError, 'AccessDenied');
    t.false(r.adminSeesPlaintext);
    t.is(r.adminSeesKeyId, 'file:invoices');
    t.true(r.auditedDenials > 0);
    t.is(printed[0], `keystore: file:invoices in ${join(dir, 'keys.json')} (mode 600)`);
    t.is(printed[1], 'uploader writes: yes (aws:kms file:invoices)');
    t.is(printed[2], 'uploader can read: no (AccessDenied)');
    t.is(printed[3], 'auditor reads: yes');
    t.is(printed[4], 'auditor can write: no (AccessDenied)');
    t.regex(printed[5] ?? '', /^admin sees plaintext: no /);
    t.regex(printed[6] ?? '', /^admin sees envelope: yes \(x-amz-meta-s3seal, \d+ characters, key file:invoices, data key wrapped\)$/);
    t.regex(printed[7] ?? '', /^audit: uploader GetObject denied recorded /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every example is linked from the README and run by an integration test', (t) => {
  const root = new URL('../../../', import.meta.url);
  const examples = readdirSync(new URL('examples/', root)).filter((f) => f.endsWith('.ts'));
  t.true(examples.length > 0);
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const testDir = new URL('test/integration/', root);
  const tests = readdirSync(testDir)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => readFileSync(new URL(f, testDir), 'utf8'))
    .join('\n');
  for (const e of examples) {
    t.true(readme.includes(`](examples/${e})`), `README.md links examples/${e}`);
    t.true(tests.includes(`/examples/${e.replace(/\.ts$/, '.js')}'`), `examples/${e} is imported by a test in test/integration/`);
  }
});
