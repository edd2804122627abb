/**
 * The door contract through the SDK v3 plugin against MinIO, keys in the file keystore; then what
 * only the SDK door has (its secure-transport flag; the SDK's own body framings end to end).
 */
import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3ServiceException, type PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Container } from 'inversify';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { closeContainer, createContainer, createSealedS3Client, getS3SealPlugin } from '../../src/index.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';
import { doorContract } from './door-contract.js';
import { sdkDoor } from './sdk-door-fixture.js';

doorContract(test, 'sdk-v3 door · MinIO · file keystore', () => sdkDoor('file', 'minio'));

// ── what only the SDK door has: its transport flag, and the SDK's own body framings end to end ──

async function soloDoor(t: ExecutionContext): Promise<{ container: Container; bucket: string; raw: S3Client }> {
  const m = service('minio');
  const path = join(tempDir('sdk-door-solo'), 'keys.json');
  await new FileKeystore({ path, create: true }).createKey('s3-default');
  const container = createContainer({ backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! }, keystores: { file: { path } }, uploadTokenRoot: randomBytes(32).toString('base64') });
  const raw = s3Client(m);
  t.teardown(async () => {
    raw.destroy();
    await closeContainer(container);
  });
  return { container, bucket: await freshBucket(m, 'sdk-solo'), raw };
}

test('sdk-v3 door: SSE-C is refused (InvalidRequest 400, nothing stored) by a client marked insecure on an http:// endpoint, accepted on https://', async (t) => {
  const { container, bucket, raw } = await soloDoor(t);
  const key = randomBytes(32);
  const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64') };
  const insecure = createSealedS3Client(container, { endpoint: 'http://s3seal.invalid', s3seal: { secureTransport: false } });
  const tls = createSealedS3Client(container, { endpoint: 'https://s3seal.invalid', s3seal: { secureTransport: false } });
  t.teardown(() => {
    insecure.destroy();
    tls.destroy();
  });
  const err = await t.throwsAsync(insecure.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', ...ssec })), { instanceOf: S3ServiceException });
  t.is(err?.name, 'InvalidRequest');
  t.is(err?.$metadata.httpStatusCode, 400);
  const missing = await t.throwsAsync(raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' })), { instanceOf: S3ServiceException });
  t.is(missing?.$metadata.httpStatusCode, 404, 'nothing stored');
  // SSE-S3 over the same client is fine: only the key must not cross an insecure hop
  await insecure.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain', Body: 'x' }));
  const put = await tls.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', ...ssec }));
  t.is(put.SSECustomerKeyMD5, createHash('md5').update(key).digest('base64'));
});

test("sdk-v3 door: the SDK's default body framings reach the core and round-trip — stream bodies aws-chunked with a CRC32 trailer, ChecksumAlgorithm SHA256 and CRC32C, Content-MD5; GetObject's checksum mode works unchanged; a PutObject stream of unknown length is refused as on S3 and stores nothing", async (t) => {
  const { container, bucket, raw } = await soloDoor(t);
  const s3 = createSealedS3Client(container);
  t.teardown(() => s3.destroy());
  const body = randomBytes(200_003);
  const chunks = (): Readable => Readable.from([body.subarray(0, 70_000), body.subarray(70_000, 150_000), body.subarray(150_000)]);
  const puts: [string, PutObjectCommandInput][] = [
    ['stream, ContentLength', { Bucket: bucket, Key: 's2', Body: chunks(), ContentLength: body.length }],
    ['buffer, SHA256', { Bucket: bucket, Key: 's3', Body: body, ChecksumAlgorithm: 'SHA256' }],
    ['stream, CRC32C', { Bucket: bucket, Key: 's4', Body: chunks(), ChecksumAlgorithm: 'CRC32C', ContentLength: body.length }],
    ['buffer, Content-MD5', { Bucket: bucket, Key: 's5', Body: body, ContentMD5: createHash('md5').update(body).digest('base64') }],
  ];
  for (const [name, input] of puts) {
    await s3.send(new PutObjectCommand(input));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: input.Key! }));
    t.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body, name);
    t.is(got.ContentLength, body.length, name);
  }
  // S3 needs the length of a PutObject body (a stream of unknown length goes up with lib-storage,
  // see the contract): the SDK sends it aws-chunked without x-amz-decoded-content-length
  const unknown = await t.throwsAsync(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 's1', Body: chunks() })), { instanceOf: S3ServiceException });
  t.true((unknown?.$metadata.httpStatusCode ?? 0) >= 400 && (unknown?.$metadata.httpStatusCode ?? 0) < 500, 'a client error');
  const none = await t.throwsAsync(raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 's1' })), { instanceOf: S3ServiceException });
  t.is(none?.$metadata.httpStatusCode, 404, 'nothing stored');
});

test("sdk-v3 door: the caller's client never reaches its own endpoint — with an unreachable endpoint and credentials MinIO does not know, the plugin still serves every request through the container's client", async (t) => {
  const { container, bucket } = await soloDoor(t);
  const s3 = new S3Client({ region: 'eu-central-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: { accessKeyId: 'nobody', secretAccessKey: 'nothing' }, maxAttempts: 1 });
  s3.middlewareStack.use(getS3SealPlugin(container, { principal: 'svc' }));
  t.teardown(() => s3.destroy());
  const body = randomBytes(4096);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: body }));
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
  t.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
});

test('sdk-v3 door: lib-storage Upload.abort() stops an upload in flight (AbortError) and no object appears', async (t) => {
  const { container, bucket, raw } = await soloDoor(t);
  const s3 = createSealedS3Client(container);
  t.teardown(() => s3.destroy());
  let produced = 0;
  // an endless caller stream: only the abort can end this upload
  const stream = new Readable({
    read() {
      produced += 1024 * 1024;
      setTimeout(() => this.push(randomBytes(1024 * 1024)), 5);
    },
  });
  const up = new Upload({ client: s3, params: { Bucket: bucket, Key: 'aborted', Body: stream }, partSize: 5 * 1024 * 1024, queueSize: 2 });
  const done = up.done();
  await new Promise((r) => setTimeout(r, 400));
  await up.abort();
  const err = await t.throwsAsync(done);
  t.is(err?.name, 'AbortError');
  t.true(produced > 0);
  const missing = await t.throwsAsync(raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'aborted' })), { instanceOf: S3ServiceException });
  t.is(missing?.$metadata.httpStatusCode, 404, 'no object');
});

test('sdk-v3 door: object keys with spaces, unicode, ?, #, %, + and slashes are stored under exactly that name, path-style and virtual-hosted', async (t) => {
  const { container, bucket, raw } = await soloDoor(t);
  const pathStyle = createSealedS3Client(container);
  const virtual = createSealedS3Client(container, { endpoint: 'https://s3.example.test', forcePathStyle: false });
  t.teardown(() => {
    pathStyle.destroy();
    virtual.destroy();
  });
  // (MinIO itself refuses empty path segments, "a//b", as XMinioInvalidObjectName)
  const keys = ['a b/c d.txt', 'ünï/cødé/ß', 'q?x=1&y=2', 'hash#frag', 'pct%2Fnot-a-slash', 'plus+sign', 'dir/', 'semi;colon,comma', `${bucket}/same-as-bucket`];
  for (const [name, s3] of [['path-style', pathStyle], ['virtual-hosted', virtual]] as const) {
    for (const key of keys) {
      const body = randomBytes(100);
      const k = `${name}/${key}`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: body }));
      const stored = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: k }));
      t.truthy(stored.Metadata?.['s3seal'], `${name} ${JSON.stringify(key)}: MinIO has the sealed object under exactly this key`);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: k }));
      t.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body, `${name} ${JSON.stringify(key)}`);
    }
  }
});
