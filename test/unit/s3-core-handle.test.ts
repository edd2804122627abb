/**
 * S3Core.handle at the unit level (issue 7 item 2): identify → operation table → S3 errors. An
 * unsupported request answers NotImplemented 501 in S3's XML with request id and resource and
 * reaches neither the facade nor the backend; HEAD errors carry no body; typed errors keep their S3
 * code, anything else is InternalError with S3's generic text; the request id comes from the
 * generator the options name; the Complete document parser's codes; echo headers and requestedEncryptionOf.
 */
import test from 'ava';
import { Readable } from 'node:stream';
import { XMLParser } from 'fast-xml-parser';
import { S3Core } from '../../src/adapters/s3/s3-core.js';
import type { S3CoreContext } from '../../src/adapters/s3/s3-operation.js';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import { parseCompleteParts } from '../../src/adapters/s3/operations/complete-multipart-upload.js';
import { parseObjectEncryption } from '../../src/adapters/s3/operations/update-object-encryption.js';
import { sseEchoHeaders } from '../../src/adapters/s3/sse-echo-headers.js';
import { requestedEncryptionOf, wipeSseRequest } from '../../src/adapters/s3/requested-encryption-of.js';
import { BackendRequestError } from '../../src/backends/backend-request-error.js';
import { SealError, isSealError } from '../../src/errors.js';
import type { ObjectStore } from '../../src/backends/object-store.js';
import { ObjectFacade } from '../../src/engine/facade/object-facade.js';
import type { ObjectActionPolicy } from '../../src/engine/facade/object-action-policy.js';
import type { MaterialsManager } from '../../src/engine/materials/materials-manager.js';
import type { SealedObjects } from '../../src/engine/sealed-objects.js';

/** a context whose every member throws when touched: a request that reaches it fails the test */
function untouchable(log: string[]): S3CoreContext {
  const trap = new Proxy({}, { get: (_t, name) => () => { log.push(String(name)); return Promise.reject(new Error(`touched ${String(name)}`)); } });
  return { facade: trap as S3CoreContext['facade'] };
}

function req(over: Partial<S3Request>): S3Request {
  return { method: 'GET', bucket: 'b', key: 'dir/k', query: {}, headers: {}, secureTransport: true, principal: 'p', ...over };
}

const xml = new XMLParser();
const text = (b: Buffer | Readable | undefined): string => (Buffer.isBuffer(b) ? b.toString('utf8') : '');

test('an unsupported request is NotImplemented 501 in S3 XML with the request id and /bucket/key, and reaches neither facade nor backend', async (t) => {
  const log: string[] = [];
  const core = new S3Core(untouchable(log), { requestId: () => 'REQ1' });
  for (const r of [req({ method: 'PUT', query: { acl: '' } }), req({ method: 'GET', query: { tagging: '' } }), req({ method: 'PUT', key: undefined, query: { policy: '' } }), req({ method: 'POST', query: { restore: '' }, body: Readable.from([Buffer.from('<RestoreRequest/>')]) })]) {
    const res = await core.handle(r);
    t.is(res.status, 501);
    t.is(res.headers['content-type'], 'application/xml');
    t.is(res.headers['x-amz-request-id'], 'REQ1');
    const e = (xml.parse(text(res.body)) as { Error: Record<string, string> }).Error;
    t.is(e['Code'], 'NotImplemented');
    t.is(e['RequestId'], 'REQ1');
    t.is(e['Resource'], r.key ? '/b/dir/k' : '/b');
  }
  t.deepEqual(log, []);
});

test('HEAD errors carry status and headers but no body', async (t) => {
  const core = new S3Core(untouchable([]), { requestId: () => 'R' });
  const res = await core.handle(req({ method: 'HEAD', query: { acl: '' } }));
  t.is(res.status, 501);
  t.is(res.body, undefined);
  t.is(res.headers['x-amz-request-id'], 'R');
});

test('thrown errors: typed ones keep their S3 code and status, a backend refusal its S3 code, anything else InternalError 500 with S3 generic text; onError sees the original', async (t) => {
  const seen: unknown[] = [];
  const throwing = (err: unknown): S3CoreContext => ({
    facade: {
      getObject: () => {
        throw err;
      },
    } as unknown as S3CoreContext['facade'],
  });
  const cases: [unknown, number, string, string | undefined][] = [
    [new SealError('AccessDenied', 'b/k is under key arn:planted'), 403, 'AccessDenied', 'Access Denied'],
    [new BackendRequestError('NoSuchKey', 404, 'GetObject'), 404, 'NoSuchKey', 'The specified key does not exist.'],
    [new Error('secret detail from a library'), 500, 'InternalError', 'We encountered an internal error. Please try again.'],
    [new SealError('BackendUnavailable', 'down'), 503, 'ServiceUnavailable', undefined],
  ];
  for (const [err, status, code, message] of cases) {
    const core = new S3Core(throwing(err), { requestId: () => 'X', onError: (e) => seen.push(e) });
    const res = await core.handle(req({}));
    t.is(res.status, status, code);
    const e = (xml.parse(text(res.body)) as { Error: Record<string, string> }).Error;
    t.is(e['Code'], code);
    if (message !== undefined) t.is(e['Message'], message);
    t.false(text(res.body).includes('secret') || text(res.body).includes('planted'));
  }
  t.deepEqual(seen, cases.map((c) => c[0]));
});

test('the default request id is 16 upper-case hex digits, fresh per request', async (t) => {
  const core = new S3Core(untouchable([]));
  const a = await core.handle(req({ query: { acl: '' } }));
  const b = await core.handle(req({ query: { acl: '' } }));
  t.regex(a.headers['x-amz-request-id']!, /^[0-9A-F]{16}$/);
  t.not(a.headers['x-amz-request-id'], b.headers['x-amz-request-id']);
});

test('parseCompleteParts: parts in ascending order with ETags; out of order InvalidPartOrder; empty, malformed, DTD, bad numbers MalformedXML', (t) => {
  const doc = (inner: string): Buffer => Buffer.from(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</CompleteMultipartUpload>`);
  t.deepEqual(parseCompleteParts(doc('<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part><Part><ETag>"b"</ETag><PartNumber>3</PartNumber></Part>')), [
    { partNumber: 1, etag: '"a"' },
    { partNumber: 3, etag: '"b"' },
  ]);
  const code = (d: Buffer): string | undefined => {
    try {
      parseCompleteParts(d);
      return undefined;
    } catch (err) {
      return isSealError(err) ? err.code : 'untyped';
    }
  };
  t.is(code(doc('<Part><PartNumber>2</PartNumber><ETag>a</ETag></Part><Part><PartNumber>1</PartNumber><ETag>b</ETag></Part>')), 'InvalidPartOrder');
  t.is(code(doc('<Part><PartNumber>1</PartNumber><ETag>a</ETag></Part><Part><PartNumber>1</PartNumber><ETag>b</ETag></Part>')), 'InvalidPartOrder');
  for (const bad of [doc(''), doc('<Part><PartNumber>1</PartNumber></Part>'), doc('<Part><PartNumber>10001</PartNumber><ETag>a</ETag></Part>'), doc('<Part><PartNumber>-1</PartNumber><ETag>a</ETag></Part>'), doc('<Part><PartNumber>x</PartNumber><ETag>a</ETag></Part>'), Buffer.from('<Other/>'), Buffer.from('<CompleteMultipartUpload><Part>'), Buffer.from('<!DOCTYPE a [<!ENTITY x "y">]><CompleteMultipartUpload/>'), Buffer.from('')]) {
    t.is(code(bad), 'MalformedXML', bad.toString());
  }
});

test('sseEchoHeaders: what S3 echoes per mode and response kind', (t) => {
  const kms = { mode: 'SSE-KMS' as const, keyId: 'file:k', context: { a: 'b' }, bucketKeyEnabled: true };
  const ctx = Buffer.from('{"a":"b"}').toString('base64');
  t.deepEqual(sseEchoHeaders(kms, 'write'), {
    'x-amz-server-side-encryption': 'aws:kms',
    'x-amz-server-side-encryption-aws-kms-key-id': 'file:k',
    'x-amz-server-side-encryption-context': ctx,
    'x-amz-server-side-encryption-bucket-key-enabled': 'true',
  });
  t.deepEqual(sseEchoHeaders(kms, 'object'), { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'file:k', 'x-amz-server-side-encryption-bucket-key-enabled': 'true' });
  t.deepEqual(sseEchoHeaders(kms, 'complete'), sseEchoHeaders(kms, 'object'));
  t.deepEqual(sseEchoHeaders({ mode: 'SSE-S3', keyId: 'file:s3-default', bucketKeyEnabled: false }, 'write'), { 'x-amz-server-side-encryption': 'AES256' }, 'the managed key id is not echoed');
  const c = { mode: 'SSE-C' as const, bucketKeyEnabled: false, customerKeyMd5: 'bWQ1' };
  t.deepEqual(sseEchoHeaders(c, 'object'), { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key-md5': 'bWQ1' });
  t.deepEqual(sseEchoHeaders(c, 'complete'), {});
  t.deepEqual(sseEchoHeaders(undefined, 'object'), {});
});

test('requestedEncryptionOf: no SSE stays none (the bucket default decides), AES256 → SSE-S3; aws:kms without key id → no keyRef; key id, context carried; an unsaid BucketKeyEnabled stays unsaid, a said one (also false) is kept; SSE-C holds the request key, zeroed by wipeSseRequest', (t) => {
  t.deepEqual(requestedEncryptionOf({ mode: 'none' }), { mode: 'none' });
  t.deepEqual(requestedEncryptionOf({ mode: 'SSE-S3' }), { mode: 'SSE-S3' });
  t.deepEqual(requestedEncryptionOf({ mode: 'SSE-KMS' }), { mode: 'SSE-KMS' });
  t.deepEqual(requestedEncryptionOf({ mode: 'SSE-KMS', keyId: 'alias/x', context: { a: 'b' }, bucketKeyEnabled: true }), { mode: 'SSE-KMS', keyRef: 'alias/x', context: { a: 'b' }, bucketKey: true });
  t.deepEqual(requestedEncryptionOf({ mode: 'SSE-KMS', bucketKeyEnabled: false }), { mode: 'SSE-KMS', bucketKey: false });
  const key = Buffer.alloc(32, 7);
  const sse = { mode: 'SSE-C' as const, key, keyMd5: 'x' };
  const plan = requestedEncryptionOf(sse);
  t.is(plan.mode === 'SSE-C' ? plan.customerKey : undefined, key);
  wipeSseRequest(sse);
  t.true(key.every((b) => b === 0));
});

test('UpdateObjectEncryption document: SSE-KMS with KMSKeyArn (BucketKeyEnabled optional); anything else MalformedXML or InvalidArgument', (t) => {
  const doc = (inner: string): Buffer => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><ObjectEncryption xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</ObjectEncryption>`);
  t.deepEqual(parseObjectEncryption(doc('<SSE-KMS><KMSKeyArn>file:k</KMSKeyArn><BucketKeyEnabled>true</BucketKeyEnabled></SSE-KMS>')), { keyRef: 'file:k', bucketKey: true });
  t.deepEqual(parseObjectEncryption(doc('<SSE-KMS><KMSKeyArn>alias/a</KMSKeyArn></SSE-KMS>')), { keyRef: 'alias/a' });
  const code = (b: Buffer): string | undefined => (t.throws(() => parseObjectEncryption(b)) as SealError | undefined)?.code;
  t.is(code(doc('')), 'MalformedXML');
  t.is(code(doc('<SSE-S3></SSE-S3>')), 'MalformedXML');
  t.is(code(doc('<SSE-KMS><KMSKeyArn></KMSKeyArn></SSE-KMS>')), 'InvalidArgument');
  t.is(code(doc(`<SSE-KMS><KMSKeyArn>${'a'.repeat(2049)}</KMSKeyArn></SSE-KMS>`)), 'InvalidArgument');
  t.is(code(doc('<SSE-KMS><KMSKeyArn>k</KMSKeyArn><BucketKeyEnabled>yes</BucketKeyEnabled></SSE-KMS>')), 'MalformedXML');
  t.is(code(Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><ObjectEncryption/>')), 'MalformedXML');
  t.is(code(Buffer.from('not xml <')), 'MalformedXML');
});

test('refused rather than ignored, reaching nothing: conditional DeleteObject (If-Match, last-modified time, size), DeleteObjects entries with ETag / LastModifiedTime / Size, x-amz-expected-bucket-owner on any operation', async (t) => {
  const log: string[] = [];
  const core = new S3Core(untouchable(log), { requestId: () => 'R' });
  const code = async (r: S3Request): Promise<[number, string | undefined]> => {
    const res = await core.handle(r);
    return [res.status, (xml.parse(text(res.body)) as { Error?: Record<string, string> }).Error?.['Code']];
  };
  for (const h of ['if-match', 'x-amz-if-match-last-modified-time', 'x-amz-if-match-size']) t.deepEqual(await code(req({ method: 'DELETE', headers: { [h]: '"e"' } })), [501, 'NotImplemented'], h);
  for (const el of ['<ETag>"e"</ETag>', '<LastModifiedTime>2026-01-01T00:00:00Z</LastModifiedTime>', '<Size>3</Size>']) {
    const doc = Buffer.from(`<Delete><Object><Key>k</Key>${el}</Object></Delete>`);
    const md5 = (await import('node:crypto')).createHash('md5').update(doc).digest('base64');
    t.deepEqual(await code(req({ method: 'POST', key: undefined, query: { delete: '' }, headers: { 'content-md5': md5, 'content-length': String(doc.length) }, body: Readable.from([doc]) })), [501, 'NotImplemented'], el);
  }
  t.deepEqual(await code(req({ headers: { 'x-amz-expected-bucket-owner': '111122223333' } })), [501, 'NotImplemented'], 'GET with expected owner');
  t.deepEqual(await code(req({ method: 'PUT', headers: { 'x-amz-expected-bucket-owner': '111122223333', 'content-length': '1' }, body: Readable.from([Buffer.from('x')]) })), [501, 'NotImplemented'], 'PUT with expected owner');
  t.deepEqual(log, [], 'nothing reached the facade or the backend');
});

test('the error hook gets a summary of the request, never its headers (SSE-C keys) or body', async (t) => {
  const seen: unknown[] = [];
  const key = Buffer.alloc(32, 7).toString('base64');
  const core = new S3Core(untouchable([]), { requestId: () => 'R', onError: (_e, op, r) => seen.push([op, r]) });
  await core.handle(req({ headers: { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': key, 'x-amz-copy-source-server-side-encryption-customer-key': key } }));
  t.is(seen.length, 1);
  t.false(JSON.stringify(seen).includes(key), 'no SSE-C key reaches the hook');
  t.deepEqual(seen[0], ['GetObject', { method: 'GET', bucket: 'b', key: 'dir/k', principal: 'p', requestId: 'R' }]);
});

test('bucket operations go through the facade and ask the policy first: a refusal is AccessDenied 403 and reaches no backend', async (t) => {
  const log: string[] = [];
  const store = new Proxy({}, { get: (_t, name) => () => { log.push(String(name)); return Promise.reject(new Error(`touched ${String(name)}`)); } }) as ObjectStore;
  const asked: string[] = [];
  const deny: ObjectActionPolicy = { authorize: (principal, action, o) => { asked.push(`${principal} ${action} ${o.bucket}/${o.key}`); return Promise.reject(new SealError('AccessDenied', 'no')); } };
  const facade = new ObjectFacade({} as SealedObjects, {} as MaterialsManager, store, deny);
  const core = new S3Core({ facade }, { requestId: () => 'R' });
  const cases: [S3Request, string][] = [
    [req({ method: 'PUT', key: undefined }), 'CreateBucket b/'],
    [req({ method: 'DELETE', key: undefined }), 'DeleteBucket b/'],
    [req({ method: 'HEAD', key: undefined }), 'HeadBucket b/'],
    [req({ method: 'GET', bucket: undefined, key: undefined }), 'ListBuckets /'],
    [req({ method: 'GET', key: undefined, query: { location: '' } }), 'GetBucketLocation b/'],
  ];
  for (const [r, action] of cases) {
    const res = await core.handle(r);
    t.is(res.status, 403, action);
    t.is(asked.pop(), `p ${action}`);
  }
  t.deepEqual(log, [], 'no backend call');
});
