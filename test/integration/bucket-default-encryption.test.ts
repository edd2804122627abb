/**
 * Bucket default encryption through the SDK plugin (issue 8 acceptance), against real MinIO and
 * local-kms: each algorithm with and without BucketKeyEnabled, override by object headers,
 * BlockedEncryptionTypes refusing SSE-C with S3's error, a floor PutBucketEncryption cannot lower, the
 * configuration tampered, deleted or rolled back in the reserved bucket with MinIO's own credentials
 * (fail closed: the write is refused clearly and nothing is stored), two instances sharing it within
 * the TTL, and the reserved bucket hidden and refused.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  type S3Client,
  type ServerSideEncryption,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { createSealedS3Client, type SealedS3Client } from '../../src/index.js';
import type { S3SealConfigInput } from '../../src/container/config.js';
import { freshBucket, kmsClient, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

interface World {
  raw: S3Client;
  base: S3SealConfigInput;
  reserved: string;
  a: SealedS3Client;
  b: SealedS3Client;
  kms: { alias: string; arn: string; defaultAlias: string; defaultArn: string };
}

let world: Promise<World> | undefined;
const TTL_MS = 300;

function setup(): Promise<World> {
  world ??= (async () => {
    const minio = service('minio');
    const lk = service('localkms');
    const tag = randomBytes(4).toString('hex');
    const admin = new AwsKmsKeystore(kmsClient(lk));
    const alias = `alias/bucket-default-${tag}`;
    const defaultAlias = `alias/default-kms-${tag}`;
    const s3Alias = `alias/bucket-default-s3-${tag}`;
    const [k, d] = await Promise.all([admin.createKey(alias), admin.createKey(defaultAlias), admin.createKey(s3Alias)]);
    const reserved = `s3seal-bde-${tag}`;
    const base: S3SealConfigInput = {
      backend: { endpoint: minio.endpoint, accessKeyId: minio.accessKey!, secretAccessKey: minio.secretKey! },
      keystores: { awskms: { endpoint: lk.endpoint, accessKeyId: lk.accessKey!, secretAccessKey: lk.secretKey!, rotateOnDemand: false } },
      defaultKmsKeystore: 'awskms',
      sseS3Key: s3Alias,
      defaultKmsKey: defaultAlias,
      readKeys: [alias],
      uploadTokenRoot: randomBytes(32).toString('base64'),
      bucketEncryption: { reservedBucket: reserved, ttlMs: TTL_MS },
    };
    return { raw: s3Client(minio), base, reserved, a: createSealedS3Client(base), b: createSealedS3Client(base), kms: { alias, arn: k.keyId, defaultAlias, defaultArn: d.keyId } };
  })();
  return world;
}

test.after.always(async () => {
  if (world === undefined) return;
  const w = await world;
  await Promise.all([w.a.close(), w.b.close()]);
});

async function errorOf(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await p;
    return { name: 'no error', message: '' };
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, ...(e.$metadata?.httpStatusCode !== undefined ? { status: e.$metadata.httpStatusCode } : {}) };
  }
}

async function bucketWith(w: World, rule: ServerSideEncryptionRule | undefined): Promise<string> {
  const bucket = await freshBucket(service('minio'), 'bde');
  if (rule !== undefined) await w.a.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [rule] } }));
  return bucket;
}

test('a bucket default applies when a PUT names no SSE: AES256, aws:kms with a key, aws:kms without one (the configured default KMS key), each with and without BucketKeyEnabled', async (t) => {
  const w = await setup();
  const cases: { rule: ServerSideEncryptionRule; sse: ServerSideEncryption; keyId?: string; bucketKey: boolean }[] = [
    { rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }, sse: 'AES256', bucketKey: false },
    // S3 Bucket Keys are an SSE-KMS feature: with AES256 the setting is kept but changes nothing
    { rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }, sse: 'AES256', bucketKey: false },
    { rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: w.kms.alias } }, sse: 'aws:kms', keyId: w.kms.arn, bucketKey: false },
    { rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: w.kms.alias }, BucketKeyEnabled: true }, sse: 'aws:kms', keyId: w.kms.arn, bucketKey: true },
    { rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }, sse: 'aws:kms', keyId: w.kms.defaultArn, bucketKey: true },
  ];
  for (const c of cases) {
    const bucket = await bucketWith(w, c.rule);
    const got = await w.a.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    t.deepEqual(got.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault, c.rule.ApplyServerSideEncryptionByDefault);
    const put = await w.a.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'defaulted' }));
    t.is(put.ServerSideEncryption, c.sse);
    t.is(put.SSEKMSKeyId, c.keyId);
    t.is(put.BucketKeyEnabled ?? false, c.bucketKey);
    const head = await w.b.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
    t.is(head.ServerSideEncryption, c.sse);
    t.is(head.SSEKMSKeyId, c.keyId);
    t.is(await (await w.b.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }))).Body!.transformToString(), 'defaulted');
  }
});

test('object-level SSE headers override the bucket default; an unsaid BucketKeyEnabled takes the bucket’s', async (t) => {
  const w = await setup();
  const bucket = await bucketWith(w, { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: w.kms.alias }, BucketKeyEnabled: true });
  const s3 = await w.a.send(new PutObjectCommand({ Bucket: bucket, Key: 's3', Body: 'x', ServerSideEncryption: 'AES256' }));
  t.is(s3.ServerSideEncryption, 'AES256');
  const kms = await w.a.send(new PutObjectCommand({ Bucket: bucket, Key: 'kms', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: w.kms.defaultAlias }));
  t.is(kms.SSEKMSKeyId, w.kms.defaultArn);
  t.true(kms.BucketKeyEnabled, 'the bucket’s BucketKeyEnabled applies when the request does not say');
  const off = await w.a.send(new PutObjectCommand({ Bucket: bucket, Key: 'off', Body: 'x', ServerSideEncryption: 'aws:kms', BucketKeyEnabled: false }));
  t.is(off.SSEKMSKeyId, w.kms.arn, 'aws:kms without a key id takes the bucket’s key');
  t.falsy(off.BucketKeyEnabled);
  const ssec = randomBytes(32);
  const c = await w.a.send(new PutObjectCommand({ Bucket: bucket, Key: 'c', Body: 'x', SSECustomerAlgorithm: 'AES256', SSECustomerKey: ssec.toString('base64') }));
  t.is(c.SSECustomerAlgorithm, 'AES256');
  // a copy naming no SSE gets the destination bucket's default
  const copy = await w.a.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copied', CopySource: `${bucket}/s3` }));
  t.is(copy.ServerSideEncryption, 'aws:kms');
  t.is(copy.SSEKMSKeyId, w.kms.arn);
});

test('BlockedEncryptionTypes SSE-C: PUT, CreateMultipartUpload and CopyObject with SSE-C get 403 AccessDenied, nothing is stored; other modes and existing SSE-C objects still work', async (t) => {
  const w = await setup();
  const bucket = await bucketWith(w, undefined);
  const ssec = randomBytes(32).toString('base64');
  await w.a.send(new PutObjectCommand({ Bucket: bucket, Key: 'before', Body: 'old', SSECustomerAlgorithm: 'AES256', SSECustomerKey: ssec }));
  await w.a.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } }] } }));
  const got = await w.a.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
  t.deepEqual(got.ServerSideEncryptionConfiguration?.Rules?.[0]?.BlockedEncryptionTypes?.EncryptionType, ['SSE-C']);
  const ssecParams = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: ssec };
  for (const [what, p] of [
    ['PutObject', w.a.send(new PutObjectCommand({ Bucket: bucket, Key: 'blocked', Body: 'x', ...ssecParams }))],
    ['CreateMultipartUpload', w.a.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'blocked', ...ssecParams }))],
    ['CopyObject', w.a.send(new CopyObjectCommand({ Bucket: bucket, Key: 'blocked', CopySource: `${bucket}/before`, CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: ssec, ...ssecParams }))],
  ] as const) {
    const e = await errorOf(p);
    t.is(e.name, 'AccessDenied', what);
    t.is(e.status, 403, what);
  }
  t.is((await errorOf(w.raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'blocked' })))).name, 'NotFound');
  t.is((await w.a.send(new PutObjectCommand({ Bucket: bucket, Key: 'ok', Body: 'x' }))).ServerSideEncryption, 'AES256');
  const old = await w.a.send(new GetObjectCommand({ Bucket: bucket, Key: 'before', ...ssecParams }));
  t.is(await old.Body!.transformToString(), 'old', 'existing SSE-C objects stay readable, as on S3');
});

test('DeleteBucketEncryption: GetBucketEncryption then answers ServerSideEncryptionConfigurationNotFoundError (404) and PUTs fall back to SSE-S3', async (t) => {
  const w = await setup();
  const bucket = await bucketWith(w, { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: w.kms.alias } });
  await w.a.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
  const e = await errorOf(w.a.send(new GetBucketEncryptionCommand({ Bucket: bucket })));
  t.is(e.name, 'ServerSideEncryptionConfigurationNotFoundError');
  t.is(e.status, 404);
  t.is((await w.a.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' }))).ServerSideEncryption, 'AES256');
});

test('two instances share the configuration: a change made through one is seen by the other within the TTL', async (t) => {
  const w = await setup();
  const bucket = await bucketWith(w, undefined);
  // b reads (and caches) "no configuration" first
  t.is((await w.b.send(new PutObjectCommand({ Bucket: bucket, Key: 'before', Body: 'x' }))).ServerSideEncryption, 'AES256');
  await w.a.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: w.kms.alias } }] } }));
  const changed = Date.now();
  let seen: string | undefined;
  // poll, bounded: the TTL is 300 ms; allow generous slack on a loaded machine, but the change must come
  while (Date.now() - changed < 20 * TTL_MS) {
    seen = (await w.b.send(new PutObjectCommand({ Bucket: bucket, Key: 'after', Body: 'x' }))).ServerSideEncryption;
    if (seen === 'aws:kms') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.is(seen, 'aws:kms');
});

test('a floor: PutBucketEncryption cannot lower it (AccessDenied), and a PUT naming no SSE gets the floor even if the bucket says AES256', async (t) => {
  const w = await setup();
  const bucket = await freshBucket(service('minio'), 'floor');
  const policyFile = join(tempDir('floor'), 'policy.yaml');
  writeFileSync(
    policyFile,
    `version: 1
principals: { process: {} }
statements: [{ effect: Allow, principals: [process], actions: ["s3:*"], resources: ["*"] }]
keys: [{ principals: [process], key: "*", permissions: [encrypt, decrypt] }]
floors: [{ bucket: "${bucket}", requireAlgorithm: "aws:kms", requireKey: "${w.kms.alias}" }]
`,
  );
  const c = createSealedS3Client({ ...w.base, policy: { file: policyFile, watch: false }, audit: { destination: 'off' } });
  try {
    const lower = await errorOf(c.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } })));
    t.is(lower.name, 'AccessDenied');
    t.regex(lower.message, /floor/);
    t.is((await errorOf(c.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: w.kms.defaultAlias } }] } })))).name, 'AccessDenied');
    await c.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: w.kms.alias } }] } }));
    const put = await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' }));
    t.is(put.SSEKMSKeyId, w.kms.arn);
    t.is((await errorOf(c.send(new PutObjectCommand({ Bucket: bucket, Key: 'k2', Body: 'x', ServerSideEncryption: 'AES256' })))).name, 'AccessDenied');
    // an instance without the floor may store AES256 as the bucket's default; the floored instance still writes under the floor
    await w.a.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
    await new Promise((r) => setTimeout(r, TTL_MS + 50));
    t.is((await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'k3', Body: 'x' }))).SSEKMSKeyId, w.kms.arn);
  } finally {
    await c.close();
  }
});

test('the reserved bucket is hidden from ListBuckets and refused to every request', async (t) => {
  const w = await setup();
  await bucketWith(w, { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } });
  const names = ((await w.a.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
  t.false(names.includes(w.reserved));
  const raw = ((await w.raw.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
  t.true(raw.includes(w.reserved), 'it exists on the backend');
  t.is((await errorOf(w.a.send(new ListObjectsV2Command({ Bucket: w.reserved })))).name, 'AccessDenied');
  const listed = await w.raw.send(new ListObjectsV2Command({ Bucket: w.reserved }));
  const docKey = listed.Contents?.[0]?.Key;
  t.truthy(docKey);
  t.is((await errorOf(w.a.send(new GetObjectCommand({ Bucket: w.reserved, Key: docKey! })))).name, 'AccessDenied');
  t.is((await errorOf(w.a.send(new PutObjectCommand({ Bucket: w.reserved, Key: docKey!, Body: '{}' })))).name, 'AccessDenied');
});

test.serial('the configuration tampered, deleted or rolled back in the reserved bucket with MinIO’s credentials: writes fail closed with a clear error, nothing is stored', async (t) => {
  const w = await setup();
  // an instance of its own, so its high-water mark is this test's
  const c = createSealedS3Client(w.base);
  try {
    const bucket = await freshBucket(service('minio'), 'tamper');
    const rule = (alg: 'AES256' | 'aws:kms'): ServerSideEncryptionRule => ({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: alg, ...(alg === 'aws:kms' ? { KMSMasterKeyID: w.kms.alias } : {}) } });
    await c.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [rule('AES256')] } }));
    const docKey = (await w.raw.send(new ListObjectsV2Command({ Bucket: w.reserved }))).Contents![0]!.Key!;
    const readDoc = async (): Promise<string> => (await (await w.raw.send(new GetObjectCommand({ Bucket: w.reserved, Key: docKey }))).Body!.transformToString());
    const older = await readDoc();
    await c.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [rule('aws:kms')] } }));
    const current = await readDoc();
    const refused = async (what: string, key: string): Promise<void> => {
      await new Promise((r) => setTimeout(r, TTL_MS + 50));
      const e = await errorOf(c.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'must not be stored' })));
      t.true(e.status !== undefined && e.status >= 500, `${what}: refused with a server error (${e.name} ${e.status})`);
      t.regex(e.message, /configuration/i, what);
      t.is((await errorOf(w.raw.send(new HeadObjectCommand({ Bucket: bucket, Key: key })))).name, 'NotFound', `${what}: nothing stored`);
    };
    // tampered: the MinIO administrator switches the default to AES256 by editing the document
    await w.raw.send(new PutObjectCommand({ Bucket: w.reserved, Key: docKey, Body: current.replace('aws:kms', 'AES256') }));
    await refused('tampered', 't1');
    // rolled back: the older, validly MACed document put back
    await w.raw.send(new PutObjectCommand({ Bucket: w.reserved, Key: docKey, Body: older }));
    await refused('rolled back', 't2');
    // deleted
    await w.raw.send(new PutObjectCommand({ Bucket: w.reserved, Key: docKey, Body: current }));
    await new Promise((r) => setTimeout(r, TTL_MS + 50));
    t.is((await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'restored', Body: 'x' }))).ServerSideEncryption, 'aws:kms', 'the genuine document restored: writes work again');
    await w.raw.send(new DeleteObjectCommand({ Bucket: w.reserved, Key: docKey }));
    await refused('deleted', 't3');
    // a fresh instance that never saw it: the reserved bucket exists but holds no document → also closed
    const fresh = createSealedS3Client(w.base);
    try {
      const e = await errorOf(fresh.send(new PutObjectCommand({ Bucket: bucket, Key: 't4', Body: 'x' })));
      t.true(e.status !== undefined && e.status >= 500);
    } finally {
      await fresh.close();
    }
    await w.raw.send(new PutObjectCommand({ Bucket: w.reserved, Key: docKey, Body: current }));
  } finally {
    await c.close();
  }
});
