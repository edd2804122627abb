/**
 * Role separation through the SDK plugin (issue 8 acceptance), against real MinIO and local-kms (and
 * real OpenBao for the KMS layer): an uploader that can write but not read, an auditor that reads, a
 * principal without the S3 action refused before any key use, MinIO's own credentials seeing only
 * ciphertext, read-side key pinning against an object the MinIO administrator planted under another
 * key, context conditions in bucket-key mode, and an audit trail without key material.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { closeContainer, createContainer, createSealedS3Client, type SealedS3Client } from '../../src/index.js';
import type { S3SealConfigInput } from '../../src/container/config.js';
import { freshBucket, kmsClient, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';
import { openbao, tokenWith } from '../helpers/openbao-admin.js';
import { VaultKeystore } from '../../src/keystores/vault/vault-keystore.js';

interface World {
  bucket: string;
  raw: S3Client;
  clients: Record<'uploader' | 'auditor' | 'outsider' | 'payroll' | 'eng' | 'admin', SealedS3Client>;
  /** an s3seal instance with no policy document over the same MinIO and keys: what the MinIO administrator could run */
  rogue: SealedS3Client;
  keys: { invoices: string; other: string; payroll: string };
  auditFile: string;
  ssecKey: Buffer;
}

let world: Promise<World> | undefined;

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return (err as { name?: string; Code?: string }).Code ?? (err as Error).name;
  }
}

function setup(): Promise<World> {
  world ??= (async () => {
    const minio = service('minio');
    const lk = service('localkms');
    const tag = randomBytes(4).toString('hex');
    const admin = new AwsKmsKeystore(kmsClient(lk));
    const keys = { invoices: `alias/invoices-${tag}`, other: `alias/other-${tag}`, payroll: `alias/payroll-${tag}` };
    const s3Alias = `alias/roles-s3-${tag}`;
    await Promise.all([admin.createKey(keys.invoices), admin.createKey(keys.other), admin.createKey(keys.payroll), admin.createKey(s3Alias)]);
    const bucket = await freshBucket(minio, 'roles');
    const dir = tempDir('policy-roles');
    const policyFile = join(dir, 'policy.yaml');
    const auditFile = join(dir, 'audit.log');
    writeFileSync(
      policyFile,
      `version: 1
principals: { uploader: {}, auditor: {}, outsider: {}, payroll: {}, eng: {}, admin: {} }
statements:
  - { effect: Allow, principals: [uploader], actions: ["s3:PutObject", "s3:GetObject"], resources: ["${bucket}/invoices/*"] }
  - { effect: Allow, principals: [auditor], actions: ["s3:GetObject", "s3:ListBucket"], resources: ["${bucket}", "${bucket}/*"] }
  - { effect: Allow, principals: [payroll, eng], actions: ["s3:GetObject", "s3:PutObject"], resources: ["${bucket}/payroll/*"] }
  - { effect: Allow, principals: [admin], actions: ["s3:*"], resources: ["*"] }
  - effect: Deny
    principals: "*"
    actions: ["s3:PutObject"]
    resources: ["${bucket}/invoices/strict/*"]
    condition: { StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": ["${keys.invoices}"] } }
keys:
  - { principals: [uploader], key: "${keys.invoices}", permissions: [encrypt] }
  - { principals: [auditor], key: "${keys.invoices}", permissions: [decrypt] }
  - { principals: [payroll, eng], key: "${keys.payroll}", permissions: [encrypt] }
  - { principals: [payroll], key: "${keys.payroll}", permissions: [decrypt], context: { dept: payroll } }
  - { principals: [eng], key: "${keys.payroll}", permissions: [decrypt], context: { dept: eng } }
  - { principals: [admin], key: "*", permissions: [encrypt, decrypt] }
floors:
  - { bucket: "${bucket}", prefix: "invoices/", requireAlgorithm: "aws:kms", requireKey: "${keys.invoices}" }
`,
    );
    const base: S3SealConfigInput = {
      backend: { endpoint: minio.endpoint, accessKeyId: minio.accessKey!, secretAccessKey: minio.secretKey! },
      keystores: { awskms: { endpoint: lk.endpoint, accessKeyId: lk.accessKey!, secretAccessKey: lk.secretKey!, rotateOnDemand: false } },
      defaultKmsKeystore: 'awskms',
      sseS3Key: s3Alias,
      uploadTokenRoot: randomBytes(32).toString('base64'),
      bucketEncryption: { reservedBucket: `s3seal-roles-${tag}` },
    };
    const container = createContainer({ ...base, policy: { file: policyFile, watch: false }, audit: { destination: { file: auditFile } } });
    const as = (principal: string): SealedS3Client => createSealedS3Client(container, { s3seal: { principal } });
    const rogue = createSealedS3Client({ ...base, readKeys: [keys.other] });
    return {
      bucket,
      raw: s3Client(minio),
      clients: { uploader: as('uploader'), auditor: as('auditor'), outsider: as('outsider'), payroll: as('payroll'), eng: as('eng'), admin: as('admin') },
      rogue,
      keys,
      auditFile,
      ssecKey: randomBytes(32),
    };
  })();
  return world;
}

function auditLines(w: World): Record<string, unknown>[] {
  return readFileSync(w.auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test.after.always(async () => {
  if (world === undefined) return;
  const w = await world;
  await Promise.all([...Object.values(w.clients).map((c) => c.close()), w.rogue.close()]);
  await closeContainer(w.clients.uploader.container).catch(() => undefined);
});

test.serial('an uploader with encrypt only on the invoices key can PUT, but gets AccessDenied on GET and on a copy; an auditor with decrypt reads; MinIO itself holds only ciphertext', async (t) => {
  const w = await setup();
  const body = Buffer.from(`invoice ${randomBytes(8).toString('hex')} `.repeat(100));
  const key = 'invoices/2026-001.pdf';
  const put = await w.clients.uploader.send(new PutObjectCommand({ Bucket: w.bucket, Key: key, Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: w.keys.invoices }));
  t.is(put.ServerSideEncryption, 'aws:kms');
  t.is(await errorCode(w.clients.uploader.send(new GetObjectCommand({ Bucket: w.bucket, Key: key }))), 'AccessDenied');
  t.is(await errorCode(w.clients.uploader.send(new CopyObjectCommand({ Bucket: w.bucket, Key: 'invoices/copy.pdf', CopySource: `${w.bucket}/${key}`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: w.keys.invoices }))), 'AccessDenied');
  // the refused copy wrote nothing
  t.is(await errorCode(w.raw.send(new HeadObjectCommand({ Bucket: w.bucket, Key: 'invoices/copy.pdf' }))), 'NotFound');
  const got = await w.clients.auditor.send(new GetObjectCommand({ Bucket: w.bucket, Key: key }));
  t.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
  const stored = Buffer.from(await (await w.raw.send(new GetObjectCommand({ Bucket: w.bucket, Key: key }))).Body!.transformToByteArray());
  t.false(stored.includes(body.subarray(0, 32)), 'MinIO root credentials read ciphertext only');
  // a write under a key the uploader has no encrypt grant on is refused (the SSE-S3 managed key, here)
  t.is(await errorCode(w.clients.uploader.send(new PutObjectCommand({ Bucket: w.bucket, Key: 'invoices/s3.pdf', Body: body, ServerSideEncryption: 'AES256' }))), 'AccessDenied');
});

test.serial('an encrypt-only uploader uploads in parts (UploadPart and Complete continue the upload: an encrypt use, judged by the SSE conditions its CreateMultipartUpload met); the auditor reads the object; a CreateMultipartUpload under another key is refused by the Deny statement', async (t) => {
  const w = await setup();
  const key = 'invoices/strict/big.bin';
  const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1234)];
  const up = w.clients.uploader;
  const { UploadId } = await up.send(new CreateMultipartUploadCommand({ Bucket: w.bucket, Key: key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: w.keys.invoices }));
  const etags: string[] = [];
  for (const [i, body] of parts.entries()) etags.push((await up.send(new UploadPartCommand({ Bucket: w.bucket, Key: key, UploadId, PartNumber: i + 1, Body: body }))).ETag!);
  await up.send(new CompleteMultipartUploadCommand({ Bucket: w.bucket, Key: key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
  const got = await w.clients.auditor.send(new GetObjectCommand({ Bucket: w.bucket, Key: key }));
  t.true(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts)));
  t.is(await errorCode(up.send(new GetObjectCommand({ Bucket: w.bucket, Key: key }))), 'AccessDenied');
  t.is(await errorCode(w.clients.admin.send(new CreateMultipartUploadCommand({ Bucket: w.bucket, Key: 'invoices/strict/other', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: w.keys.other }))), 'AccessDenied');
  const partEvents = auditLines(w).filter((e) => e['principal'] === 'uploader' && (e['action'] === 'UploadPart' || e['action'] === 'CompleteMultipartUpload'));
  t.true(partEvents.length >= 3 && partEvents.every((e) => e['use'] === 'encrypt' && e['allowed'] === true), 'parts and Complete are audited as encrypt uses');
});

test.serial('a principal without the S3 action gets AccessDenied before any key is used (the audit trail shows the denied action and no key use)', async (t) => {
  const w = await setup();
  const key = 'invoices/outsider.pdf';
  await w.clients.uploader.send(new PutObjectCommand({ Bucket: w.bucket, Key: key, Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: w.keys.invoices }));
  t.is(await errorCode(w.clients.outsider.send(new GetObjectCommand({ Bucket: w.bucket, Key: key }))), 'AccessDenied');
  t.is(await errorCode(w.clients.outsider.send(new ListObjectsV2Command({ Bucket: w.bucket }))), 'AccessDenied');
  const outsider = auditLines(w).filter((e) => e['principal'] === 'outsider');
  t.true(outsider.some((e) => e['action'] === 'GetObject' && e['allowed'] === false && e['key'] === key), 'the denied GET is audited');
  t.false(outsider.some((e) => e['use'] !== undefined), 'no key-use decision was ever made for the outsider');
});

test.serial('read-side key pinning: an object the MinIO administrator plants under another key — well-formed, and unwrappable by the service — is refused', async (t) => {
  const w = await setup();
  const key = 'invoices/planted.pdf';
  // what an administrator with MinIO credentials and some KMS key could write: a real s3seal object, outside any policy
  await w.rogue.send(new PutObjectCommand({ Bucket: w.bucket, Key: key, Body: 'pay to the attacker', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: w.keys.other }));
  const planted = await w.rogue.send(new GetObjectCommand({ Bucket: w.bucket, Key: key }));
  t.is(await planted.Body!.transformToString(), 'pay to the attacker', 'the planted object is well-formed and the keystore unwraps it');
  // the auditor may decrypt only the invoices key
  t.is(await errorCode(w.clients.auditor.send(new GetObjectCommand({ Bucket: w.bucket, Key: key }))), 'AccessDenied');
  // the admin may decrypt every key, but the floor pins invoices/ to the invoices key
  t.is(await errorCode(w.clients.admin.send(new GetObjectCommand({ Bucket: w.bucket, Key: key }))), 'AccessDenied');
  // and the same admin reads the same kind of object where no floor pins the prefix
  await w.rogue.send(new PutObjectCommand({ Bucket: w.bucket, Key: 'elsewhere/planted', Body: 'elsewhere', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: w.keys.other }));
  t.is(await (await w.clients.admin.send(new GetObjectCommand({ Bucket: w.bucket, Key: 'elsewhere/planted' }))).Body!.transformToString(), 'elsewhere');
});

test.serial('a floor: a write under another algorithm or key is refused, and one naming no SSE gets the floor', async (t) => {
  const w = await setup();
  t.is(await errorCode(w.clients.admin.send(new PutObjectCommand({ Bucket: w.bucket, Key: 'invoices/f1', Body: 'x', ServerSideEncryption: 'AES256' }))), 'AccessDenied');
  t.is(await errorCode(w.clients.admin.send(new PutObjectCommand({ Bucket: w.bucket, Key: 'invoices/f2', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: w.keys.other }))), 'AccessDenied');
  t.is(await errorCode(w.clients.admin.send(new PutObjectCommand({ Bucket: w.bucket, Key: 'invoices/f3', Body: 'x', SSECustomerAlgorithm: 'AES256', SSECustomerKey: w.ssecKey.toString('base64') }))), 'AccessDenied');
  const put = await w.clients.admin.send(new PutObjectCommand({ Bucket: w.bucket, Key: 'invoices/f4', Body: 'x' }));
  t.is(put.ServerSideEncryption, 'aws:kms');
  t.truthy(put.SSEKMSKeyId);
  // nothing of the refused writes reached MinIO
  for (const k of ['invoices/f1', 'invoices/f2', 'invoices/f3']) t.is(await errorCode(w.raw.send(new HeadObjectCommand({ Bucket: w.bucket, Key: k }))), 'NotFound');
});

test.serial('context conditions hold in bucket-key mode: a payroll object is readable by the payroll principal only, an engineering one by engineering only', async (t) => {
  const w = await setup();
  const put = (c: SealedS3Client, key: string, dept: string): Promise<unknown> =>
    c.send(
      new PutObjectCommand({
        Bucket: w.bucket,
        Key: key,
        Body: `${dept} data`,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: w.keys.payroll,
        SSEKMSEncryptionContext: Buffer.from(JSON.stringify({ dept })).toString('base64'),
        BucketKeyEnabled: true,
      }),
    );
  await put(w.clients.payroll, 'payroll/p1', 'payroll');
  await put(w.clients.eng, 'payroll/e1', 'eng');
  const read = async (c: SealedS3Client, key: string): Promise<string> => {
    try {
      const got = await c.send(new GetObjectCommand({ Bucket: w.bucket, Key: key }));
      t.true(got.BucketKeyEnabled, 'written in bucket-key mode');
      return await got.Body!.transformToString();
    } catch (err) {
      return (err as Error).name;
    }
  };
  t.is(await read(w.clients.payroll, 'payroll/p1'), 'payroll data');
  t.is(await read(w.clients.eng, 'payroll/p1'), 'AccessDenied');
  t.is(await read(w.clients.eng, 'payroll/e1'), 'eng data');
  t.is(await read(w.clients.payroll, 'payroll/e1'), 'AccessDenied');
  // in bucket-key mode the KMS saw only the bucket ARN: it is s3seal's check on the MACed context that refused
  const denied = auditLines(w).filter((e) => e['principal'] === 'eng' && e['key'] === 'payroll/p1' && e['allowed'] === false);
  t.true(denied.length > 0 && denied.every((e) => e['use'] === 'decrypt'));
});

test.serial('the audit trail: every key-use decision and denied action is one JSON line with principal, action, object, key and reason — and never key material', async (t) => {
  const w = await setup();
  await w.clients.admin.send(new PutObjectCommand({ Bucket: w.bucket, Key: 'ssec/one', Body: 'c', SSECustomerAlgorithm: 'AES256', SSECustomerKey: w.ssecKey.toString('base64') }));
  const text = readFileSync(w.auditFile, 'utf8');
  const lines = auditLines(w);
  t.true(lines.length >= 10);
  for (const e of lines) {
    t.is(e['log'], 's3seal.audit');
    for (const f of ['principal', 'action', 'bucket', 'key', 'allowed', 'reason']) t.true(f in e, `audit line has ${f}`);
  }
  t.true(lines.some((e) => e['use'] === 'encrypt' && e['allowed'] === true && e['principal'] === 'uploader'));
  t.true(lines.some((e) => e['use'] === 'decrypt' && e['allowed'] === true && e['principal'] === 'auditor'));
  t.true(lines.some((e) => e['mode'] === 'SSE-C' && e['key'] === 'ssec/one'));
  for (const secret of [w.ssecKey.toString('base64'), w.ssecKey.toString('hex'), w.ssecKey.toString('base64url')]) t.false(text.includes(secret));
  // nothing that looks like a raw 256-bit key or a KMS ciphertext blob (long base64) is ever written
  t.false(/[A-Za-z0-9+/]{43}=/.test(text), 'no base64 of 32 bytes');
  t.false(/[A-Za-z0-9_-]{43}/.test(text), 'no base64url of 32 bytes');
  t.false(/[0-9a-fA-F]{64}/.test(text), 'no hex of 32 bytes');
  t.false(/[A-Za-z0-9+/=]{100,}/.test(text), 'no long base64 blob');
});

test.serial('the KMS layer separates roles on its own: with a policy document that wrongly lets the uploader decrypt, the uploader’s own OpenBao token (datakey only) still cannot read', async (t) => {
  const minio = service('minio');
  const o = openbao();
  const root = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
  const tag = randomBytes(4).toString('hex');
  const name = `uploads-${tag}`;
  const s3name = `uploads-s3-${tag}`;
  const key = await root.createKey(`${o.mount}/${name}`);
  await root.createKey(`${o.mount}/${s3name}`);
  await root.close();
  const read = { [`${o.mount}/keys/${name}`]: ['read'], [`${o.mount}/keys/${s3name}`]: ['read'] };
  const uploaderToken = await tokenWith({ ...read, [`${o.mount}/datakey/plaintext/${name}`]: ['update'] });
  const bucket = await freshBucket(minio, 'kms-roles');
  const dir = tempDir('kms-roles');
  const policyFile = join(dir, 'policy.json');
  // wrong on purpose: the uploader may decrypt
  writeFileSync(
    policyFile,
    JSON.stringify({
      version: 1,
      principals: { uploader: {} },
      statements: [{ effect: 'Allow', principals: ['uploader'], actions: ['s3:*'], resources: ['*'] }],
      keys: [{ principals: ['uploader'], key: key.keyId, permissions: ['encrypt', 'decrypt'] }],
    }),
  );
  const config = (token: string): S3SealConfigInput => ({
    backend: { endpoint: minio.endpoint, accessKeyId: minio.accessKey!, secretAccessKey: minio.secretKey! },
    keystores: { vault: { address: o.address, allowInsecureHttp: true, auth: { method: 'token', token } } },
    defaultKmsKeystore: 'vault',
    sseS3Key: `vault:${o.mount}/${s3name}`,
    uploadTokenRoot: randomBytes(32).toString('base64'),
    policy: { file: policyFile, watch: false },
    audit: { destination: 'off' },
    bucketEncryption: { reservedBucket: `s3seal-kms-${tag}` },
  });
  const uploader = createSealedS3Client(config(uploaderToken), { s3seal: { principal: 'uploader' } });
  const withRoot = createSealedS3Client(config(o.rootToken), { s3seal: { principal: 'uploader' } });
  try {
    await uploader.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'secret', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.keyId }));
    t.is(await errorCode(uploader.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }))), 'AccessDenied', 'refused by OpenBao, although the policy document allows it');
    // the same document with a token that may decrypt: the policy layer alone allowed it
    t.is(await (await withRoot.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }))).Body!.transformToString(), 'secret');
  } finally {
    await Promise.all([uploader.close(), withRoot.close()]);
  }
});
