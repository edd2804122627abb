/**
 * SSE request headers as Amazon S3 validates them (issue 7 items 2–3, DESIGN.md "Errors"): each
 * case asserts S3's code, status and message through the S3 error shape a door would send.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { parseSseRequest, SSE_MESSAGES, type SseOperation } from '../../src/adapters/s3/parse-sse-request.js';
import { parseCopySourceSse } from '../../src/adapters/s3/parse-copy-source-sse.js';
import { SSEC_MESSAGES } from '../../src/adapters/s3/sse-customer-key.js';
import { SSE_CONTEXT_MALFORMED } from '../../src/adapters/s3/parse-sse-context.js';
import { s3ErrorShape } from '../../src/adapters/s3/s3-error-shape.js';
import { s3Request, ssecHeaders, throwsS3 } from '../helpers/s3-request-fixture.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const INVALID_ARGUMENT = { code: 'InvalidArgument', status: 400 } as const;

test('no SSE headers: none, on every operation', (t) => {
  for (const op of ['write', 'part', 'read'] as SseOperation[]) t.deepEqual(parseSseRequest(s3Request({}), op), { mode: 'none' });
});

test('x-amz-server-side-encryption: AES256 → SSE-S3; aws:kms with key id, context and bucket key → SSE-KMS', (t) => {
  t.deepEqual(parseSseRequest(s3Request({ 'x-amz-server-side-encryption': 'AES256' }), 'write'), { mode: 'SSE-S3' });
  t.deepEqual(parseSseRequest(s3Request({ 'x-amz-server-side-encryption': 'aws:kms' }), 'write'), { mode: 'SSE-KMS' });
  t.deepEqual(
    parseSseRequest(
      s3Request({
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': 'alias/app',
        'x-amz-server-side-encryption-context': b64('{"tenant":"a","x":"y"}'),
        'x-amz-server-side-encryption-bucket-key-enabled': 'TRUE',
      }),
      'write',
    ),
    { mode: 'SSE-KMS', keyId: 'alias/app', context: { tenant: 'a', x: 'y' }, bucketKeyEnabled: true },
  );
  t.deepEqual(parseSseRequest(s3Request({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': b64('{}') }), 'write'), { mode: 'SSE-KMS' });
});

test('SSE-C: a valid triple yields the 32-byte key and its MD5, on write, part and read', (t) => {
  const { headers, key } = ssecHeaders();
  for (const op of ['write', 'part', 'read'] as SseOperation[]) {
    const r = parseSseRequest(s3Request(headers), op);
    t.is(r.mode, 'SSE-C');
    if (r.mode !== 'SSE-C') continue;
    t.true(r.key.equals(key));
    t.is(r.keyMd5, headers['x-amz-server-side-encryption-customer-key-md5']!);
  }
});

test('SSE-C algorithm other than AES256 → InvalidEncryptionAlgorithmError 400; missing → InvalidArgument 400', (t) => {
  const { headers } = ssecHeaders();
  throwsS3(t, () => parseSseRequest(s3Request({ ...headers, 'x-amz-server-side-encryption-customer-algorithm': 'aws:kms' }), 'write'), {
    code: 'InvalidEncryptionAlgorithmError',
    status: 400,
  });
  throwsS3(t, () => parseSseRequest(s3Request({ ...headers, 'x-amz-server-side-encryption-customer-algorithm': 'aes256' }), 'read'), {
    code: 'InvalidEncryptionAlgorithmError',
    status: 400,
  });
  const { 'x-amz-server-side-encryption-customer-algorithm': _, ...noAlgorithm } = headers;
  throwsS3(t, () => parseSseRequest(s3Request(noAlgorithm), 'write'), { ...INVALID_ARGUMENT, message: SSEC_MESSAGES.algorithmMissing });
});

test('SSE-C key must be base64 of exactly 32 bytes → InvalidArgument 400', (t) => {
  const { headers } = ssecHeaders();
  const { 'x-amz-server-side-encryption-customer-key': _, ...noKey } = headers;
  throwsS3(t, () => parseSseRequest(s3Request(noKey), 'write'), { ...INVALID_ARGUMENT, message: SSEC_MESSAGES.keyMissing });
  for (const bad of [randomBytes(31).toString('base64'), randomBytes(33).toString('base64'), randomBytes(16).toString('base64'), '', 'not base64!', 'A'.repeat(10_000), `${randomBytes(32).toString('base64').slice(0, -1)}`]) {
    const err = throwsS3(t, () => parseSseRequest(s3Request({ ...headers, 'x-amz-server-side-encryption-customer-key': bad }), 'write'), {
      ...INVALID_ARGUMENT,
      message: SSEC_MESSAGES.keyInvalid,
    });
    if (bad.length > 0 && bad.length < 100) t.false(err?.message.includes(bad), 'the message never quotes the key');
  }
});

test('SSE-C key MD5 must be present and match → InvalidArgument 400; the message never contains key material', (t) => {
  const { headers, key } = ssecHeaders();
  const { 'x-amz-server-side-encryption-customer-key-md5': _, ...noMd5 } = headers;
  throwsS3(t, () => parseSseRequest(s3Request(noMd5), 'write'), { ...INVALID_ARGUMENT, message: SSEC_MESSAGES.md5Missing });
  const wrong = createHash('md5').update(randomBytes(32)).digest('base64');
  for (const md5 of [wrong, createHash('md5').update(key).digest('hex'), '', '!!']) {
    const err = throwsS3(t, () => parseSseRequest(s3Request({ ...headers, 'x-amz-server-side-encryption-customer-key-md5': md5 }), 'write'), {
      ...INVALID_ARGUMENT,
      message: SSEC_MESSAGES.md5Mismatch,
    });
    const text = `${err?.message} ${err?.stack}`;
    t.false(text.includes(key.toString('base64')));
    t.false(text.includes(headers['x-amz-server-side-encryption-customer-key-md5']!));
  }
});

test('SSE-C over a non-TLS transport → InvalidRequest 400, before the key is looked at', (t) => {
  const { headers } = ssecHeaders();
  for (const op of ['write', 'part', 'read'] as SseOperation[]) {
    throwsS3(t, () => parseSseRequest(s3Request(headers, { secureTransport: false }), op), { code: 'InvalidRequest', status: 400, message: SSEC_MESSAGES.insecure });
  }
  // even a broken or conflicting triple gets the transport error first
  throwsS3(t, () => parseSseRequest(s3Request({ ...headers, 'x-amz-server-side-encryption-customer-key': 'x', 'x-amz-server-side-encryption': 'AES256' }, { secureTransport: false }), 'write'), {
    code: 'InvalidRequest',
    status: 400,
  });
  throwsS3(t, () => parseCopySourceSse(s3Request(ssecHeaders(undefined, 'copy-source-').headers, { secureTransport: false })), { code: 'InvalidRequest', status: 400 });
  // no SSE-C: plain HTTP is fine
  t.deepEqual(parseSseRequest(s3Request({ 'x-amz-server-side-encryption': 'AES256' }, { secureTransport: false }), 'write'), { mode: 'SSE-S3' });
});

test('conflicting SSE parameters → InvalidArgument 400: SSE-C + AES256, SSE-C + aws:kms, AES256 + KMS key id, unknown algorithm', (t) => {
  const { headers } = ssecHeaders();
  for (const sse of ['AES256', 'aws:kms']) {
    throwsS3(t, () => parseSseRequest(s3Request({ ...headers, 'x-amz-server-side-encryption': sse }), 'write'), { ...INVALID_ARGUMENT, message: SSE_MESSAGES.ssecConflict });
  }
  throwsS3(t, () => parseSseRequest(s3Request({ 'x-amz-server-side-encryption': 'AES256', 'x-amz-server-side-encryption-aws-kms-key-id': 'alias/a' }), 'write'), {
    ...INVALID_ARGUMENT,
    message: SSE_MESSAGES.kmsRequired,
  });
  for (const sse of ['aes256', 'AES128', 'kms', '', 'aws:kms ']) {
    throwsS3(t, () => parseSseRequest(s3Request({ 'x-amz-server-side-encryption': sse }), 'write'), { ...INVALID_ARGUMENT, message: SSE_MESSAGES.unknownMethod });
  }
  throwsS3(t, () => parseSseRequest(s3Request({ 'x-amz-server-side-encryption': 'aws:kms:dsse' }), 'write'), { code: 'NotImplemented', status: 501 });
});

test('KMS key id, context or bucket-key header without aws:kms → InvalidArgument 400 (also alongside SSE-C)', (t) => {
  const kms = {
    'x-amz-server-side-encryption-aws-kms-key-id': 'alias/a',
    'x-amz-server-side-encryption-context': b64('{"a":"b"}'),
    'x-amz-server-side-encryption-bucket-key-enabled': 'true',
  };
  for (const [name, value] of Object.entries(kms)) {
    throwsS3(t, () => parseSseRequest(s3Request({ [name]: value }), 'write'), { ...INVALID_ARGUMENT, message: SSE_MESSAGES.kmsRequired });
    throwsS3(t, () => parseSseRequest(s3Request({ ...ssecHeaders().headers, [name]: value }), 'write'), { ...INVALID_ARGUMENT, message: SSE_MESSAGES.kmsRequired });
  }
  throwsS3(t, () => parseSseRequest(s3Request({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-bucket-key-enabled': 'yes' }), 'write'), INVALID_ARGUMENT);
  throwsS3(t, () => parseSseRequest(s3Request({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': ' ' }), 'write'), INVALID_ARGUMENT);
  throwsS3(t, () => parseSseRequest(s3Request({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'k'.repeat(2049) }), 'write'), INVALID_ARGUMENT);
});

test('malformed x-amz-server-side-encryption-context (not base64 of a JSON object of strings) → InvalidArgument 400', (t) => {
  const bad = [
    'not base64!',
    b64('not json'),
    b64('[]'),
    b64('"s"'),
    b64('null'),
    b64('{"a":1}'),
    b64('{"a":{"b":"c"}}'),
    b64('{"Context":{"Context":{}}}'), // the minio-go#2235 case
    Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x22, 0x22, 0x7d]).toString('base64'), // {"\xff":""}: not UTF-8
    `${b64('{"a":"b"}')}=`,
    'A'.repeat(8200),
  ];
  for (const value of bad) {
    throwsS3(t, () => parseSseRequest(s3Request({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': value }), 'write'), {
      ...INVALID_ARGUMENT,
      message: SSE_CONTEXT_MALFORMED,
    });
  }
  throwsS3(t, () => parseSseRequest(s3Request({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': b64('{"aws:s3:arn":"arn:aws:s3:::x/y"}') }), 'write'), INVALID_ARGUMENT);
  const proto = parseSseRequest(s3Request({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': b64('{"__proto__":"x"}') }), 'write');
  t.true(proto.mode === 'SSE-KMS' && Object.getPrototypeOf(proto.context) === Object.prototype && proto.context?.['__proto__'] === 'x');
});

test('x-amz-server-side-encryption (and the KMS headers) on GET/HEAD or UploadPart → InvalidArgument 400', (t) => {
  for (const op of ['read', 'part'] as SseOperation[]) {
    for (const sse of ['AES256', 'aws:kms']) {
      throwsS3(t, () => parseSseRequest(s3Request({ 'x-amz-server-side-encryption': sse }, { method: 'GET' }), op), {
        ...INVALID_ARGUMENT,
        message: 'x-amz-server-side-encryption header is not supported for this operation.',
      });
    }
    throwsS3(t, () => parseSseRequest(s3Request({ 'x-amz-server-side-encryption-aws-kms-key-id': 'alias/a' }, { method: 'HEAD' }), op), INVALID_ARGUMENT);
  }
});

test('copy-source SSE-C headers are parsed apart from the destination, with the same validation', (t) => {
  const src = ssecHeaders(undefined, 'copy-source-');
  const dst = ssecHeaders();
  const req = s3Request({ ...src.headers, ...dst.headers, 'x-amz-copy-source': 'b/k' });
  t.true(parseCopySourceSse(req)?.key.equals(src.key));
  const d = parseSseRequest(req, 'write');
  t.true(d.mode === 'SSE-C' && d.key.equals(dst.key));
  // copy-source SSE-C with a destination SSE-S3 is no conflict (they describe different objects)
  t.is(parseSseRequest(s3Request({ ...src.headers, 'x-amz-server-side-encryption': 'AES256' }), 'write').mode, 'SSE-S3');
  t.is(parseCopySourceSse(s3Request(dst.headers)), undefined);
  throwsS3(t, () => parseCopySourceSse(s3Request({ ...src.headers, 'x-amz-copy-source-server-side-encryption-customer-key-md5': dst.headers['x-amz-server-side-encryption-customer-key-md5']! })), {
    ...INVALID_ARGUMENT,
    message: SSEC_MESSAGES.md5Mismatch,
  });
  throwsS3(t, () => parseCopySourceSse(s3Request({ ...src.headers, 'x-amz-copy-source-server-side-encryption-customer-algorithm': 'AES512' })), { code: 'InvalidEncryptionAlgorithmError', status: 400 });
});

test('S3 shape of every SSE error is a 4xx/5xx with S3 code, and no message contains the key in any encoding', (t) => {
  const { headers, key } = ssecHeaders();
  const cases = [
    { ...headers, 'x-amz-server-side-encryption': 'AES256' },
    { ...headers, 'x-amz-server-side-encryption-customer-key-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' },
    { ...headers, 'x-amz-server-side-encryption-customer-algorithm': 'X' },
  ];
  for (const h of cases) {
    const err = t.throws(() => parseSseRequest(s3Request(h), 'write'));
    const shape = s3ErrorShape(err);
    for (const enc of ['base64', 'hex', 'base64url', 'latin1'] as const) t.false(shape.message.includes(key.toString(enc)));
  }
});
