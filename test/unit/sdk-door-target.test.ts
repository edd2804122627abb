/**
 * The SDK door's request-target parsing (issue 7 item 7): bucket and key from host and path in
 * path-style and virtual-hosted addressing, the host's ambiguity settled by the SDK's endpoint path.
 */
import test from 'ava';
import { requestTarget } from '../../src/adapters/sdk-v3/request-target.js';
import { SealError } from '../../src/errors.js';

test('path-style: the first path segment is the bucket, the rest the key, each decoded once', (t) => {
  t.deepEqual(requestTarget('127.0.0.1', '/minio/a%20b/%C3%BC%3Fx%3D1%23y%252F', { bucket: 'minio', endpointPath: '/minio' }), { bucket: 'minio', key: 'a b/ü?x=1#y%2F' });
  t.deepEqual(requestTarget('127.0.0.1', '/minio/a%20b', {}), { bucket: 'minio', key: 'a b' }, 'without hints');
  t.deepEqual(requestTarget('127.0.0.1', '/minio/dir/', { bucket: 'minio', endpointPath: '/minio' }), { bucket: 'minio', key: 'dir/' }, 'a trailing slash is part of the key');
  t.deepEqual(requestTarget('127.0.0.1', '/minio/', { bucket: 'minio', endpointPath: '/minio' }), { bucket: 'minio' }, 'bucket-level request');
  t.deepEqual(requestTarget('127.0.0.1', '/minio', {}), { bucket: 'minio' });
  t.deepEqual(requestTarget('127.0.0.1', '/', { endpointPath: '/' }), {}, 'ListBuckets');
  t.deepEqual(requestTarget('127.0.0.1', '/minio//double', {}), { bucket: 'minio', key: '/double' }, 'an empty first key segment stays');
});

test('virtual-hosted: the bucket is the host label the SDK put before the endpoint host; the whole path is the key', (t) => {
  t.deepEqual(requestTarget('photos.s3.us-east-1.amazonaws.com', '/a%20b/c', { bucket: 'photos', endpointPath: '/' }), { bucket: 'photos', key: 'a b/c' });
  t.deepEqual(requestTarget('photos.minio.local', '/', { bucket: 'photos', endpointPath: '/' }), { bucket: 'photos' }, 'bucket-level');
  t.deepEqual(requestTarget('photos.minio.local', '/photos/x', { bucket: 'photos', endpointPath: '/' }), { bucket: 'photos', key: 'photos/x' }, 'a key that starts with the bucket name');
  t.deepEqual(requestTarget('photos.minio.local', '/x/y', { bucket: 'photos' }), { bucket: 'photos', key: 'x/y' }, 'without an endpoint path');
});

test('a host that merely starts with the bucket name is path-style when the SDK addressed the bucket in the path', (t) => {
  // endpoint https://minio.local, bucket "minio", forcePathStyle: the host looks virtual-hosted
  t.deepEqual(requestTarget('minio.local', '/minio/k', { bucket: 'minio', endpointPath: '/minio' }), { bucket: 'minio', key: 'k' });
  t.deepEqual(requestTarget('minio.local', '/minio/minio/k', { bucket: 'minio', endpointPath: '/minio' }), { bucket: 'minio', key: 'minio/k' });
  t.deepEqual(requestTarget('minio.local', '/minio/k', { bucket: 'minio' }), { bucket: 'minio', key: 'k' }, 'without an endpoint path: the path names the bucket');
});

test('an endpoint with a base path: the base is not the bucket', (t) => {
  t.deepEqual(requestTarget('gw.local', '/base/b1/k%2Fx', { bucket: 'b1', endpointPath: '/base/b1' }), { bucket: 'b1', key: 'k/x' }, 'path-style');
  t.deepEqual(requestTarget('b1.gw.local', '/base/k', { bucket: 'b1', endpointPath: '/base' }), { bucket: 'b1', key: 'k' }, 'virtual-hosted');
  t.deepEqual(requestTarget('gw.local', '/base/', { endpointPath: '/base' }), {}, 'ListBuckets under a base path');
});

test('malformed percent-encoding is a typed InvalidRequest, not a URIError', (t) => {
  const err = t.throws(() => requestTarget('h', '/b/%E0%A4%A', {}), { instanceOf: SealError });
  t.is(err?.code, 'InvalidRequest');
});
