/**
 * The S3 core's CopyObject and UploadPartCopy operations over a recording fake facade (issue 7
 * item 4): what the request becomes (copy source with its version, the source's SSE-C key, the
 * destination plan, whether the request named SSE at all, the directive — metadata and content
 * headers passed only on REPLACE —, the copy-source range resolved against the source length, the
 * CopySourceIf* check), the answer's XML and echo, and that both SSE-C keys (source and destination)
 * are zeroed once the core answered, on success and on failure. Real servers: test/integration/copy-*.test.ts.
 */
import test from 'ava';
import { XMLParser } from 'fast-xml-parser';
import { S3Core } from '../../src/adapters/s3/s3-core.js';
import type { S3CoreContext } from '../../src/adapters/s3/s3-operation.js';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import type { CopyObjectRequest, UploadPartCopyRequest } from '../../src/engine/facade/copy-object-types.js';
import { SealError } from '../../src/errors.js';
import { ssecHeaders } from '../helpers/s3-request-fixture.js';

const xml = new XMLParser({ parseTagValue: false });
const base = { bucket: 'b', secureTransport: true, principal: 'p', method: 'PUT' as const };

function fakeFacade(seen: { copy?: CopyObjectRequest; part?: UploadPartCopyRequest }, fail: boolean): S3CoreContext {
  const facade = {
    copyObject: (r: CopyObjectRequest) => {
      seen.copy = r;
      if (fail) return Promise.reject(new SealError('AccessDenied', 'no'));
      return Promise.resolve({ etag: '"e1"', lastModified: new Date('2026-01-02T03:04:05.000Z'), copySourceVersionId: 'v7', sse: { mode: 'SSE-KMS', keyId: 'arn:k', context: { a: 'b' }, bucketKeyEnabled: true } });
    },
    uploadPartCopy: (r: UploadPartCopyRequest) => {
      seen.part = r;
      if (fail) return Promise.reject(new SealError('AccessDenied', 'no'));
      return Promise.resolve({ etag: '"p1"', lastModified: new Date('2026-01-02T03:04:05.000Z'), sse: { mode: 'SSE-C', bucketKeyEnabled: false, customerKeyMd5: 'md5' } });
    },
  };
  return { facade: facade as unknown as S3CoreContext['facade'] };
}

test('CopyObject: the request the facade gets, CopyObjectResult XML and the destination echo (context included, as S3 sends on Copy)', async (t) => {
  const seen: { copy?: CopyObjectRequest } = {};
  const core = new S3Core(fakeFacade(seen, false));
  const src = ssecHeaders(undefined, 'copy-source-');
  const req: S3Request = {
    ...base,
    key: 'dst/k',
    query: {},
    headers: { 'x-amz-copy-source': '/src-bucket/a%20b/c%3Fd?versionId=v7', ...src.headers, 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-meta-x': '1', 'content-type': 'text/plain', 'x-amz-copy-source-if-match': '"e0"' },
  };
  const res = await core.handle(req);
  t.is(res.status, 200);
  const c = seen.copy!;
  t.like(c, { principal: 'p', bucket: 'b', key: 'dst/k', encryptionRequested: true, metadataDirective: 'COPY', encryption: { mode: 'SSE-KMS' } });
  t.deepEqual({ ...c.source, customerKey: undefined }, { bucket: 'src-bucket', key: 'a b/c?d', versionId: 'v7', customerKey: undefined });
  t.is(c.userMetadata, undefined, 'COPY passes no metadata');
  t.is(c.contentType, undefined, 'nor content headers');
  t.throws(() => c.sourceCondition!({ etag: '"other"', lastModified: new Date() }), { instanceOf: SealError, message: /pre-conditions/ });
  t.notThrows(() => c.sourceCondition!({ etag: '"e0"', lastModified: new Date() }));
  const body = xml.parse((res.body as Buffer).toString('utf8')) as { CopyObjectResult: { ETag: string; LastModified: string } };
  t.deepEqual(body.CopyObjectResult, { ETag: '"e1"', LastModified: '2026-01-02T03:04:05.000Z' });
  t.is(res.headers['x-amz-copy-source-version-id'], 'v7');
  t.is(res.headers['x-amz-server-side-encryption'], 'aws:kms');
  t.is(res.headers['x-amz-server-side-encryption-aws-kms-key-id'], 'arn:k');
  t.is(res.headers['x-amz-server-side-encryption-context'], Buffer.from('{"a":"b"}').toString('base64'));
  t.is(res.headers['x-amz-server-side-encryption-bucket-key-enabled'], 'true');

  await core.handle({ ...req, headers: { 'x-amz-copy-source': 'src-bucket/k', 'x-amz-metadata-directive': 'REPLACE', 'x-amz-meta-x': '1', 'content-type': 'text/plain' } });
  t.like(seen.copy, { encryptionRequested: false, metadataDirective: 'REPLACE', userMetadata: { x: '1' }, contentType: 'text/plain', encryption: { mode: 'none' } });
  t.is(seen.copy!.sourceCondition, undefined);
});

test('UploadPartCopy: copy-source range resolved against the source length (InvalidArgument past the end), CopyPartResult XML, the upload echo without context', async (t) => {
  const seen: { part?: UploadPartCopyRequest } = {};
  const core = new S3Core(fakeFacade(seen, false));
  const res = await core.handle({ ...base, key: 'k', query: { partNumber: '3', uploadId: 'tok' }, headers: { 'x-amz-copy-source': 'b/src', 'x-amz-copy-source-range': 'bytes=10-19', ...ssecHeaders().headers } });
  t.is(res.status, 200);
  const p = seen.part!;
  t.like(p, { bucket: 'b', key: 'k', uploadId: 'tok', partNumber: 3, source: { bucket: 'b', key: 'src' } });
  t.is(p.customerKey?.length, 32);
  t.deepEqual(p.range!(100), { start: 10, end: 19 });
  t.throws(() => p.range!(15), { instanceOf: SealError, message: /source object of size: 15/ });
  const body = xml.parse((res.body as Buffer).toString('utf8')) as { CopyPartResult: { ETag: string; LastModified: string } };
  t.deepEqual(body.CopyPartResult, { ETag: '"p1"', LastModified: '2026-01-02T03:04:05.000Z' });
  t.is(res.headers['x-amz-server-side-encryption-customer-key-md5'], 'md5');
  const bad = await core.handle({ ...base, key: 'k', query: { partNumber: '3', uploadId: 'tok' }, headers: { 'x-amz-copy-source': 'b/src', 'x-amz-server-side-encryption': 'AES256' } });
  t.is(bad.status, 400, 'UploadPartCopy takes SSE-C headers only: the mode was fixed at Create');
});

for (const fail of [false, true]) {
  test(`CopyObject and UploadPartCopy zero the source's and the destination's SSE-C key once the core answered (${fail ? 'the facade fails' : 'success'})`, async (t) => {
    const seen: { copy?: CopyObjectRequest; part?: UploadPartCopyRequest } = {};
    const core = new S3Core(fakeFacade(seen, fail));
    const both = (): Record<string, string> => ({ ...ssecHeaders(undefined, 'copy-source-').headers, ...ssecHeaders().headers });
    const a = await core.handle({ ...base, key: 'k', query: {}, headers: { 'x-amz-copy-source': 'b/src', ...both() } });
    const b = await core.handle({ ...base, key: 'k', query: { partNumber: '1', uploadId: 'tok' }, headers: { 'x-amz-copy-source': 'b/src', ...both() } });
    t.deepEqual([a.status, b.status], fail ? [403, 403] : [200, 200]);
    const keys = [seen.copy!.source.customerKey!, (seen.copy!.encryption as { customerKey: Buffer }).customerKey, seen.part!.source.customerKey!, seen.part!.customerKey!];
    for (const k of keys) {
      t.is(k.length, 32);
      t.true(k.every((x) => x === 0), 'zeroed');
    }
  });
}
