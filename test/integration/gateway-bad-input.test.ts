/**
 * The gateway (`startGateway`, HTTPS) against bad input (issue 10 acceptance "Bad input"): each case
 * is an S3 error with the request id in header and body, or a closed connection; nothing is stored;
 * and the same gateway then serves normal traffic. Real MinIO, real file keystore, real S3 clients;
 * the malformed requests are hand-made (no SDK sends them), signed by the SDK's own signer.
 */
import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { S3SealConfigInput } from '../../src/container/config.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { encodeSigned } from '../helpers/aws-chunked-signer.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway-harness.js';
import { chunkContext, presignedPath, sendRaw, sha256Hex, signedHeaders, type RawAnswer } from '../helpers/gateway-raw-request.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

async function baseConfig(): Promise<S3SealConfigInput> {
  const m = service('minio');
  const path = join(tempDir('gateway-bad'), 'keys.json');
  await new FileKeystore({ path, create: true }).createKey('s3-default');
  return {
    backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    keystores: { file: { path } },
    defaultKmsKeystore: 'file',
    uploadTokenRoot: randomBytes(32).toString('base64'),
    bucketEncryption: { reservedBucket: `s3seal-gwbad-${randomBytes(4).toString('hex')}` },
  };
}

let shared: Promise<TestGateway> | undefined;
const gateway = (): Promise<TestGateway> => (shared ??= baseConfig().then((c) => startTestGateway(c)));
test.after.always(async () => {
  if (shared) await (await shared).close();
});

const backend = s3Client(service('minio'));
test.after.always(() => backend.destroy());

/** every host name resolves to 127.0.0.1 (virtual-hosted-style names like bucket.localhost) */
const loopback = (_host: string, options: LookupOptions, cb: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => lookup('127.0.0.1', options, cb);

const target = (g: TestGateway) => ({ url: g.gateway.url, ca: g.cert.ca });
const codeOf = (a: RawAnswer) => /<Code>([^<]*)<\/Code>/.exec(a.body.toString())?.[1];

/** S3's error answer: status, code, and the request id in both the header and <RequestId> */
function assertS3Error(t: ExecutionContext, a: RawAnswer, status: number, code: string, what: string): void {
  t.is(a.status, status, `${what}: status`);
  t.is(codeOf(a), code, `${what}: code`);
  const id = a.headers['x-amz-request-id'];
  t.regex(String(id), /^[0-9A-F]{16}$/, `${what}: x-amz-request-id`);
  t.true(a.body.toString().includes(`<RequestId>${String(id)}</RequestId>`), `${what}: the same id in the body`);
}

async function assertNothingStored(t: ExecutionContext, bucket: string, key: string): Promise<void> {
  const err = await t.throwsAsync(backend.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), { instanceOf: S3ServiceException });
  t.is(err?.$metadata.httpStatusCode, 404, `${key}: nothing stored`);
}

/** normal traffic through the same gateway: a PUT and a GET by a real S3Client */
async function assertServes(t: ExecutionContext, g: TestGateway, bucket: string): Promise<void> {
  const s3 = g.client();
  const body = randomBytes(70_000);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'after', Body: body }));
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'after' }));
  t.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body, 'normal traffic is served afterwards');
}

test('gateway: a wrong secret, an unknown access key, malformed Authorization headers and an anonymous request are S3 errors with request ids; nothing is stored; normal traffic follows', async (t) => {
  const g = await gateway();
  const bucket = await freshBucket(service('minio'), 'gw-auth');
  const body = Buffer.from('must not be stored');
  const base = { 'content-length': String(body.length), 'x-amz-content-sha256': sha256Hex(body) };
  const wrongSecret = await signedHeaders(target(g), 'PUT', `/${bucket}/wrong-secret`, base, { key: { ...g.key, secretAccessKey: `${g.key.secretAccessKey}x` } });
  assertS3Error(t, await sendRaw(target(g), 'PUT', `/${bucket}/wrong-secret`, wrongSecret, body), 403, 'SignatureDoesNotMatch', 'wrong secret');
  const unknown = await signedHeaders(target(g), 'PUT', `/${bucket}/unknown`, base, { key: { accessKeyId: 'AKIANOBODY0000000', secretAccessKey: g.key.secretAccessKey } });
  assertS3Error(t, await sendRaw(target(g), 'PUT', `/${bucket}/unknown`, unknown, body), 403, 'InvalidAccessKeyId', 'unknown access key');
  const good = await signedHeaders(target(g), 'PUT', `/${bucket}/malformed`, base, { key: g.key });
  for (const [what, authorization] of [
    ['no Signature', good['authorization']!.replace(/, Signature=[0-9a-f]+/, '')],
    ['garbage', 'AWS4-HMAC-SHA256 garbage'],
    ['wrong region', good['authorization']!.replace('/us-east-1/', '/eu-west-1/')],
  ] as const) {
    assertS3Error(t, await sendRaw(target(g), 'PUT', `/${bucket}/malformed`, { ...good, authorization }, body), 400, 'AuthorizationHeaderMalformed', what);
  }
  assertS3Error(t, await sendRaw(target(g), 'PUT', `/${bucket}/malformed`, { ...good, authorization: `AWS ${g.key.accessKeyId}:c2ln` }, body), 400, 'InvalidRequest', 'SigV2');
  const anonymous = Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'authorization'));
  assertS3Error(t, await sendRaw(target(g), 'PUT', `/${bucket}/malformed`, anonymous, body), 403, 'AccessDenied', 'anonymous');
  // an unsigned x-amz-* header, added after signing (a man in the middle asking for another encryption)
  assertS3Error(t, await sendRaw(target(g), 'PUT', `/${bucket}/malformed`, { ...good, 'x-amz-server-side-encryption': 'aws:kms' }, body), 403, 'AccessDenied', 'unsigned x-amz header');
  // HEAD: no body, the code in the status and the request id header
  const head = await signedHeaders(target(g), 'HEAD', `/${bucket}/x`, { 'x-amz-content-sha256': sha256Hex('') }, { key: { ...g.key, secretAccessKey: 'wrong-wrong-wrong-wrong' } });
  const h = await sendRaw(target(g), 'HEAD', `/${bucket}/x`, head);
  t.is(h.status, 403);
  t.is(h.body.length, 0);
  for (const k of ['wrong-secret', 'unknown', 'malformed']) await assertNothingStored(t, bucket, k);
  await assertServes(t, g, bucket);
});

test('gateway (review fixes): an SSE-C key in a presigned URL is refused (400 InvalidArgument), never used; an unknown access key id is not echoed whole (a swapped id and secret would put the secret in the log); a request line that does not decode is a 400 with a request id, not a reset connection', async (t) => {
  const g = await gateway();
  const bucket = await freshBucket(service('minio'), 'gw-review');
  const key = randomBytes(32);
  const sseC = { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': key.toString('base64'), 'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(key).digest('base64') };
  const body = Buffer.from('must not be stored');
  const url = await presignedPath(target(g), 'PUT', `/${bucket}/ssec-in-url`, sseC, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, { key: g.key, expiresIn: 600 });
  t.true(url.includes('server-side-encryption-customer-key='), 'the key is in the signed URL');
  const a = await sendRaw(target(g), 'PUT', url, { 'content-length': String(body.length) }, body);
  assertS3Error(t, a, 400, 'InvalidArgument', 'SSE-C key in the URL');
  await assertNothingStored(t, bucket, 'ssec-in-url');

  const swapped = { accessKeyId: g.key.secretAccessKey.replace(/[^A-Za-z0-9._-]/g, 'x'), secretAccessKey: g.key.accessKeyId.padEnd(16, 'x') };
  const h = await signedHeaders(target(g), 'PUT', `/${bucket}/swapped`, { 'content-length': String(body.length), 'x-amz-content-sha256': sha256Hex(body) }, { key: swapped });
  const unknown = await sendRaw(target(g), 'PUT', `/${bucket}/swapped`, h, body);
  assertS3Error(t, unknown, 403, 'InvalidAccessKeyId', 'swapped id and secret');
  t.false(unknown.body.toString().includes(swapped.accessKeyId), 'the presented id is not echoed whole');

  const bad = await sendRaw(target(g), 'GET', `/${bucket}?%`, {});
  t.is(bad.status, 400);
  t.regex(String(bad.headers['x-amz-request-id']), /^[0-9A-F]{16}$/);
  await assertServes(t, g, bucket);
});

test('gateway: a request dated more than 15 minutes off is 403 RequestTimeTooSkewed (either way); 10 minutes off is served', async (t) => {
  const g = await gateway();
  const bucket = await freshBucket(service('minio'), 'gw-skew');
  const body = Buffer.from('skewed');
  const put = async (key: string, offsetMs: number) => {
    const headers = await signedHeaders(target(g), 'PUT', `/${bucket}/${key}`, { 'content-length': String(body.length), 'x-amz-content-sha256': sha256Hex(body) }, { key: g.key, date: new Date(Date.now() + offsetMs) });
    return sendRaw(target(g), 'PUT', `/${bucket}/${key}`, headers, body);
  };
  assertS3Error(t, await put('early', -20 * 60_000), 403, 'RequestTimeTooSkewed', '20 min early');
  assertS3Error(t, await put('late', 20 * 60_000), 403, 'RequestTimeTooSkewed', '20 min late');
  await assertNothingStored(t, bucket, 'early');
  await assertNothingStored(t, bucket, 'late');
  t.is((await put('ten', -10 * 60_000)).status, 200, '10 minutes of skew are within S3 limits');
  await assertServes(t, g, bucket);
});

test('gateway: presigned PUT and GET from @aws-sdk/s3-request-presigner work (SSE-S3 as the signed header the presigner leaves in place); an expired URL is 403 "Request has expired", X-Amz-Expires over 7 days 400, a changed key 403; nothing stored by the refused ones', async (t) => {
  const g = await gateway();
  // the presigner would otherwise sign the CRC32 of an empty body into the URL (as against S3)
  const s3 = g.client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
  const bucket = await freshBucket(service('minio'), 'gw-presign');
  const body = randomBytes(10_000);
  const putUrl = new URL(await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'presigned', ServerSideEncryption: 'AES256' }), { expiresIn: 600 }));
  t.regex(putUrl.searchParams.get('X-Amz-SignedHeaders') ?? '', /x-amz-server-side-encryption/);
  const put = await sendRaw(target(g), 'PUT', `${putUrl.pathname}${putUrl.search}`, { 'content-length': String(body.length), 'x-amz-server-side-encryption': 'AES256' }, body);
  t.is(put.status, 200, put.body.toString());
  t.is(put.headers['x-amz-server-side-encryption'], 'AES256');
  const getUrl = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'presigned' }), { expiresIn: 600 }));
  const got = await sendRaw(target(g), 'GET', `${getUrl.pathname}${getUrl.search}`, {});
  t.is(got.status, 200);
  t.deepEqual(got.body, body);
  const stored = await backend.send(new GetObjectCommand({ Bucket: bucket, Key: 'presigned' }));
  t.false(Buffer.from(await stored.Body!.transformToByteArray()).includes(body.subarray(0, 64)), 'MinIO holds ciphertext');

  const expired = new URL(await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'expired' }), { expiresIn: 3600, signingDate: new Date(Date.now() - 2 * 3600_000) }));
  const e = await sendRaw(target(g), 'PUT', `${expired.pathname}${expired.search}`, { 'content-length': String(body.length) }, body);
  assertS3Error(t, e, 403, 'AccessDenied', 'expired');
  t.regex(e.body.toString(), /<Message>Request has expired<\/Message>/);
  const week = new URL(await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'week' }), { expiresIn: 3600 }));
  week.searchParams.set('X-Amz-Expires', '604801');
  assertS3Error(t, await sendRaw(target(g), 'PUT', `${week.pathname}${week.search}`, { 'content-length': String(body.length) }, body), 400, 'AuthorizationQueryParametersError', 'over 7 days');
  const moved = new URL(await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'signed-for-this' }), { expiresIn: 600 }));
  assertS3Error(t, await sendRaw(target(g), 'PUT', `${moved.pathname.replace('signed-for-this', 'used-for-that')}${moved.search}`, { 'content-length': String(body.length) }, body), 403, 'SignatureDoesNotMatch', 'another key');
  for (const k of ['expired', 'week', 'used-for-that', 'signed-for-this']) await assertNothingStored(t, bucket, k);
  await assertServes(t, g, bucket);
});

test('gateway: a body whose SHA-256 is not its signed x-amz-content-sha256 is 400 XAmzContentSHA256Mismatch and nothing is stored (small and multi-MiB bodies); the matching hash stores', async (t) => {
  const g = await gateway();
  const bucket = await freshBucket(service('minio'), 'gw-sha');
  for (const size of [100, 3 * 1024 * 1024 + 7]) {
    const body = randomBytes(size);
    const other = Buffer.from(body);
    other[other.length - 1] = other[other.length - 1]! ^ 1;
    const key = `wrong-${size}`;
    const headers = await signedHeaders(target(g), 'PUT', `/${bucket}/${key}`, { 'content-length': String(size), 'x-amz-content-sha256': sha256Hex(body) }, { key: g.key });
    assertS3Error(t, await sendRaw(target(g), 'PUT', `/${bucket}/${key}`, headers, other), 400, 'XAmzContentSHA256Mismatch', `${size} bytes`);
    await assertNothingStored(t, bucket, key);
    const right = await signedHeaders(target(g), 'PUT', `/${bucket}/right-${size}`, { 'content-length': String(size), 'x-amz-content-sha256': sha256Hex(body) }, { key: g.key });
    t.is((await sendRaw(target(g), 'PUT', `/${bucket}/right-${size}`, right, body)).status, 200);
  }
  await assertServes(t, g, bucket);
});

test('gateway: signed aws-chunked bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) — a correct one round-trips; one bad chunk signature is 403 SignatureDoesNotMatch; a body cut before its final chunk is a 400; nothing stored by either', async (t) => {
  const g = await gateway();
  const bucket = await freshBucket(service('minio'), 'gw-chunked');
  const data = randomBytes(200_000);
  /** a signed aws-chunked PUT of `data`, `mangle`d after signing; the signed Content-Length is the mangled body's (signatures have fixed lengths) */
  const chunkedPut = async (key: string, mangle: (encoded: Buffer) => Buffer) => {
    const path = `/${bucket}/${key}`;
    const probe = mangle(encodeSigned({ key: Buffer.alloc(32), date: '', scope: '', seedSignature: '0'.repeat(64) }, data, [65536, 65536]));
    const base = { 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': String(data.length), 'content-length': String(probe.length) };
    const headers = await signedHeaders(target(g), 'PUT', path, base, { key: g.key });
    const encoded = mangle(encodeSigned(chunkContext(headers, { key: g.key }), data, [65536, 65536]));
    t.is(encoded.length, probe.length);
    return sendRaw(target(g), 'PUT', path, headers, encoded);
  };
  const ok = await chunkedPut('good', (b) => b);
  t.is(ok.status, 200, ok.body.toString());
  const back = await g.client().send(new GetObjectCommand({ Bucket: bucket, Key: 'good' }));
  t.deepEqual(Buffer.from(await back.Body!.transformToByteArray()), data);

  // the second chunk's signature, one hex digit changed
  const badSig = await chunkedPut('bad-signature', (b) => {
    const text = b.toString('latin1');
    const second = text.indexOf(';chunk-signature=', text.indexOf(';chunk-signature=') + 1) + ';chunk-signature='.length;
    const copy = Buffer.from(b);
    copy[second] = copy[second] === 0x30 ? 0x31 : 0x30;
    return copy;
  });
  assertS3Error(t, badSig, 403, 'SignatureDoesNotMatch', 'bad chunk signature');
  // everything but the final zero-length chunk (and its trailing CRLF)
  const cut = await chunkedPut('truncated', (b) => b.subarray(0, b.toString('latin1').lastIndexOf('0;chunk-signature=')));
  t.is(cut.status, 400, 'a truncated body is a client error');
  t.truthy(codeOf(cut));
  await assertNothingStored(t, bucket, 'bad-signature');
  await assertNothingStored(t, bucket, 'truncated');
  await assertServes(t, g, bucket);
});

test('gateway: a decrypt failure after the headers were sent destroys the connection — a tampered 3 MiB object ends aborted, short of its Content-Length, never as a clean response', async (t) => {
  const g = await gateway();
  const s3 = g.client();
  const bucket = await freshBucket(service('minio'), 'gw-tamper');
  const body = randomBytes(3 * 1024 * 1024);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'victim', Body: body }));
  // the object server's administrator flips one ciphertext byte deep in the body, metadata kept
  const raw = await backend.send(new GetObjectCommand({ Bucket: bucket, Key: 'victim' }));
  const stored = Buffer.from(await raw.Body!.transformToByteArray());
  stored[2 * 1024 * 1024 + 100] = stored[2 * 1024 * 1024 + 100]! ^ 0x01;
  await backend.send(new PutObjectCommand({ Bucket: bucket, Key: 'victim', Body: stored, Metadata: raw.Metadata }));
  const headers = await signedHeaders(target(g), 'GET', `/${bucket}/victim`, { 'x-amz-content-sha256': sha256Hex('') }, { key: g.key });
  const a = await sendRaw(target(g), 'GET', `/${bucket}/victim`, headers);
  t.is(a.status, 200, 'the headers went out before the damage was reached');
  t.true(a.aborted, 'the response did not end cleanly');
  t.true(a.body.length < body.length, 'fewer bytes than the object has');
  t.false(a.body.equals(body.subarray(0, a.body.length)) && a.body.length > 2 * 1024 * 1024 + 100, 'no byte past the damage was released');
  await assertServes(t, g, bucket);
});

test('gateway: SSE-C over plain HTTP is refused (InvalidRequest 400) — also with X-Forwarded-Proto from an untrusted peer — and accepted when a trusted proxy says https; virtual-hosted-style requests under a base domain reach their bucket', async (t) => {
  const base = await baseConfig();
  const plain = await startTestGateway(base, { tls: false, gateway: { baseDomains: ['localhost'] } });
  const proxied = await startTestGateway(base, { tls: false, gateway: { trustedProxies: ['127.0.0.1'] } });
  t.teardown(async () => {
    await plain.close();
    await proxied.close();
  });
  const bucket = await freshBucket(service('minio'), 'gw-plain');
  const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: randomBytes(32).toString('base64') };
  const forwarded = (c: S3Client) => {
    c.middlewareStack.add((next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-forwarded-proto'] = 'https';
      return next(args);
    }, { step: 'build', name: 'forwardedProto' });
    return c;
  };
  for (const [what, c] of [['plain', plain.client()], ['untrusted X-Forwarded-Proto', forwarded(plain.client())]] as const) {
    const err = await t.throwsAsync(c.send(new PutObjectCommand({ Bucket: bucket, Key: 'ssec', Body: 'secret', ...ssec })), { instanceOf: S3ServiceException });
    t.is(err?.name, 'InvalidRequest', what);
    t.is(err?.$metadata.httpStatusCode, 400, what);
  }
  await assertNothingStored(t, bucket, 'ssec');
  const viaProxy = forwarded(proxied.client());
  await viaProxy.send(new PutObjectCommand({ Bucket: bucket, Key: 'ssec', Body: 'secret', ...ssec }));
  const got = await viaProxy.send(new GetObjectCommand({ Bucket: bucket, Key: 'ssec', ...ssec }));
  t.is(await got.Body!.transformToString(), 'secret');

  // bucket.localhost:PORT → the plain gateway (every *.localhost name resolves to loopback here)
  const url = new URL(plain.gateway.url);
  const virtual = plain.client({
    endpoint: `http://localhost:${url.port}`,
    forcePathStyle: false,
    requestHandler: new NodeHttpHandler({ httpAgent: new HttpAgent({ lookup: loopback }) }),
  });
  const body = randomBytes(1000);
  await virtual.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/virtual key', Body: body }));
  const back = await plain.client().send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/virtual key' }));
  t.deepEqual(Buffer.from(await back.Body!.transformToByteArray()), body, 'stored in the bucket the host named, read back path-style');
});

test('gateway: headers over the configured size are answered 431 and the connection closed; the process serves the next request', async (t) => {
  const g = await gateway();
  const bucket = await freshBucket(service('minio'), 'gw-431');
  const headers = await signedHeaders(target(g), 'GET', `/${bucket}/x`, { 'x-amz-content-sha256': sha256Hex('') }, { key: g.key });
  const a = await sendRaw(target(g), 'GET', `/${bucket}/x`, { ...headers, 'x-padding': 'p'.repeat(20 * 1024) }).catch((err: Error) => ({ status: -1, error: err.message }) as const);
  t.true(a.status === 431 || a.status === -1, `431 or a closed connection (${JSON.stringify('error' in a ? a.error : a.status)})`);
  await assertServes(t, g, bucket);
});

test('gateway: a client that stops sending mid-body (connection closed after 300 KiB of 2 MiB) stores nothing, and one that stops reading mid-response leaves the gateway serving', async (t) => {
  const g = await gateway();
  const bucket = await freshBucket(service('minio'), 'gw-stop');
  const body = randomBytes(2 * 1024 * 1024);
  const headers = await signedHeaders(target(g), 'PUT', `/${bucket}/half`, { 'content-length': String(body.length), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, { key: g.key });
  const u = new URL(g.gateway.url);
  await new Promise<void>((resolve) => {
    const req = httpsRequest({ host: u.hostname, port: u.port, method: 'PUT', path: `/${bucket}/half`, headers, ca: g.cert.ca, agent: false });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.write(body.subarray(0, 300 * 1024), () => setTimeout(() => req.destroy(), 200));
  });
  // the engine fails the upload when the stream breaks; give the gateway a moment to clean up
  await new Promise((r) => setTimeout(r, 500));
  await assertNothingStored(t, bucket, 'half');

  await g.client().send(new PutObjectCommand({ Bucket: bucket, Key: 'big', Body: body }));
  const get = await signedHeaders(target(g), 'GET', `/${bucket}/big`, { 'x-amz-content-sha256': sha256Hex('') }, { key: g.key });
  await new Promise<void>((resolve) => {
    const req = httpsRequest({ host: u.hostname, port: u.port, method: 'GET', path: `/${bucket}/big`, headers: get, ca: g.cert.ca, agent: false });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      // read one chunk, then stop reading and hang up
      res.once('data', () => {
        res.pause();
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200);
      });
    });
    req.end();
  });
  await assertServes(t, g, bucket);
});

test('gateway: Expect: 100-continue is answered after the signature is verified — a wrongly signed upload gets its 403 without a 100 and never sends its body; a good one gets 100 Continue and is stored', async (t) => {
  const g = await gateway();
  const bucket = await freshBucket(service('minio'), 'gw-continue');
  const body = randomBytes(1024 * 1024);
  const u = new URL(g.gateway.url);
  const upload = async (key: string, secret: string) => {
    const headers = await signedHeaders(target(g), 'PUT', `/${bucket}/${key}`, { 'content-length': String(body.length), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', expect: '100-continue' }, { key: { ...g.key, secretAccessKey: secret } });
    return new Promise<{ continued: boolean; status: number }>((resolve, reject) => {
      let continued = false;
      const req = httpsRequest({ host: u.hostname, port: u.port, method: 'PUT', path: `/${bucket}/${key}`, headers, ca: g.cert.ca, agent: false });
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ continued, status: res.statusCode ?? 0 }));
        if (!continued) req.destroy();
      });
      req.on('error', (e) => (continued ? reject(e) : undefined));
      req.flushHeaders();
    });
  };
  t.deepEqual(await upload('refused', `${g.key.secretAccessKey}x`), { continued: false, status: 403 });
  await assertNothingStored(t, bucket, 'refused');
  t.deepEqual(await upload('accepted', g.key.secretAccessKey), { continued: true, status: 200 });
  const got = await g.client().send(new GetObjectCommand({ Bucket: bucket, Key: 'accepted' }));
  t.true(Buffer.from(await got.Body!.transformToByteArray()).equals(body));
});
