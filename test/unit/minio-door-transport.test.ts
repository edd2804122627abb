/**
 * The minio door's transport (issue 9) over a fake S3 core (unit level: the real core answers in
 * test/integration/minio-door.test.ts and the door contract). A real minio.Client carries the
 * transport: what the core receives is minio-js's request as an S3Request; what it answers comes
 * back through minio-js's own response handling.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { Client, S3Error } from 'minio';
import { InProcessRequest } from '../../src/adapters/minio/in-process-request.js';
import { inProcessTransport, type S3RequestHandler } from '../../src/adapters/minio/in-process-transport.js';
import { toS3Request } from '../../src/adapters/minio/to-s3-request.js';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import type { S3Response } from '../../src/adapters/s3/s3-response.js';
import { s3ErrorXml } from '../../src/adapters/s3/s3-error-xml.js';

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

function client(core: S3RequestHandler, opts: { useSSL?: boolean; secureTransport?: boolean; principal?: string } = {}): Client {
  return new Client({
    endPoint: 's3seal.invalid',
    useSSL: opts.useSSL ?? true,
    region: 'us-east-1',
    pathStyle: true,
    transport: inProcessTransport(() => core, { principal: opts.principal ?? 'process', secureTransport: opts.secureTransport ?? true }),
  });
}

const errorXml = (code: string, status: number): S3Response => {
  const body = s3ErrorXml({ code, status, message: `${code} message` }, { resource: '/b/k' });
  return { status, headers: { 'content-type': 'application/xml' }, body };
};

test('minio door transport: putObject of a Buffer reaches the core as one S3 PUT — bucket and key decoded from the path (spaces, unicode, +, #, ?, slashes), lower-case headers with the metadata, the exact body; the ETag comes back', async (t) => {
  const core = fakeCore();
  const mc = client(core, { principal: 'svc' });
  const body = randomBytes(1000);
  const key = 'dir/a b+c#d?e=ü';
  const out = await mc.putObject('bucket', key, body, body.length, { 'Content-Type': 'text/x-a', note: 'n1' });
  t.is(out.etag, 'e');
  t.is(core.seen.length, 1);
  const { req, body: got } = core.seen[0]!;
  t.like(req, { method: 'PUT', bucket: 'bucket', key, principal: 'svc', secureTransport: true });
  t.deepEqual(req.query, {});
  t.is(req.headers['content-type'], 'text/x-a');
  t.is(req.headers['x-amz-meta-note'], 'n1');
  t.is(req.headers['content-md5'], undefined, "minio-js's own Content-MD5 of an object body stays in the process (no wire to check it against)");
  t.true(got?.equals(body));
});

test("minio door transport: minio-js's SSE-C getOpts travel in the query too — taken out of it and given as the SSE-C headers (getObject: both, statObject: query only)", async (t) => {
  const core = fakeCore((req) => ({ status: 200, headers: { etag: '"e"', 'content-length': req.method === 'HEAD' ? '5' : '5', 'last-modified': new Date().toUTCString() }, ...(req.method === 'GET' ? { body: Buffer.from('hello') } : {}) }));
  const mc = client(core);
  const key = randomBytes(32);
  const opts = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(key).digest('base64') };
  t.is((await buffer(await mc.getObject('bkt', 'k', opts))).toString(), 'hello');
  await mc.statObject('bkt', 'k', opts as { versionId?: string });
  for (const { req } of core.seen) {
    t.deepEqual(req.query, {}, `${req.method}: no key in the query`);
    t.is(req.headers['x-amz-server-side-encryption-customer-algorithm'], 'AES256', req.method);
    t.is(req.headers['x-amz-server-side-encryption-customer-key'], opts.SSECustomerKey, req.method);
    t.is(req.headers['x-amz-server-side-encryption-customer-key-md5'], opts.SSECustomerKeyMD5, req.method);
  }
  t.deepEqual(core.seen.map((s) => s.req.method), ['GET', 'HEAD']);
});

test('minio door transport: query parameters decoded once, "+" kept (minio-js writes spaces as %20), a flag is ""; getPartialObject sends the Range', async (t) => {
  const core = fakeCore(() => ({ status: 206, headers: { 'content-range': 'bytes 10-19/100' }, body: Buffer.alloc(10) }));
  const mc = client(core);
  await buffer(await mc.getPartialObject('bkt', 'k', 10, 10, { versionId: 'v+1 2' }));
  t.deepEqual(core.seen[0]!.req.query, { versionId: 'v+1 2' });
  t.is(core.seen[0]!.req.headers['range'], 'bytes=10-19');
  const req = toS3Request({ method: 'POST', path: '/b/k?uploads&x=a%2Bb+c', headers: { Host: 'h' } }, undefined, { principal: 'p', secureTransport: false });
  t.deepEqual(req.query, { uploads: '', x: 'a+b+c' });
  t.is(req.headers['host'], 'h');
  t.false(req.secureTransport, 'not secure: the door says no and the protocol is not https');
  t.true(toS3Request({ method: 'GET', path: '/', protocol: 'https:' }, undefined, { principal: 'p', secureTransport: false }).secureTransport, 'https: secure');
  t.deepEqual(toS3Request({ method: 'GET', path: '/b' }, undefined, { principal: 'p', secureTransport: true }).bucket, 'b');
});

test('minio door transport: secure transport — by default the in-process hop counts as TLS whatever useSSL says; with secureTransport false only a useSSL client is', async (t) => {
  const core = fakeCore();
  await client(core, { useSSL: false }).putObject('bkt', 'k', 'x');
  await client(core, { useSSL: false, secureTransport: false }).putObject('bkt', 'k', 'x');
  await client(core, { useSSL: true, secureTransport: false }).putObject('bkt', 'k', 'x');
  t.deepEqual(core.seen.map((s) => s.req.secureTransport), [true, false, true]);
});

test("minio door transport: the core's S3 errors come back as minio-js's S3Error with the core's code (XML bodies; a HEAD answer without a body by its status); a request no S3 request can be answers NotImplemented without reaching the core", async (t) => {
  const core = fakeCore((req) => (req.method === 'HEAD' ? { status: 404, headers: {} } : errorXml('NotImplemented', 501)));
  const mc = client(core);
  const err = await t.throwsAsync(mc.setObjectTagging('bkt', 'k', { a: 'b' }), { instanceOf: S3Error });
  t.is(err?.code, 'NotImplemented');
  const missing = await t.throwsAsync(mc.statObject('bkt', 'k'), { instanceOf: S3Error });
  t.is(missing?.code, 'NotFound');
  const transport = inProcessTransport(() => core, { principal: 'p', secureTransport: true }) as unknown as { request(o: object, cb: (res: Readable & { statusCode: number }) => void): NodeJS.WritableStream };
  const before = core.seen.length;
  const res = await new Promise<Readable & { statusCode: number }>((resolve) => transport.request({ method: 'PATCH', path: '/bkt/k' }, resolve).end());
  t.is(res.statusCode, 501);
  t.regex((await buffer(res)).toString(), /<Code>NotImplemented<\/Code>/);
  t.is(core.seen.length, before, 'the core saw nothing');
});

test('minio door transport: a body the core refuses unread (it destroys it and answers 403) gives minio-js the S3 error, not a broken pipe, and the caller’s stream is not read to its end', async (t) => {
  const core: S3RequestHandler = {
    handle: (req) => {
      req.body?.destroy();
      return Promise.resolve(errorXml('AccessDenied', 403));
    },
  };
  const mc = client(core);
  const err = await t.throwsAsync(mc.putObject('bkt', 'k', randomBytes(100)), { instanceOf: S3Error });
  t.is(err?.code, 'AccessDenied', 'a Buffer body');
  let produced = 0;
  const endless = new Readable({
    read() {
      produced += 65_536;
      this.push(Buffer.alloc(65_536));
    },
  });
  const transport = inProcessTransport(() => core, { principal: 'p', secureTransport: true }) as unknown as { request(o: object, cb: (res: Readable & { statusCode: number }) => void): NodeJS.WritableStream };
  const res = await new Promise<Readable & { statusCode: number }>((resolve) => {
    const out = transport.request({ method: 'PUT', path: '/bkt/k' }, resolve);
    out.on('error', () => undefined);
    endless.pipe(out);
  });
  t.is(res.statusCode, 403, 'the answer arrives');
  t.regex((await buffer(res)).toString(), /AccessDenied/);
  await new Promise((r) => setTimeout(r, 50));
  const seen = produced;
  await new Promise((r) => setTimeout(r, 50));
  t.is(produced, seen, 'the stream is no longer read once the answer is out');
});

test('minio door transport: a body read late (the core reads once the keystore has answered) is all there — the request minio-js ended does not take its body down with it', async (t) => {
  const req = new InProcessRequest();
  // under the body's 16 KiB buffer: the write completes at once, so the request finishes (and auto-destroys) before the core reads
  const body = randomBytes(1000);
  req.end(body);
  await new Promise((r) => setTimeout(r, 50));
  t.true((await buffer(req.body)).equals(body));
});

test('minio door transport: a streamed response body is the core’s own stream (no copy), with status and lower-case headers', async (t) => {
  const body = Readable.from([Buffer.from('ab'), Buffer.from('cd')]);
  const core = fakeCore(() => ({ status: 200, headers: { 'content-length': '4', etag: '"e"', 'x-amz-server-side-encryption': 'AES256' }, body }));
  const res = await client(core).getObject('bkt', 'k');
  t.is(res, body);
  t.is((res as unknown as { headers: Record<string, string> }).headers['x-amz-server-side-encryption'], 'AES256');
  t.is((await buffer(res)).toString(), 'abcd');
});
