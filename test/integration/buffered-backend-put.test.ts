/**
 * Bodies of up to 16 MiB are sealed whole before the backend request (BUFFERED_SEND_PLAINTEXT in
 * sealed-objects.ts; from 1 MiB on the sealing worker): MinIO receives them with Content-Length
 * and an x-amz-checksum-crc32 header, not aws-chunked over transfer-encoding: chunked — small ones
 * with their SHA-256 signed, worker-sealed ones (single PUTs and parts) as UNSIGNED-PAYLOAD, as
 * they went when they streamed; larger bodies still stream. No backend request asks for
 * `expect: 100-continue`. A body whose caller checksum does not match stores nothing and sends the
 * backend nothing.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { BUFFERED_SEND_LIMIT, BUFFERED_SEND_PLAINTEXT } from '../../src/engine/sealed-objects.js';
import { singlePartCiphertextSize } from '../../src/engine/size-math.js';
import { closeContainer, createContainer, createSealedS3Client } from '../../src/index.js';
import { RecordingProxy, operationOf, type SeenRequest } from '../helpers/recording-proxy.js';
import { freshBucket, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

const MiB = 1024 * 1024;

async function setup(t: { teardown(fn: () => Promise<void>): void }) {
  const m = service('minio');
  const proxy = new RecordingProxy(new URL(m.endpoint));
  const endpoint = await proxy.start();
  const keyPath = join(tempDir('buffered-put'), 'keys.json');
  await new FileKeystore({ path: keyPath, create: true }).createKey('s3-default');
  const container = createContainer({ backend: { endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! }, keystores: { file: { path: keyPath } }, uploadTokenRoot: randomBytes(32).toString('base64') });
  const client = createSealedS3Client(container);
  const bucket = await freshBucket(m, 'buffered');
  t.teardown(async () => {
    client.destroy();
    await closeContainer(container);
    await proxy.stop();
  });
  return { proxy, client, bucket };
}

const puts = (rs: readonly SeenRequest[]): SeenRequest[] => rs.filter((r) => operationOf(r) === 'PutObject');

test('a 4 KiB PutObject (buffer or stream body) reaches MinIO with Content-Length and a CRC32 header, no aws-chunked framing, and reads back', async (t) => {
  const { proxy, client, bucket } = await setup(t);
  const body = randomBytes(4096);
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'buf', Body: body, ServerSideEncryption: 'AES256' }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'stream', Body: Readable.from([body]), ContentLength: body.length, ServerSideEncryption: 'AES256' }));
  const sent = puts(proxy.requests);
  t.is(sent.length, 2);
  for (const r of sent) {
    t.is(r.headers['content-length'], String(singlePartCiphertextSize(body.length)));
    t.truthy(r.headers['x-amz-checksum-crc32']);
    t.is(r.headers['content-encoding'], undefined);
    t.is(r.headers['transfer-encoding'], undefined);
    t.is(r.headers['x-amz-trailer'], undefined);
    t.is(r.headers['expect'], undefined);
  }
  for (const Key of ['buf', 'stream']) {
    const got = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToByteArray());
    t.true(got.equals(body), Key);
  }
});

test('bodies sealed on the worker (a 2 MiB PutObject, lib-storage parts of 8 MiB and the 1 MiB + 5 last one) reach MinIO with Content-Length, a CRC32 header and UNSIGNED-PAYLOAD, and read back; a 4 KiB PutObject keeps its signed SHA-256', async (t) => {
  const { proxy, client, bucket } = await setup(t);
  const small = randomBytes(4096);
  const two = randomBytes(2 * MiB);
  const big = randomBytes(17 * MiB + 5);
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'small', Body: small, ServerSideEncryption: 'AES256' }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'two', Body: two, ServerSideEncryption: 'AES256' }));
  await new Upload({ client, params: { Bucket: bucket, Key: 'mp', Body: big, ServerSideEncryption: 'AES256' }, partSize: 8 * MiB, queueSize: 2 }).done();
  const [smallPut, twoPut] = puts(proxy.requests);
  t.regex(String(smallPut?.headers['x-amz-content-sha256']), /^[0-9a-f]{64}$/);
  const parts = proxy.requests.filter((r) => operationOf(r) === 'UploadPart');
  t.is(parts.length, 3);
  for (const r of [twoPut, ...parts]) {
    t.truthy(r?.headers['content-length']);
    t.truthy(r?.headers['x-amz-checksum-crc32']);
    t.is(r?.headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
    t.is(r?.headers['content-encoding'], undefined);
    t.is(r?.headers['transfer-encoding'], undefined);
    t.is(r?.headers['expect'], undefined);
  }
  for (const [Key, body] of [['small', small], ['two', two], ['mp', big]] as const) {
    const got = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToByteArray());
    t.true(got.equals(body), Key);
  }
});

test('a body over the buffered limit still streams (aws-chunked with a CRC32 trailer), without expect: 100-continue', async (t) => {
  const { proxy, client, bucket } = await setup(t);
  t.true(singlePartCiphertextSize(BUFFERED_SEND_PLAINTEXT + 1) > BUFFERED_SEND_LIMIT);
  const body = randomBytes(BUFFERED_SEND_PLAINTEXT + 1);
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'big', Body: body, ServerSideEncryption: 'AES256' }));
  const [r] = puts(proxy.requests);
  t.is(r?.headers['content-encoding'], 'aws-chunked');
  t.is(r?.headers['x-amz-trailer'], 'x-amz-checksum-crc32');
  t.is(r?.headers['expect'], undefined);
  const got = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'big' }))).Body!.transformToByteArray());
  t.true(got.equals(body));
});

test('a small PutObject whose checksum does not match is BadDigest: MinIO receives no PutObject and the key stays absent', async (t) => {
  const { proxy, client, bucket } = await setup(t);
  const body = randomBytes(4096);
  const wrong = Buffer.alloc(4, 7).toString('base64');
  const err = await t.throwsAsync(client.send(new PutObjectCommand({ Bucket: bucket, Key: 'bad', Body: body, ChecksumCRC32: wrong, ServerSideEncryption: 'AES256' })));
  t.is(err?.name, 'BadDigest');
  t.deepEqual(puts(proxy.requests), []);
  const head = await t.throwsAsync(client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'bad' })));
  t.is((head as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode, 404);
});
