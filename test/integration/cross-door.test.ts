/**
 * The minio wrapper and the SDK plugin are two doors to the same objects (issue 9 acceptance):
 * an object written through one reads identically through the other — bytes, plaintext size,
 * ETag, content type, user metadata, the SSE echo — in each mode (SSE-S3, SSE-KMS, SSE-KMS with a
 * bucket key, SSE-C), single-part and multipart, each door with its own container from one
 * configuration (two services sharing a deployment).
 */
import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { createSealedMinioClient, createSealedS3Client, sseCustomerKeyHeaders, sseCustomerKeyTriple, type SealedMinioClient, type SealedS3Client } from '../../src/index.js';
import { sealedMinioSetup, type SealedMinioSetup } from '../helpers/sealed-minio-setup.js';

const MiB = 1024 * 1024;
type Mode = 'SSE-S3' | 'SSE-KMS' | 'SSE-KMS-bucket-key' | 'SSE-C';
const MODES: readonly Mode[] = ['SSE-S3', 'SSE-KMS', 'SSE-KMS-bucket-key', 'SSE-C'];

interface Doors {
  s: SealedMinioSetup;
  sdk: SealedS3Client;
  mc: SealedMinioClient;
}
let doors: Promise<Doors> | undefined;
const both = (): Promise<Doors> =>
  (doors ??= sealedMinioSetup().then((s) => ({ s, sdk: createSealedS3Client(s.config), mc: createSealedMinioClient(s.config) })));
test.after.always(async () => {
  if (!doors) return;
  const d = await doors;
  await d.sdk.close();
  await d.mc.close();
  await d.s.close();
});

interface ModeParams {
  sdkWrite: Record<string, unknown>;
  sdkRead: Record<string, unknown>;
  minioMeta: Record<string, string>;
  minioRead: Record<string, string> | undefined;
  echo: { sse: string | undefined; kmsKey?: string; bucketKey?: boolean; keyMd5?: string };
}

function params(mode: Mode, kmsKey: string): ModeParams {
  switch (mode) {
    case 'SSE-S3':
      return { sdkWrite: { ServerSideEncryption: 'AES256' }, sdkRead: {}, minioMeta: { 'X-Amz-Server-Side-Encryption': 'AES256' }, minioRead: undefined, echo: { sse: 'AES256' } };
    case 'SSE-KMS':
    case 'SSE-KMS-bucket-key': {
      const bk = mode === 'SSE-KMS-bucket-key';
      return {
        sdkWrite: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey, ...(bk ? { BucketKeyEnabled: true } : {}) },
        sdkRead: {},
        minioMeta: { 'X-Amz-Server-Side-Encryption': 'aws:kms', 'X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id': kmsKey, ...(bk ? { 'X-Amz-Server-Side-Encryption-Bucket-Key-Enabled': 'true' } : {}) },
        minioRead: undefined,
        echo: { sse: 'aws:kms', kmsKey, ...(bk ? { bucketKey: true } : {}) },
      };
    }
    case 'SSE-C': {
      const key = randomBytes(32);
      const triple = sseCustomerKeyTriple(key);
      return {
        sdkWrite: { SSECustomerAlgorithm: 'AES256', SSECustomerKey: triple.SSECustomerKey },
        sdkRead: { SSECustomerAlgorithm: 'AES256', SSECustomerKey: triple.SSECustomerKey },
        minioMeta: sseCustomerKeyHeaders(key),
        minioRead: { ...triple },
        echo: { sse: undefined, keyMd5: createHash('md5').update(key).digest('base64') },
      };
    }
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** both doors' view of bucket/key: the same bytes, size, ETag, content headers, metadata and SSE echo */
async function assertSameThroughBoth(t: ExecutionContext, d: Doors, bucket: string, key: string, body: Buffer, p: ModeParams, what: string): Promise<void> {
  const viaSdk = await d.sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...p.sdkRead }));
  t.true(Buffer.from(await viaSdk.Body!.transformToByteArray()).equals(body), `${what}: the SDK plugin reads the plaintext`);
  const head = await d.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...p.sdkRead }));
  t.true((await readAll(await d.mc.getObject(bucket, key, p.minioRead))).equals(body), `${what}: the minio wrapper reads the plaintext`);
  const stat = await d.mc.statObject(bucket, key, p.minioRead);
  t.is(head.ContentLength, body.length, `${what}: SDK plaintext size`);
  t.is(stat.size, body.length, `${what}: minio plaintext size`);
  t.is(head.ETag, `"${stat.etag}"`, `${what}: one ETag through both doors`);
  t.is(head.ContentType, 'application/x-cross', `${what}: SDK content type`);
  t.is(stat.metaData['content-type'], 'application/x-cross', `${what}: minio content type`);
  t.deepEqual(head.Metadata, { door: 'x' }, `${what}: SDK metadata`);
  t.is(stat.metaData['door'], 'x', `${what}: minio metadata`);
  t.is<string | undefined, string | undefined>(head.ServerSideEncryption, p.echo.sse, `${what}: SDK SSE echo`);
  t.is(stat.metaData['x-amz-server-side-encryption'], p.echo.sse, `${what}: minio SSE echo`);
  t.is(head.SSEKMSKeyId, p.echo.kmsKey);
  t.is(stat.metaData['x-amz-server-side-encryption-aws-kms-key-id'], p.echo.kmsKey);
  t.is(head.BucketKeyEnabled, p.echo.bucketKey);
  t.is(head.SSECustomerKeyMD5, p.echo.keyMd5);
  t.is(stat.metaData['x-amz-server-side-encryption-customer-key-md5'], p.echo.keyMd5);
  // a range across the first part boundary (5 MiB) and chunk boundaries, through both doors
  const [first, last] = [Math.max(0, 5 * MiB - 70_000), Math.min(body.length - 1, 5 * MiB + 70_000)];
  const r = await d.sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${first}-${last}`, ...p.sdkRead }));
  t.true(Buffer.from(await r.Body!.transformToByteArray()).equals(body.subarray(first, last + 1)), `${what}: SDK range`);
  t.true((await readAll(await d.mc.getPartialObject(bucket, key, first, last - first + 1, p.minioRead))).equals(body.subarray(first, last + 1)), `${what}: minio range`);
}

for (const mode of MODES) {
  test(`cross-door · ${mode}: written through the SDK plugin (PutObject; multipart of 5 MiB + 1 MiB + 7) reads identically through the minio wrapper, and written through the minio wrapper (putObject; multipart of 16 + 4 MiB) through the SDK plugin`, async (t) => {
    const d = await both();
    const bucket = await d.s.freshBucket('cross-door');
    const p = params(mode, d.s.kmsKey);
    const content = { ContentType: 'application/x-cross', Metadata: { door: 'x' } };

    const single = randomBytes(5 * MiB + 300_001);
    await d.sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'sdk-single', Body: single, ...content, ...p.sdkWrite }));
    await assertSameThroughBoth(t, d, bucket, 'sdk-single', single, p, 'SDK single-part');

    const parts = [randomBytes(5 * MiB), randomBytes(MiB + 7)];
    const { UploadId } = await d.sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'sdk-multipart', ...content, ...p.sdkWrite }));
    const etags: string[] = [];
    for (const [i, part] of parts.entries()) etags.push((await d.sdk.send(new UploadPartCommand({ Bucket: bucket, Key: 'sdk-multipart', UploadId, PartNumber: i + 1, Body: part, ...p.sdkRead }))).ETag!);
    await d.sdk.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'sdk-multipart', UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) }, ...p.sdkRead }));
    await assertSameThroughBoth(t, d, bucket, 'sdk-multipart', Buffer.concat(parts), p, 'SDK multipart');

    const meta = { 'Content-Type': 'application/x-cross', door: 'x', ...p.minioMeta };
    await d.mc.putObject(bucket, 'minio-single', single, single.length, meta);
    await assertSameThroughBoth(t, d, bucket, 'minio-single', single, p, 'minio single-part');
    const big = randomBytes(20 * MiB);
    await d.mc.putObject(bucket, 'minio-multipart', big, big.length, meta);
    const raw = await d.s.raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'minio-multipart', PartNumber: 1 }));
    t.is(raw.PartsCount, 2, 'minio multipart: two parts at the object server');
    await assertSameThroughBoth(t, d, bucket, 'minio-multipart', big, p, 'minio multipart');
  });
}
