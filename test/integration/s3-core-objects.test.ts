/**
 * The S3 core (issue 7 items 2, 3, 5) at the HTTP level — S3Request in, S3Response out — over real
 * MinIO with the file keystore, the core taken from the container (TOKENS.S3Core): PUT / GET / HEAD /
 * DELETE in every mode with S3's echo headers, content headers and caller metadata; what MinIO
 * stores is ciphertext with no caller SSE header; errors as S3 answers them (NoSuchKey 404 XML,
 * request id, resource); ranges (206, 416 with `bytes *\/len`); conditionals (304, 412); aws-chunked
 * bodies as SDK v3 sends them, a checksum mismatch storing nothing.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { bodyOf, coreFixture, errorCode, ssec, xmlOf } from '../helpers/s3-core-fixture.js';
import { sdkPut } from '../helpers/sdk-wire-capture.js';

const b64json = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64');

test('PUT / GET / HEAD / DELETE in every mode: round trip, SSE echo on PUT, GET and HEAD as S3 sends it, content headers and metadata; MinIO holds ciphertext only', async (t) => {
  const f = await coreFixture('modes');
  try {
    const customerKey = randomBytes(32);
    const context = { dept: 'payroll' };
    const md5 = createHash('md5').update(customerKey).digest('base64');
    const cases: { name: string; sse: Record<string, string>; put: Record<string, string>; read: Record<string, string>; readHeaders?: Record<string, string> }[] = [
      { name: 'none', sse: {}, put: { 'x-amz-server-side-encryption': 'AES256' }, read: { 'x-amz-server-side-encryption': 'AES256' } },
      { name: 'aes256', sse: { 'x-amz-server-side-encryption': 'AES256' }, put: { 'x-amz-server-side-encryption': 'AES256' }, read: { 'x-amz-server-side-encryption': 'AES256' } },
      {
        name: 'kms-default',
        sse: { 'x-amz-server-side-encryption': 'aws:kms' },
        put: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': f.keys.kmsDefault },
        read: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': f.keys.kmsDefault },
      },
      {
        name: 'kms-named-context-bucket-key',
        sse: {
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': 'file:kms-other',
          'x-amz-server-side-encryption-context': b64json(context),
          'x-amz-server-side-encryption-bucket-key-enabled': 'true',
        },
        put: {
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': f.keys.kmsOther,
          'x-amz-server-side-encryption-context': b64json(context),
          'x-amz-server-side-encryption-bucket-key-enabled': 'true',
        },
        read: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': f.keys.kmsOther, 'x-amz-server-side-encryption-bucket-key-enabled': 'true' },
      },
      {
        name: 'ssec',
        sse: ssec(customerKey),
        put: { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key-md5': md5 },
        read: { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key-md5': md5 },
        readHeaders: ssec(customerKey),
      },
    ];
    const echoNames = (h: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(h).filter(([k]) => k.startsWith('x-amz-server-side-encryption')));
    for (const c of cases) {
      const key = `obj/${c.name}`;
      const data = Buffer.concat([Buffer.from(`canary-${c.name}-`), randomBytes(100_000)]);
      const content = { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'content-disposition': 'inline', 'content-language': 'de-CH', expires: 'Thu, 01 Jan 2032 00:00:00 GMT', 'x-amz-meta-owner': 'team-a' };
      const put = await f.call({ method: 'PUT', key, ...bodyOf(data, { ...c.sse, ...content }) });
      t.is(put.status, 200, `${c.name}: PUT ${put.body.toString()}`);
      t.regex(put.headers['etag'] ?? '', /^"[0-9a-f]{32}"$/, `${c.name}: backend ETag`);
      t.regex(put.headers['x-amz-request-id'] ?? '', /^[0-9A-F]{16}$/);
      t.deepEqual(echoNames(put.headers), c.put, `${c.name}: PUT echo`);

      const got = await f.call({ method: 'GET', key, headers: c.readHeaders ?? {} });
      t.is(got.status, 200, `${c.name}: GET ${got.body.toString()}`);
      t.true(got.body.equals(data), `${c.name}: plaintext back`);
      t.deepEqual(echoNames(got.headers), c.read, `${c.name}: GET echo`);
      t.like(got.headers, { 'content-length': String(data.length), etag: put.headers['etag'], 'accept-ranges': 'bytes', 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'content-disposition': 'inline', 'content-language': 'de-CH', expires: 'Thu, 01 Jan 2032 00:00:00 GMT', 'x-amz-meta-owner': 'team-a' }, c.name);
      t.truthy(got.headers['last-modified']);
      t.false(Object.keys(got.headers).some((h) => h.startsWith('x-amz-meta-s3seal') || h.startsWith('x-amz-checksum')), `${c.name}: no envelope, no ciphertext checksum`);

      const head = await f.call({ method: 'HEAD', key, headers: c.readHeaders ?? {} });
      t.is(head.status, 200);
      t.is(head.body.length, 0);
      t.deepEqual(echoNames(head.headers), c.read, `${c.name}: HEAD echo`);
      t.is(head.headers['content-length'], String(data.length), `${c.name}: plaintext length`);

      // what MinIO holds: ciphertext and the envelope, no caller SSE, no native SSE
      const stored = await f.raw.send(new GetObjectCommand({ Bucket: f.bucket, Key: key }));
      const bytes = Buffer.from(await stored.Body!.transformToByteArray());
      t.is(bytes.indexOf(`canary-${c.name}`), -1, `${c.name}: no plaintext at rest`);
      t.is(stored.ServerSideEncryption, undefined);
      t.is(stored.SSECustomerAlgorithm, undefined);
      t.truthy(stored.Metadata?.['s3seal']);
      t.is(stored.Metadata?.['owner'], 'team-a');

      const del = await f.call({ method: 'DELETE', key });
      t.is(del.status, 204);
      const gone = await f.call({ method: 'HEAD', key, headers: c.readHeaders ?? {} });
      t.is(gone.status, 404);
    }
  } finally {
    await f.close();
  }
});

test('errors as S3 answers them: GET of a missing key is NoSuchKey 404 in XML with resource and request id; HEAD has no body; a missing bucket is NoSuchBucket; an unsupported subresource is NotImplemented and reaches nothing', async (t) => {
  const f = await coreFixture('errors');
  try {
    const missing = await f.call({ method: 'GET', key: 'no/such key' });
    t.is(missing.status, 404);
    t.is(missing.headers['content-type'], 'application/xml');
    const e = xmlOf(missing)['Error'] as Record<string, string>;
    t.is(e['Code'], 'NoSuchKey');
    t.is(e['Resource'], `/${f.bucket}/no/such key`);
    t.is(e['RequestId'], missing.headers['x-amz-request-id']);
    t.is(e['Message'], 'The specified key does not exist.');

    const head = await f.call({ method: 'HEAD', key: 'no-such-key' });
    t.is(head.status, 404);
    t.is(head.body.length, 0);

    const noBucket = await f.call({ method: 'GET', bucket: `${f.bucket}-missing`, key: 'k' });
    t.is(noBucket.status, 404);
    t.is(errorCode(noBucket), 'NoSuchBucket');

    const acl = await f.call({ method: 'PUT', key: 'k', query: { acl: '' }, ...bodyOf(Buffer.from('<AccessControlPolicy/>')) });
    t.is(acl.status, 501);
    t.is(errorCode(acl), 'NotImplemented');
    const tagging = await f.call({ method: 'PUT', key: 'tagged', ...bodyOf(Buffer.from('x'), { 'x-amz-tagging': 'a=b' }) });
    t.is(tagging.status, 501);
    await t.throwsAsync(f.raw.send(new HeadObjectCommand({ Bucket: f.bucket, Key: 'tagged' })), { name: 'NotFound' }, 'nothing stored');
  } finally {
    await f.close();
  }
});

test('ranges: 206 with Content-Range for a-b, a- and -n; an unsatisfiable range is 416 InvalidRange with Content-Range bytes */length; HEAD with a range answers as the GET would', async (t) => {
  const f = await coreFixture('ranges');
  try {
    const data = randomBytes(200_000);
    t.is((await f.call({ method: 'PUT', key: 'r', ...bodyOf(data) })).status, 200);
    const cases: [string, number, number][] = [
      ['bytes=0-9', 0, 9],
      ['bytes=65530-131080', 65530, 131080],
      ['bytes=199990-', 199990, 199999],
      ['bytes=-5', 199995, 199999],
      ['bytes=100-999999', 100, 199999],
    ];
    for (const [range, start, end] of cases) {
      const got = await f.call({ method: 'GET', key: 'r', headers: { range } });
      t.is(got.status, 206, range);
      t.is(got.headers['content-range'], `bytes ${start}-${end}/200000`, range);
      t.is(got.headers['content-length'], String(end - start + 1), range);
      t.true(got.body.equals(data.subarray(start, end + 1)), range);
    }
    const bad = await f.call({ method: 'GET', key: 'r', headers: { range: 'bytes=200000-' } });
    t.is(bad.status, 416);
    t.is(errorCode(bad), 'InvalidRange');
    t.is(bad.headers['content-range'], 'bytes */200000');
    const headRange = await f.call({ method: 'HEAD', key: 'r', headers: { range: 'bytes=10-19' } });
    t.is(headRange.status, 206);
    t.like(headRange.headers, { 'content-range': 'bytes 10-19/200000', 'content-length': '10' });
    const headBad = await f.call({ method: 'HEAD', key: 'r', headers: { range: 'bytes=300000-' } });
    t.is(headBad.status, 416);
    t.is(headBad.headers['content-range'], 'bytes */200000');
  } finally {
    await f.close();
  }
});

test('conditionals on GET and HEAD: If-None-Match and If-Modified-Since → 304 with no body; If-Match and If-Unmodified-Since failing → 412 PreconditionFailed; matching → 200', async (t) => {
  const f = await coreFixture('cond');
  try {
    const data = randomBytes(1000);
    const put = await f.call({ method: 'PUT', key: 'c', ...bodyOf(data) });
    const etag = put.headers['etag']!;
    const future = new Date(Date.now() + 3_600_000).toUTCString();
    const past = new Date(Date.now() - 3_600_000).toUTCString();
    for (const method of ['GET', 'HEAD'] as const) {
      const nm = await f.call({ method, key: 'c', headers: { 'if-none-match': etag } });
      t.is(nm.status, 304, `${method} If-None-Match`);
      t.is(nm.body.length, 0);
      t.is(nm.headers['etag'], etag);
      t.is((await f.call({ method, key: 'c', headers: { 'if-modified-since': future } })).status, 304, `${method} If-Modified-Since`);
      const m = await f.call({ method, key: 'c', headers: { 'if-match': '"0123456789abcdef0123456789abcdef"' } });
      t.is(m.status, 412, `${method} If-Match`);
      if (method === 'GET') t.is(errorCode(m), 'PreconditionFailed');
      t.is((await f.call({ method, key: 'c', headers: { 'if-unmodified-since': past } })).status, 412, `${method} If-Unmodified-Since`);
      const ok = await f.call({ method, key: 'c', headers: { 'if-match': etag, 'if-modified-since': past } });
      t.is(ok.status, 200, `${method} matching`);
    }
    const range416 = await f.call({ method: 'GET', key: 'c', headers: { 'if-match': '"other"', range: 'bytes=5000-' } });
    t.is(range416.status, 412, 'a failed If-Match comes before an unsatisfiable range');
  } finally {
    await f.close();
  }
});

test('aws-chunked bodies as SDK v3 sends them (stream: unsigned with a CRC32 trailer; buffer: x-amz-checksum-crc32 header; Content-MD5): stored decoded, aws-chunked dropped from Content-Encoding; a mismatch is BadDigest and stores nothing', async (t) => {
  const f = await coreFixture('chunked');
  try {
    const data = randomBytes(300_001);
    const streamed = await sdkPut(Readable.from([data]), { ContentLength: data.length });
    t.is(streamed.headers['content-encoding'], 'aws-chunked');
    t.is(streamed.headers['x-amz-content-sha256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    const put = await f.call({ method: 'PUT', key: 'streamed', headers: streamed.headers, body: Readable.from([streamed.body]) });
    t.is(put.status, 200, put.body.toString());
    const got = await f.call({ method: 'GET', key: 'streamed' });
    t.true(got.body.equals(data));
    t.is(got.headers['content-encoding'], undefined, 'aws-chunked is not stored');

    const buffered = await sdkPut(data, { ContentMD5: createHash('md5').update(data).digest('base64') });
    t.truthy(buffered.headers['x-amz-checksum-crc32']);
    t.is((await f.call({ method: 'PUT', key: 'buffered', headers: buffered.headers, body: Readable.from([buffered.body]) })).status, 200);
    t.true((await f.call({ method: 'GET', key: 'buffered' })).body.equals(data));

    // one plaintext byte changed in transit, each way of sending the checksum
    const tamperedChunked = Buffer.from(streamed.body);
    tamperedChunked[tamperedChunked.indexOf('\r\n') + 2 + 1234]! ^= 1;
    const tamperedBuffer = Buffer.from(buffered.body);
    tamperedBuffer[1234]! ^= 1;
    for (const [name, headers, body] of [
      ['trailer', streamed.headers, tamperedChunked],
      ['header', { ...buffered.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, tamperedBuffer],
      ['content-md5', { 'content-length': String(data.length), 'content-md5': createHash('md5').update(data).digest('base64') }, tamperedBuffer],
      // the SDK signs a buffer's SHA-256 (x-amz-content-sha256): checked too, before the commit
      ['payload-hash', { 'content-length': String(data.length), 'x-amz-content-sha256': createHash('sha256').update(data).digest('hex') }, tamperedBuffer],
    ] as const) {
      const bad = await f.call({ method: 'PUT', key: `bad-${name}`, headers, body: Readable.from([body]) });
      t.is(bad.status, 400, name);
      t.is(errorCode(bad), name === 'payload-hash' ? 'XAmzContentSHA256Mismatch' : 'BadDigest', name);
      if (name === 'payload-hash') {
        // a door that vouches for the hash (its own SDK computed it) spares the second pass
        const trusted = await f.call({ method: 'PUT', key: 'trusted-hash', headers, body: Readable.from([body]), payloadHashTrusted: true });
        t.is(trusted.status, 200, 'payloadHashTrusted: not hashed again');
      }
      await t.throwsAsync(f.raw.send(new HeadObjectCommand({ Bucket: f.bucket, Key: `bad-${name}` })), { name: 'NotFound' }, `${name}: nothing stored`);
    }
    // an existing object is not replaced by a body that fails its checksum
    const before = await f.raw.send(new HeadObjectCommand({ Bucket: f.bucket, Key: 'streamed' }));
    t.is((await f.call({ method: 'PUT', key: 'streamed', headers: streamed.headers, body: Readable.from([tamperedChunked]) })).status, 400);
    t.is((await f.raw.send(new HeadObjectCommand({ Bucket: f.bucket, Key: 'streamed' }))).ETag, before.ETag);
    t.true((await buffer(Readable.from([(await f.call({ method: 'GET', key: 'streamed' })).body]))).equals(data));
  } finally {
    await f.close();
  }
});
