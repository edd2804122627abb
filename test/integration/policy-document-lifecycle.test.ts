/**
 * The policy document's life in a running service (issue 8 acceptance), through the SDK plugin against
 * real MinIO: a malformed document fails at startup with one message naming line and field; a
 * malformed reload keeps the old policy; a good reload (file change) takes effect; S3 bucket-policy
 * style conditions deny unencrypted PUTs; passthrough serves plaintext only where configured and never
 * under a floor.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutBucketEncryptionCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { closeContainer, createContainer, createSealedS3Client, getService, TOKENS } from '../../src/index.js';
import type { S3SealConfigInput } from '../../src/container/config.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

async function baseConfig(dir: string): Promise<S3SealConfigInput> {
  const minio = service('minio');
  const keyPath = join(dir, 'keys.json');
  const ks = new FileKeystore({ path: keyPath, create: true });
  await ks.createKey('s3-default');
  return {
    backend: { endpoint: minio.endpoint, accessKeyId: minio.accessKey!, secretAccessKey: minio.secretKey! },
    keystores: { file: { path: keyPath } },
    defaultKmsKeystore: 'file',
    uploadTokenRoot: randomBytes(32).toString('base64'),
    audit: { destination: 'off' },
  };
}

async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return (err as Error).name;
  }
}

/** write a file the way editors and config management do: a new file renamed over the old one */
function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

const allowAll = (extra = ''): string => `version: 1
principals:
  process: {}
statements:
  - effect: Allow
    principals: [process]
    actions: ["s3:*"]
    resources: ["*"]
${extra}keys:
  - principals: [process]
    key: "*"
    permissions: [encrypt, decrypt]
`;

test('a malformed policy document fails at startup with one message naming the file, line and field', async (t) => {
  const dir = tempDir('policy-startup');
  const base = await baseConfig(dir);
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, allowAll().replace('actions: ["s3:*"]', 'actions: ["s3:GetObjects"]'));
  const err = t.throws(() => createContainer({ ...base, policy: { file } }));
  t.is((err as { code?: string }).code, 'InvalidPolicyDocument');
  t.regex(err.message, /policy\.yaml:7/);
  t.regex(err.message, /statements\[0\]\.actions\[0\]/);
  t.is(err.message.split('\n').length, 1, 'one message');
  writeFileSync(file, '{ "version": 1, "principals": { "process": {} }, "statements": [ { "effect": "Permit" } ] }');
  const json = t.throws(() => createContainer({ ...base, policy: { file } }));
  t.regex(json.message, /policy\.yaml:1: statements\[0\]\.effect/);
});

test.serial('a malformed reload keeps the old policy; a good one, written over the file, takes effect', async (t) => {
  const dir = tempDir('policy-reload');
  const base = await baseConfig(dir);
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, allowAll());
  const container = createContainer({ ...base, policy: { file, watch: true } });
  const client = createSealedS3Client(container);
  try {
    const bucket = await freshBucket(service('minio'), 'reload');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'x' }));
    replaceFile(file, 'version: 1\nprincipals: [not, a, map]\n');
    t.false(await getService(container, TOKENS.PolicySource).reload(), 'the bad document is refused');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'b', Body: 'x' }));
    t.pass('the old policy is still in force');
    // a good document that denies PUT under no-put/: picked up from the file change, no signal needed
    replaceFile(file, allowAll(`  - effect: Deny\n    principals: ["*"]\n    actions: ["s3:PutObject"]\n    resources: ["${bucket}/no-put/*"]\n`));
    const since = Date.now();
    let outcome = 'no error';
    while (Date.now() - since < 10_000) {
      outcome = await errorName(client.send(new PutObjectCommand({ Bucket: bucket, Key: `no-put/${Date.now()}`, Body: 'x' })));
      if (outcome === 'AccessDenied') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    t.is(outcome, 'AccessDenied');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'elsewhere', Body: 'x' }));
  } finally {
    await client.close();
    await closeContainer(container);
  }
});

test('S3 bucket-policy conditions: a Deny on PutObject where x-amz-server-side-encryption is Null refuses unencrypted PUTs, and one on StringNotEquals aws:kms refuses other algorithms', async (t) => {
  const dir = tempDir('policy-conditions');
  const base = await baseConfig(dir);
  const bucket = await freshBucket(service('minio'), 'conditions');
  const file = join(dir, 'policy.yaml');
  writeFileSync(
    file,
    allowAll(`  - effect: Deny
    principals: ["*"]
    actions: ["s3:PutObject"]
    resources: ["${bucket}/*"]
    condition:
      "Null": { "s3:x-amz-server-side-encryption": "true" }
  - effect: Deny
    principals: ["*"]
    actions: ["s3:PutObject"]
    resources: ["${bucket}/kms-only/*"]
    condition:
      StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" }
`),
  );
  const ks = new FileKeystore({ path: join(dir, 'keys.json') });
  const kms = await ks.createKey('conditions-kms');
  const client = createSealedS3Client({ ...base, readKeys: [kms.keyId], policy: { file, watch: false } });
  try {
    t.is(await errorName(client.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain', Body: 'x' }))), 'AccessDenied');
    t.is((await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'sse', Body: 'x', ServerSideEncryption: 'AES256' }))).ServerSideEncryption, 'AES256');
    t.is(await errorName(client.send(new PutObjectCommand({ Bucket: bucket, Key: 'kms-only/s3', Body: 'x', ServerSideEncryption: 'AES256' }))), 'AccessDenied');
    t.is((await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'kms-only/kms', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kms.keyId }))).ServerSideEncryption, 'aws:kms');
    t.is(await errorName(s3Client(service('minio')).send(new GetObjectCommand({ Bucket: bucket, Key: 'plain' }))), 'NoSuchKey', 'the refused PUT stored nothing');
  } finally {
    await client.close();
  }
});

test('passthrough: a plaintext object is served only inside a configured prefix, never where a floor covers it nor in a bucket with a default encryption configuration', async (t) => {
  const dir = tempDir('policy-passthrough');
  const base = await baseConfig(dir);
  const bucket = await freshBucket(service('minio'), 'passthrough');
  const raw = s3Client(service('minio'));
  for (const key of ['legacy/a', 'legacy/floored/b', 'other/c']) await raw.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `plain ${key}` }));
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, `${allowAll()}floors:\n  - { bucket: "${bucket}", prefix: "legacy/floored/", requireAlgorithm: AES256 }\n`);
  const shared = { reservedBucket: `s3seal-pt-${randomBytes(4).toString('hex')}`, ttlMs: 200 };
  const plain = createSealedS3Client({ ...base, bucketEncryption: shared, passthrough: [{ bucket, prefix: 'legacy/' }] });
  const other = createSealedS3Client({ ...base, bucketEncryption: shared });
  const floored = createSealedS3Client({ ...base, passthrough: [{ bucket, prefix: 'legacy/' }], policy: { file, watch: false } });
  try {
    t.is(await (await plain.send(new GetObjectCommand({ Bucket: bucket, Key: 'legacy/a' }))).Body!.transformToString(), 'plain legacy/a');
    t.is(await (await plain.send(new GetObjectCommand({ Bucket: bucket, Key: 'legacy/floored/b' }))).Body!.transformToString(), 'plain legacy/floored/b');
    t.not(await errorName(plain.send(new GetObjectCommand({ Bucket: bucket, Key: 'other/c' }))), 'no error', 'outside the prefix a plaintext object is refused');
    t.is(await (await floored.send(new GetObjectCommand({ Bucket: bucket, Key: 'legacy/a' }))).Body!.transformToString(), 'plain legacy/a');
    t.not(await errorName(floored.send(new GetObjectCommand({ Bucket: bucket, Key: 'legacy/floored/b' }))), 'no error', 'a floor turns passthrough off');
    t.is(await errorName(plain.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }))), 'AccessDenied', 'a passthrough bucket refuses a default encryption');
    // another instance (no passthrough there) gives the bucket a default encryption: passthrough stops
    await other.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
    await new Promise((r) => setTimeout(r, 300));
    t.not(await errorName(plain.send(new GetObjectCommand({ Bucket: bucket, Key: 'legacy/a' }))), 'no error', 'a bucket with a default encryption configuration never passes plaintext through');
  } finally {
    await Promise.all([plain.close(), floored.close(), other.close()]);
  }
});
