/**
 * The S3 core's object headers (issue 7 items 1, 2): caller metadata and content headers taken from
 * a write (aws-chunked dropped from Content-Encoding), headers whose effect s3seal cannot give refused
 * with NotImplemented, and GET/HEAD answers built from the facade's result only — reserved metadata
 * never echoed, response-* overrides applied.
 */
import test from 'ava';
import { callerMetadata, objectResponseHeaders, refuseUnsupportedWriteHeaders, requestContentHeaders } from '../../src/adapters/s3/object-headers.js';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import { isSealError } from '../../src/errors.js';

const req = (query: Record<string, string> = {}): S3Request => ({ method: 'GET', bucket: 'b', key: 'k', query, headers: {}, secureTransport: true, principal: 'p' });

test('callerMetadata: x-amz-meta-* without the prefix; other headers and an empty name ignored; __proto__ stays an entry', (t) => {
  const meta = callerMetadata({ 'x-amz-meta-a': '1', 'x-amz-meta-__proto__': 'x', 'x-amz-meta-': 'empty', 'content-type': 't', 'x-amz-metadata-directive': 'COPY' });
  t.deepEqual(Object.keys(meta).sort(), ['__proto__', 'a']);
  t.is(Object.getPrototypeOf(meta), Object.prototype);
});

test('requestContentHeaders: the six content headers; aws-chunked dropped from Content-Encoding (none left: none stored)', (t) => {
  t.deepEqual(requestContentHeaders({ 'content-type': 'a/b', 'cache-control': 'no', 'content-disposition': 'inline', 'content-language': 'en', 'content-encoding': 'gzip,aws-chunked', expires: 'Thu, 01 Jan 2032 00:00:00 GMT' }), {
    contentType: 'a/b',
    cacheControl: 'no',
    contentDisposition: 'inline',
    contentLanguage: 'en',
    contentEncoding: 'gzip',
    expires: 'Thu, 01 Jan 2032 00:00:00 GMT',
  });
  t.deepEqual(requestContentHeaders({ 'content-encoding': 'aws-chunked' }), {});
});

test('refuseUnsupportedWriteHeaders: tagging, object lock, grants, ACLs other than private, storage classes, website redirects and conditional writes are NotImplemented', (t) => {
  const refused: Record<string, string>[] = [
    { 'x-amz-tagging': 'a=b' },
    { 'x-amz-object-lock-mode': 'GOVERNANCE' },
    { 'x-amz-object-lock-legal-hold': 'ON' },
    { 'x-amz-grant-read': 'id=x' },
    { 'x-amz-acl': 'public-read' },
    { 'x-amz-storage-class': 'GLACIER' },
    { 'x-amz-website-redirect-location': '/x' },
    { 'if-none-match': '*' },
    { 'if-match': '"e"' },
  ];
  for (const h of refused) {
    const err = t.throws(() => refuseUnsupportedWriteHeaders(h, 'object'));
    t.true(isSealError(err, 'NotImplemented'), JSON.stringify(h));
  }
  t.notThrows(() => refuseUnsupportedWriteHeaders({ 'x-amz-acl': 'private', 'x-amz-storage-class': 'STANDARD', 'content-type': 'x' }, 'object'));
  t.throws(() => refuseUnsupportedWriteHeaders({ 'x-amz-bucket-object-lock-enabled': 'True' }, 'bucket'));
  t.notThrows(() => refuseUnsupportedWriteHeaders({ 'x-amz-bucket-object-lock-enabled': 'false' }, 'bucket'));
});

test('objectResponseHeaders: plaintext length, backend ETag, dates, content headers, caller metadata only (reserved names never), response-* overrides', (t) => {
  const h = objectResponseHeaders(
    {
      etag: '"e"',
      contentLength: 42,
      lastModified: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      versionId: 'v1',
      userMetadata: { owner: 'a', S3SEAL: 'planted', 's3seal-x': 'planted' },
      contentType: 'text/plain',
      cacheControl: 'no-store',
    },
    req({ 'response-content-type': 'application/json', 'response-content-language': 'de', 'response-cache-control': 'max-age=1', 'response-expires': 'Fri, 01 Jan 2100 00:00:00 GMT', 'response-content-disposition': 'attachment', 'response-content-encoding': 'gzip' }),
  );
  t.deepEqual(h, {
    'accept-ranges': 'bytes',
    'content-length': '42',
    etag: '"e"',
    'last-modified': 'Fri, 02 Jan 2026 03:04:05 GMT',
    'x-amz-version-id': 'v1',
    'content-type': 'application/json',
    'cache-control': 'max-age=1',
    'content-language': 'de',
    'content-disposition': 'attachment',
    'content-encoding': 'gzip',
    expires: 'Fri, 01 Jan 2100 00:00:00 GMT',
    'x-amz-meta-owner': 'a',
  });
});
