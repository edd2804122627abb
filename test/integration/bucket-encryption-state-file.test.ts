/**
 * The bucket-encryption state file (config `bucketEncryption.stateFile`), through the SDK plugin on
 * real MinIO: an instance started after a rollback or after the reserved bucket was deleted — with
 * no memory of the newer version — still fails closed when it has the state file; without one it
 * cannot tell (the documented limit, shown here so the limit is a tested fact).
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutBucketEncryptionCommand, PutObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { createSealedS3Client } from '../../src/index.js';
import type { S3SealConfigInput } from '../../src/container/config.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

async function errorOf(p: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await p;
    return { name: 'no error' };
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, ...(e.$metadata?.httpStatusCode !== undefined ? { status: e.$metadata.httpStatusCode } : {}) };
  }
}

test('with a state file, a restarted instance refuses a rolled-back document and a deleted reserved bucket; without one, it cannot tell', async (t) => {
  const minio = service('minio');
  const raw = s3Client(minio);
  const dir = tempDir('bde-state');
  const keyPath = join(dir, 'keys.json');
  const ks = new FileKeystore({ path: keyPath, create: true });
  await ks.createKey('s3-default');
  const kms = await ks.createKey('state-kms');
  const reserved = `s3seal-state-${randomBytes(4).toString('hex')}`;
  const stateFile = join(dir, 'state', 'bucket-encryption.json');
  const base: S3SealConfigInput = {
    backend: { endpoint: minio.endpoint, accessKeyId: minio.accessKey!, secretAccessKey: minio.secretKey! },
    keystores: { file: { path: keyPath } },
    defaultKmsKeystore: 'file',
    readKeys: [kms.keyId],
    uploadTokenRoot: randomBytes(32).toString('base64'),
  };
  const withState: S3SealConfigInput = { ...base, bucketEncryption: { reservedBucket: reserved, ttlMs: 100, stateFile } };
  const without: S3SealConfigInput = { ...base, bucketEncryption: { reservedBucket: reserved, ttlMs: 100 } };
  const bucket = await freshBucket(minio, 'state');
  const rule = (alg: 'AES256' | 'aws:kms') => ({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: alg, ...(alg === 'aws:kms' ? { KMSMasterKeyID: kms.keyId } : {}) } }] } });

  const first = createSealedS3Client(withState);
  await first.send(new PutBucketEncryptionCommand(rule('AES256')));
  const docKey = (await raw.send(new ListObjectsV2Command({ Bucket: reserved }))).Contents![0]!.Key!;
  const older = await (await raw.send(new GetObjectCommand({ Bucket: reserved, Key: docKey }))).Body!.transformToString();
  await first.send(new PutBucketEncryptionCommand(rule('aws:kms')));
  const current = await (await raw.send(new GetObjectCommand({ Bucket: reserved, Key: docKey }))).Body!.transformToString();
  await first.close();
  t.is(statSync(stateFile).mode & 0o777, 0o600);
  t.false(readFileSync(stateFile, 'utf8').includes(base.uploadTokenRoot!), 'the state file holds no secret');

  // the administrator puts the older, validly MACed document back while every instance is down
  await raw.send(new PutObjectCommand({ Bucket: reserved, Key: docKey, Body: older }));
  const restarted = createSealedS3Client(withState);
  const amnesiac = createSealedS3Client(without);
  try {
    const refused = await errorOf(restarted.send(new PutObjectCommand({ Bucket: bucket, Key: 'r1', Body: 'x' })));
    t.is(refused.status, 503, 'the restarted instance with the state file refuses the rolled-back document');
    t.is((await errorOf(raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'r1' })))).name, 'NotFound');
    t.is((await amnesiac.send(new PutObjectCommand({ Bucket: bucket, Key: 'r2', Body: 'x' }))).ServerSideEncryption, 'AES256', 'without it the older default applies (documented limit)');
    // the whole reserved bucket deleted
    await raw.send(new PutObjectCommand({ Bucket: reserved, Key: docKey, Body: current }));
    await raw.send(new DeleteObjectCommand({ Bucket: reserved, Key: docKey }));
    await raw.send(new DeleteBucketCommand({ Bucket: reserved }));
  } finally {
    await Promise.all([restarted.close(), amnesiac.close()]);
  }
  const again = createSealedS3Client(withState);
  const fresh = createSealedS3Client(without);
  try {
    t.is((await errorOf(again.send(new PutObjectCommand({ Bucket: bucket, Key: 'r3', Body: 'x' })))).status, 503, 'a deleted reserved bucket is refused too');
    t.is((await fresh.send(new PutObjectCommand({ Bucket: bucket, Key: 'r4', Body: 'x' }))).ServerSideEncryption, 'AES256', 'without the state file it reads as no configuration (documented limit)');
  } finally {
    await Promise.all([again.close(), fresh.close()]);
  }
});
