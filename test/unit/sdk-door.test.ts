/**
 * The SDK v3 door (issue 7 item 7) over a fake S3 core (unit level: the core is tested on its own
 * and, through this door, against real servers in test/contract/sdk-door-*.test.ts). A real
 * S3Client carries the door: what the core receives is the SDK's final signed request converted to
 * an S3Request; what it answers comes back through the SDK's own deserializer; presigning refuses.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { sdkDoor, type S3RequestHandler } from '../../src/adapters/sdk-v3/sdk-door-middleware.js';
import { resolvePluginOptions, type S3SealPluginOptions } from '../../src/adapters/sdk-v3/sdk-door-options.js';
import { requestBody } from '../../src/adapters/sdk-v3/request-body.js';
import { PresignUnsupportedError } from '../../src/adapters/sdk-v3/presign-unsupported-error.js';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import type { S3Response } from '../../src/adapters/s3/s3-response.js';
import { S3SealError, SealError } from '../../src/errors.js';

interface Seen {
  req: S3Request;
  body: Buffer | undefined;
}

/** a fake core that records each request (body read whole) and answers `answer` */
function fakeCore(answer: (req: S3Request) => S3Response = () => ({ status: 200, headers: { etag: '"e"' } })): S3RequestHandler & { seen: Seen[] } {
  const seen: Seen[] = [];
  return {
    seen,
    handle: async (req) => {
      seen.push({ req, body: req.body ? await buffer(req.body) : undefined });
      return answer(req);
    },
  };
}

function client(core: S3RequestHandler, cfg: S3ClientConfig = {}, opts: S3SealPluginOptions = {}): S3Client {
  const c = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1, ...cfg });
  c.middlewareStack.use(sdkDoor(() => core, resolvePluginOptions(opts)));
  return c;
}

const crc32 = (b: Buffer): string => {
  let c = ~0;
  for (const x of b) {
    c ^= x;
    for (let i = 0; i < 8; i++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE(~c >>> 0);
  return out.toString('base64');
};

test('a buffered PutObject reaches the core as the S3Request of the signed wire request: method, bucket, decoded key, lower-case headers, body, CRC32 header', async (t) => {
  const core = fakeCore();
  const s3 = client(core);
  const body = randomBytes(1000);
  const key = 'photos/ä b?c#d%2F';
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: body, ContentType: 'image/png', Metadata: { Owner: 'x' }, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/k' }));
  s3.destroy();
  const { req, body: got } = core.seen[0]!;
  t.is(req.method, 'PUT');
  t.is(req.bucket, 'bkt');
  t.is(req.key, key);
  t.deepEqual(got, body);
  t.is(req.headers['content-type'], 'image/png');
  t.is(req.headers['content-length'], '1000');
  t.is(req.headers['x-amz-meta-owner'], 'x');
  t.is(req.headers['x-amz-server-side-encryption'], 'aws:kms');
  t.is(req.headers['x-amz-server-side-encryption-aws-kms-key-id'], 'alias/k');
  t.is(req.headers['x-amz-checksum-crc32'], crc32(body), "the SDK's default flexible checksum");
  t.regex(req.headers['authorization'] ?? '', /^AWS4-HMAC-SHA256 /, 'signed');
  t.true(Object.keys(req.headers).every((h) => h === h.toLowerCase()));
  t.is(req.principal, 'process');
  t.true(req.secureTransport, 'the in-process hop counts as secure by default even on an http:// endpoint');
});

test('a stream PutObject of unknown length reaches the core aws-chunked with a CRC32 trailer, as the SDK frames it', async (t) => {
  const core = fakeCore();
  const s3 = client(core);
  const body = randomBytes(70_000);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: Readable.from([body.subarray(0, 30_000), body.subarray(30_000)]) }));
  s3.destroy();
  const { req, body: wire } = core.seen[0]!;
  t.is(req.headers['content-encoding'], 'aws-chunked');
  t.is(req.headers['x-amz-content-sha256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
  t.is(req.headers['x-amz-trailer'], 'x-amz-checksum-crc32');
  const text = wire!.toString('latin1');
  t.true(text.includes(`x-amz-checksum-crc32:${crc32(body)}`), 'the trailer carries the plaintext CRC32');
  t.true(wire!.includes(body.subarray(0, 30_000)), 'the framed payload is passed through unread');
});

test('bodies of every type the SDK passes down arrive as the same bytes (string, Uint8Array view, empty)', async (t) => {
  const core = fakeCore();
  const s3 = client(core);
  const bytes = Buffer.from('héllo wörld');
  const backing = new Uint8Array(64);
  backing.set(bytes, 10);
  const bodies: [string, PutObjectCommand['input']['Body']][] = [
    ['string', bytes.toString('utf8')],
    ['Uint8Array view', backing.subarray(10, 10 + bytes.length)],
    ['empty', Buffer.alloc(0)],
  ];
  for (const [name, Body] of bodies) await s3.send(new PutObjectCommand({ Bucket: 'b', Key: name, Body }));
  s3.destroy();
  for (const [i, [name]] of bodies.entries()) {
    const seen = core.seen[i]!;
    let got = seen.body!;
    if (seen.req.headers['content-encoding'] === 'aws-chunked') got = Buffer.from(got.toString('latin1').split('\r\n')[1]!, 'latin1');
    t.deepEqual(got, name === 'empty' ? Buffer.alloc(0) : bytes, name);
  }
});

test('requestBody: web streams, Blobs and async iterables (which a middleware may leave there) are read as bytes; anything else is a typed error', async (t) => {
  const bytes = Buffer.from('héllo');
  t.deepEqual(await buffer(requestBody(new Blob([bytes]))!), bytes);
  t.deepEqual(await buffer(requestBody(new Blob([bytes]).stream())!), bytes);
  t.deepEqual(await buffer(requestBody((async function* () { yield bytes.subarray(0, 2); yield bytes.subarray(2); })())!), bytes);
  t.is(requestBody(undefined), undefined);
  t.is(requestBody(null), undefined);
  const err = t.throws(() => requestBody(42), { instanceOf: SealError });
  t.is(err?.code, 'InvalidRequest');
});

test('query parameters arrive decoded; a parameter without a value is ""; virtual-hosted clients are parsed from the host', async (t) => {
  const core = fakeCore(() => ({ status: 200, headers: { 'content-type': 'application/xml' }, body: Buffer.from('<?xml version="1.0"?><ListBucketResult><Name>b</Name><KeyCount>0</KeyCount></ListBucketResult>') }));
  const s3 = client(core, { endpoint: 'https://minio.local:9000', forcePathStyle: false });
  await s3.send(new ListObjectsV2Command({ Bucket: 'photos', Prefix: 'a b/ü', Delimiter: '/' }));
  await s3.send(new UploadPartCommand({ Bucket: 'photos', Key: 'dir/x y', UploadId: 'tok+/=', PartNumber: 3, Body: Buffer.from('p') }));
  await s3.send(new ListBucketsCommand({}));
  await s3.send(new DeleteObjectsCommand({ Bucket: 'photos', Delete: { Objects: [{ Key: 'a' }] } }));
  s3.destroy();
  const [list, part, buckets, del] = core.seen.map((s) => s.req);
  t.is(del!.query['delete'], '', '?delete has no value');
  t.is(del!.method, 'POST');
  t.is(list!.bucket, 'photos');
  t.is(list!.key, undefined);
  t.like(list!.query, { 'list-type': '2', prefix: 'a b/ü', delimiter: '/' });
  t.like(part!, { bucket: 'photos', key: 'dir/x y', method: 'PUT' });
  t.like(part!.query, { uploadId: 'tok+/=', partNumber: '3' });
  t.is(buckets!.bucket, undefined);
  t.true(list!.secureTransport);
});

test('secureTransport: overridable to false, and then true only for an https:// endpoint; the principal is the one the caller names', async (t) => {
  const core = fakeCore();
  const plain = client(core, {}, { secureTransport: false, principal: 'svc-photos' });
  const tls = client(core, { endpoint: 'https://127.0.0.1:9' }, { secureTransport: false });
  await plain.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }));
  await tls.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }));
  plain.destroy();
  tls.destroy();
  t.like(core.seen[0]!.req, { secureTransport: false, principal: 'svc-photos' });
  t.like(core.seen[1]!.req, { secureTransport: true, principal: 'process' });
  t.throws(() => resolvePluginOptions({ principal: '' }), { instanceOf: TypeError });
});

test("the core's response is deserialized by the SDK: body, SSE echo headers, ETag, metadata; x-amz-checksum-mode is sent and the plaintext CRC32 returned is validated", async (t) => {
  const body = randomBytes(5000);
  const core = fakeCore((req) => ({
    status: 200,
    headers: {
      etag: '"abc"',
      'content-length': String(body.length),
      'content-type': 'image/png',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:1:key/k',
      'x-amz-server-side-encryption-bucket-key-enabled': 'true',
      'x-amz-meta-owner': 'x',
      ...(req.headers['x-amz-checksum-mode'] === 'ENABLED' ? { 'x-amz-checksum-crc32': crc32(body) } : {}),
    },
    body: Readable.from([body]),
  }));
  const s3 = client(core);
  const out = await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
  t.deepEqual(Buffer.from(await out.Body!.transformToByteArray()), body);
  t.is(out.ETag, '"abc"');
  t.is(out.ServerSideEncryption, 'aws:kms');
  t.is(out.SSEKMSKeyId, 'arn:aws:kms:us-east-1:1:key/k');
  t.is(out.BucketKeyEnabled, true);
  t.deepEqual(out.Metadata, { owner: 'x' });
  t.is(out.ChecksumCRC32, crc32(body));
  t.is(out.$metadata.httpStatusCode, 200);
  t.is(core.seen[0]!.req.headers['x-amz-checksum-mode'], 'ENABLED', 'SDK v3 sends checksum mode on every GetObject');
  s3.destroy();
});

test('a wrong plaintext checksum in the response fails in the SDK (its response validation runs on what the door returns)', async (t) => {
  const core = fakeCore(() => ({ status: 200, headers: { 'content-length': '3', 'x-amz-checksum-crc32': crc32(Buffer.from('xyz')) }, body: Readable.from([Buffer.from('abc')]) }));
  const s3 = client(core);
  const out = await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
  await t.throwsAsync(out.Body!.transformToByteArray(), { message: /Checksum mismatch/ });
  s3.destroy();
});

test('error responses become the SDK errors S3 would give: code, message, status; a HEAD error has no body and still carries its status', async (t) => {
  const xml = (code: string, msg: string): Buffer => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${msg}</Message><Resource>/b/k</Resource><RequestId></RequestId></Error>`);
  const core = fakeCore((req) => (req.method === 'HEAD' ? { status: 404, headers: { 'content-type': 'application/xml' }, body: xml('NoSuchKey', 'nope') } : { status: 403, headers: { 'content-type': 'application/xml' }, body: xml('AccessDenied', 'Access Denied') }));
  const s3 = client(core);
  const denied = await t.throwsAsync(s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })), { instanceOf: S3ServiceException });
  t.is(denied?.name, 'AccessDenied');
  t.is(denied?.message, 'Access Denied');
  t.is(denied?.$metadata.httpStatusCode, 403);
  const missing = await t.throwsAsync(s3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' })), { instanceOf: S3ServiceException });
  t.is(missing?.name, 'NotFound');
  t.is(missing?.$metadata.httpStatusCode, 404);
  s3.destroy();
});

test('what fails before the core (a request the door cannot convert) is answered as an S3 error, never sent anywhere', async (t) => {
  const core = fakeCore();
  const s3 = client(core);
  s3.middlewareStack.add((next) => async (args) => next({ ...args, request: Object.assign(args.request as object, { path: '/b/%E0%A4%A' }) }), { step: 'finalizeRequest', priority: 'low', name: 'breakPath' });
  const err = await t.throwsAsync(s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })), { instanceOf: S3ServiceException });
  t.is(err?.name, 'InvalidRequest');
  t.is(err?.$metadata.httpStatusCode, 400);
  t.is(core.seen.length, 0);
  s3.destroy();
});

test('presigning through a client with the door throws S3Seal.PresignUnsupported naming the gateway; the core is never asked', async (t) => {
  const core = fakeCore();
  const s3 = client(core);
  const ssec = randomBytes(32);
  const commands = [
    new GetObjectCommand({ Bucket: 'b', Key: 'k' }),
    new PutObjectCommand({ Bucket: 'b', Key: 'k', ServerSideEncryption: 'AES256' }),
    new GetObjectCommand({ Bucket: 'b', Key: 'k', SSECustomerAlgorithm: 'AES256', SSECustomerKey: ssec.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(ssec).digest('base64') }),
  ];
  for (const cmd of commands) {
    const err = await t.throwsAsync(getSignedUrl(s3, cmd, { expiresIn: 60 }), { instanceOf: PresignUnsupportedError });
    t.true(err instanceof S3SealError);
    t.is(err?.code, 'S3Seal.PresignUnsupported');
    t.regex(err?.message ?? '', /s3seal serve/);
    t.false(/[A-Za-z0-9+/]{43}=/.test(err?.message ?? ''), 'no key material in the message');
  }
  t.is(core.seen.length, 0);
  // the client itself still works after a refused presign
  await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }));
  t.is(core.seen.length, 1);
  s3.destroy();
});

test('a door that cannot get its core throws that error to the caller as it is', async (t) => {
  const s3 = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  s3.middlewareStack.use(
    sdkDoor(() => {
      throw new SealError('InvalidArgument', 'no core configured');
    }, resolvePluginOptions()),
  );
  await t.throwsAsync(s3.send(new ListBucketsCommand({})), { instanceOf: SealError, message: 'no core configured' });
  s3.destroy();
});
