/**
 * Request validation as S3 does it (issue 7 item 3), each case with its S3 code and status, at the
 * core level (S3Request in, S3Response out) against real MinIO with the file keystore. For refused
 * writes, MinIO is checked to hold nothing; for refused reads, no plaintext byte is in the answer.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { bodyOf, coreFixture, errorCode, ssec, type Answer, type CoreFixture } from '../helpers/s3-core-fixture.js';
import { encodeSigned, signingKey, testVerifier, type SigningContext } from '../helpers/aws-chunked-signer.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

async function stored(f: CoreFixture, key: string): Promise<boolean> {
  return f.raw.send(new HeadObjectCommand({ Bucket: f.bucket, Key: key })).then(
    () => true,
    (e: { name?: string }) => (e.name === 'NotFound' ? false : Promise.reject(e as Error)),
  );
}

function expectError(t: { is: (a: unknown, b: unknown, m?: string) => void }, a: Answer, status: number, code: string | undefined, what: string): void {
  t.is(a.status, status, `${what}: status (${a.body.toString().slice(0, 300)})`);
  if (code !== undefined) t.is(errorCode(a), code, `${what}: code`);
}

test('SSE-C reads: a wrong key is AccessDenied 403 with no body byte; no key on an SSE-C object is InvalidRequest 400; SSE-C headers on a non-SSE-C object are InvalidRequest 400; x-amz-server-side-encryption on GET/HEAD is InvalidArgument 400', async (t) => {
  const f = await coreFixture('val-reads');
  try {
    const key = randomBytes(32);
    const canary = Buffer.from(`canary-${randomBytes(8).toString('hex')}`);
    const data = Buffer.concat([canary, randomBytes(70_000)]);
    t.is((await f.call({ method: 'PUT', key: 'ssec', ...bodyOf(data, ssec(key)) })).status, 200);
    t.is((await f.call({ method: 'PUT', key: 'plain-s3', ...bodyOf(data) })).status, 200);
    for (const method of ['GET', 'HEAD'] as const) {
      const wrong = await f.call({ method, key: 'ssec', headers: ssec(randomBytes(32)) });
      expectError(t, wrong, 403, method === 'GET' ? 'AccessDenied' : undefined, `${method} wrong key`);
      t.is(wrong.body.indexOf(canary), -1, `${method} wrong key: no plaintext`);
      if (method === 'HEAD') t.is(wrong.body.length, 0, 'a HEAD error has no body');
      const ranged = await f.call({ method, key: 'ssec', headers: { ...ssec(randomBytes(32)), range: 'bytes=0-99' } });
      expectError(t, ranged, 403, method === 'GET' ? 'AccessDenied' : undefined, `${method} ranged wrong key`);
      expectError(t, await f.call({ method, key: 'ssec' }), 400, method === 'GET' ? 'InvalidRequest' : undefined, `${method} no key`);
      expectError(t, await f.call({ method, key: 'plain-s3', headers: ssec(key) }), 400, method === 'GET' ? 'InvalidRequest' : undefined, `${method} SSE-C headers on SSE-S3 object`);
      for (const value of ['AES256', 'aws:kms']) {
        expectError(t, await f.call({ method, key: 'plain-s3', headers: { 'x-amz-server-side-encryption': value } }), 400, method === 'GET' ? 'InvalidArgument' : undefined, `${method} x-amz-server-side-encryption ${value}`);
      }
      expectError(t, await f.call({ method, key: 'plain-s3', headers: { 'x-amz-server-side-encryption-aws-kms-key-id': 'file:kms-default' } }), 400, method === 'GET' ? 'InvalidArgument' : undefined, `${method} kms key id`);
      expectError(t, await f.call({ method, key: 'ssec', headers: ssec(key), secureTransport: false }), 400, method === 'GET' ? 'InvalidRequest' : undefined, `${method} SSE-C over plain HTTP`);
    }
    const right = await f.call({ method: 'GET', key: 'ssec', headers: ssec(key) });
    t.true(right.body.equals(data));
  } finally {
    await f.close();
  }
});

test('SSE write headers: conflicts are InvalidArgument 400 (SSE-C + AES256, SSE-C + aws:kms, AES256 + KMS key id, unknown algorithm); KMS key id or context without aws:kms 400; malformed context 400; SSE-C algorithm, key and MD5 checked; SSE-C over plain HTTP InvalidRequest 400; nothing is stored', async (t) => {
  const f = await coreFixture('val-writes');
  try {
    const k = randomBytes(32);
    const c = ssec(k);
    const cases: [string, Record<string, string>, number, string][] = [
      ['ssec+aes256', { ...c, 'x-amz-server-side-encryption': 'AES256' }, 400, 'InvalidArgument'],
      ['ssec+kms', { ...c, 'x-amz-server-side-encryption': 'aws:kms' }, 400, 'InvalidArgument'],
      ['ssec+kms-key-id', { ...c, 'x-amz-server-side-encryption-aws-kms-key-id': 'file:kms-default' }, 400, 'InvalidArgument'],
      ['aes256+kms-key-id', { 'x-amz-server-side-encryption': 'AES256', 'x-amz-server-side-encryption-aws-kms-key-id': 'file:kms-default' }, 400, 'InvalidArgument'],
      ['unknown-algorithm', { 'x-amz-server-side-encryption': 'AES128' }, 400, 'InvalidArgument'],
      ['kms-key-id-alone', { 'x-amz-server-side-encryption-aws-kms-key-id': 'file:kms-default' }, 400, 'InvalidArgument'],
      ['context-alone', { 'x-amz-server-side-encryption-context': b64('{"a":"b"}') }, 400, 'InvalidArgument'],
      ['bucket-key-alone', { 'x-amz-server-side-encryption-bucket-key-enabled': 'true' }, 400, 'InvalidArgument'],
      ['context-not-base64', { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': '{"a":"b"}' }, 400, 'InvalidArgument'],
      ['context-not-json', { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': b64('a=b') }, 400, 'InvalidArgument'],
      ['context-array', { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': b64('["a"]') }, 400, 'InvalidArgument'],
      ['context-number-value', { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': b64('{"a":1}') }, 400, 'InvalidArgument'],
      ['context-derived-key', { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': b64('{"aws:s3:arn":"x"}') }, 400, 'InvalidArgument'],
      ['bucket-key-not-boolean', { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-bucket-key-enabled': 'yes' }, 400, 'InvalidArgument'],
      ['ssec-algorithm', { ...c, 'x-amz-server-side-encryption-customer-algorithm': 'AES128' }, 400, 'InvalidEncryptionAlgorithmError'],
      ['ssec-no-algorithm', { 'x-amz-server-side-encryption-customer-key': c['x-amz-server-side-encryption-customer-key']!, 'x-amz-server-side-encryption-customer-key-md5': c['x-amz-server-side-encryption-customer-key-md5']! }, 400, 'InvalidArgument'],
      ['ssec-short-key', ssec(randomBytes(16)), 400, 'InvalidArgument'],
      ['ssec-md5-mismatch', { ...c, 'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update('x').digest('base64') }, 400, 'InvalidArgument'],
      ['ssec-no-md5', { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': k.toString('base64') }, 400, 'InvalidArgument'],
      ['kms-unknown-key', { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'file:no-such-key' }, 400, 'KMS.NotFoundException'],
      ['dsse', { 'x-amz-server-side-encryption': 'aws:kms:dsse' }, 501, 'NotImplemented'],
    ];
    const data = Buffer.from('never stored');
    for (const [name, headers, status, code] of cases) {
      expectError(t, await f.call({ method: 'PUT', key: name, ...bodyOf(data, headers) }), status, code, name);
      t.false(await stored(f, name), `${name}: nothing stored`);
      expectError(t, await f.call({ method: 'POST', key: name, query: { uploads: '' }, headers }), status, code, `${name} (CreateMultipartUpload)`);
    }
    for (const method of ['PUT', 'POST'] as const) {
      const insecure = await f.call({ method, key: 'insecure', secureTransport: false, ...(method === 'POST' ? { query: { uploads: '' }, headers: c } : bodyOf(data, c)) });
      expectError(t, insecure, 400, 'InvalidRequest', `${method} SSE-C over plain HTTP`);
    }
    t.false(await stored(f, 'insecure'));
  } finally {
    await f.close();
  }
});

test('aws:kms without a key id and no default KMS key configured is InvalidArgument 400', async (t) => {
  const f = await coreFixture('val-nodefault', { defaultKmsKey: false });
  try {
    expectError(t, await f.call({ method: 'PUT', key: 'k', ...bodyOf(Buffer.from('x'), { 'x-amz-server-side-encryption': 'aws:kms' }) }), 400, 'InvalidArgument', 'no default key');
    t.false(await stored(f, 'k'));
    t.is((await f.call({ method: 'PUT', key: 'named', ...bodyOf(Buffer.from('x'), { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'file:kms-other' }) })).status, 200);
  } finally {
    await f.close();
  }
});

test('other PUT refusals: reserved metadata InvalidArgument, metadata over 2 KiB MetadataTooLarge, no Content-Length MissingContentLength 411, conditional PUT / versionId NotImplemented; partNumber of a single-part object; nothing stored', async (t) => {
  const f = await coreFixture('val-other');
  try {
    const data = Buffer.from('never stored');
    expectError(t, await f.call({ method: 'PUT', key: 'reserved', ...bodyOf(data, { 'x-amz-meta-s3seal': 'forged' }) }), 400, 'InvalidArgument', 'reserved metadata');
    expectError(t, await f.call({ method: 'PUT', key: 'reserved2', ...bodyOf(data, { 'x-amz-meta-s3seal-x': 'forged' }) }), 400, 'InvalidArgument', 'reserved prefix');
    expectError(t, await f.call({ method: 'PUT', key: 'big-meta', ...bodyOf(data, { 'x-amz-meta-big': 'x'.repeat(2100) }) }), 400, 'MetadataTooLarge', 'metadata budget');
    expectError(t, await f.call({ method: 'PUT', key: 'no-length', headers: {}, body: Readable.from([data]) }), 411, 'MissingContentLength', 'no Content-Length');
    expectError(t, await f.call({ method: 'PUT', key: 'short', headers: { 'content-length': '100' }, body: Readable.from([data]) }), 400, 'IncompleteBody', 'short body');
    expectError(t, await f.call({ method: 'PUT', key: 'cond', ...bodyOf(data, { 'if-none-match': '*' }) }), 501, 'NotImplemented', 'If-None-Match on PUT');
    expectError(t, await f.call({ method: 'PUT', key: 'cond2', ...bodyOf(data, { 'if-match': '"x"' }) }), 501, 'NotImplemented', 'If-Match on PUT');
    for (const key of ['reserved', 'reserved2', 'big-meta', 'no-length', 'short', 'cond', 'cond2']) t.false(await stored(f, key), `${key}: nothing stored`);
    t.is((await f.call({ method: 'PUT', key: 'v', ...bodyOf(data) })).status, 200);
    expectError(t, await f.call({ method: 'GET', key: 'v', query: { versionId: 'x' } }), 501, 'NotImplemented', 'versionId');
    expectError(t, await f.call({ method: 'DELETE', key: 'v', query: { versionId: 'x' } }), 501, 'NotImplemented', 'versionId delete');
    const part1 = await f.call({ method: 'GET', key: 'v', query: { partNumber: '1' } });
    t.is(part1.status, 206, 'part 1 of a single-part object is all of it, as a 206');
    t.is(part1.headers['content-range'], `bytes 0-${data.length - 1}/${data.length}`);
    t.is(part1.headers['x-amz-mp-parts-count'], undefined, 'no part count for a single-part object (S3)');
    expectError(t, await f.call({ method: 'GET', key: 'v', query: { partNumber: '2' } }), 416, 'InvalidPartNumber', 'partNumber 2 of a single-part object');
    // a HEAD error has no body (S3): the status says it
    t.is((await f.call({ method: 'HEAD', key: 'v', query: { partNumber: '2' } })).status, 416, 'HEAD partNumber 2');
    expectError(t, await f.call({ method: 'GET', key: 'v', query: { partNumber: '0' } }), 400, 'InvalidArgument', 'partNumber 0');
    expectError(t, await f.call({ method: 'GET', key: 'v', query: { partNumber: '1' }, headers: { range: 'bytes=0-1' } }), 400, 'InvalidRequest', 'partNumber + Range');
    t.true(await stored(f, 'v'), 'the versionId DELETE deleted nothing');
  } finally {
    await f.close();
  }
});

test('signed aws-chunked bodies: checked through the verifier the door passes in S3Request; without one AccessDenied 403; a bad chunk signature SignatureDoesNotMatch 403 and nothing stored', async (t) => {
  const f = await coreFixture('val-signed');
  try {
    const ctx: SigningContext = { key: signingKey('secret', '20260101', 'us-east-1', 's3'), date: '20260101T000000Z', scope: '20260101/us-east-1/s3/aws4_request', seedSignature: 'a'.repeat(64) };
    const data = randomBytes(150_000);
    const framed = encodeSigned(ctx, data, [65536, 65536]);
    const headers = { 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': String(data.length), 'content-length': String(framed.length) };
    const ok = await f.call({ method: 'PUT', key: 'signed', headers, body: Readable.from([framed]), chunkSignatureVerifier: testVerifier(ctx) });
    t.is(ok.status, 200, ok.body.toString());
    t.true((await f.call({ method: 'GET', key: 'signed' })).body.equals(data));
    expectError(t, await f.call({ method: 'PUT', key: 'unverified', headers, body: Readable.from([framed]) }), 403, 'AccessDenied', 'no verifier');
    const other = encodeSigned({ ...ctx, key: signingKey('other', '20260101', 'us-east-1', 's3') }, data, [65536, 65536]);
    expectError(t, await f.call({ method: 'PUT', key: 'forged', headers, body: Readable.from([other]), chunkSignatureVerifier: testVerifier(ctx) }), 403, 'SignatureDoesNotMatch', 'bad signature');
    t.false(await stored(f, 'unverified'));
    t.false(await stored(f, 'forged'));
  } finally {
    await f.close();
  }
});
