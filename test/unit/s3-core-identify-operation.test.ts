/**
 * identifyOperation (issue 7 item 2): method, bucket/key, query subresources and x-amz-copy-source
 * → the S3 operation, as S3's REST API routes; SDK v3's `x-id` and presign parameters ignored;
 * every other subresource, or a parameter the operation does not take, is Unsupported
 * (NotImplemented), so nothing reaches the backend.
 */
import test from 'ava';
import { identifyOperation } from '../../src/adapters/s3/identify-operation.js';
import type { S3OperationName } from '../../src/adapters/s3/s3-operation.js';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';

type Row = [S3Request['method'], string | undefined, string | undefined, Record<string, string>, Record<string, string>, S3OperationName];

const copy = { 'x-amz-copy-source': '/src/key' };

// [method, bucket, key, query, headers, expected]
const ROWS: Row[] = [
  // service and buckets
  ['GET', undefined, undefined, {}, {}, 'ListBuckets'],
  ['GET', undefined, undefined, { 'max-buckets': '10', 'continuation-token': 'x', prefix: 'a', 'bucket-region': 'us-east-1' }, {}, 'ListBuckets'],
  ['PUT', 'b', undefined, {}, {}, 'CreateBucket'],
  ['DELETE', 'b', undefined, {}, {}, 'DeleteBucket'],
  ['HEAD', 'b', undefined, {}, {}, 'HeadBucket'],
  ['GET', 'b', undefined, { location: '' }, {}, 'GetBucketLocation'],
  ['GET', 'b', undefined, {}, {}, 'ListObjects'],
  ['GET', 'b', undefined, { prefix: 'p/', delimiter: '/', marker: 'm', 'max-keys': '5', 'encoding-type': 'url' }, {}, 'ListObjects'],
  ['GET', 'b', undefined, { 'list-type': '2', 'continuation-token': 't', 'start-after': 's', 'fetch-owner': 'true' }, {}, 'ListObjectsV2'],
  ['GET', 'b', undefined, { versions: '', 'key-marker': 'k', 'version-id-marker': 'v' }, {}, 'ListObjectVersions'],
  ['GET', 'b', undefined, { uploads: '', 'upload-id-marker': 'u', 'max-uploads': '3' }, {}, 'ListMultipartUploads'],
  ['POST', 'b', undefined, { delete: '' }, {}, 'DeleteObjects'],
  // objects
  ['PUT', 'b', 'k', {}, {}, 'PutObject'],
  ['PUT', 'b', 'k', { 'x-id': 'PutObject' }, {}, 'PutObject'],
  ['PUT', 'b', 'k', {}, copy, 'CopyObject'],
  ['GET', 'b', 'k', {}, {}, 'GetObject'],
  ['GET', 'b', 'k', { 'x-id': 'GetObject', versionId: 'v1', partNumber: '2', 'response-content-type': 'text/plain', 'response-cache-control': 'no', 'response-content-disposition': 'x', 'response-content-encoding': 'gzip', 'response-content-language': 'en', 'response-expires': 'x' }, {}, 'GetObject'],
  ['GET', 'b', 'k', { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': 'c', 'X-Amz-Date': 'd', 'X-Amz-Expires': '60', 'X-Amz-SignedHeaders': 'host', 'X-Amz-Signature': 's' }, {}, 'GetObject'],
  ['HEAD', 'b', 'k', {}, {}, 'HeadObject'],
  ['HEAD', 'b', 'k', { partNumber: '1', versionId: 'v' }, {}, 'HeadObject'],
  ['DELETE', 'b', 'k', {}, {}, 'DeleteObject'],
  ['DELETE', 'b', 'k', { versionId: 'v' }, {}, 'DeleteObject'],
  ['GET', 'b', 'k', { attributes: '' }, {}, 'GetObjectAttributes'],
  // multipart
  ['POST', 'b', 'k', { uploads: '' }, {}, 'CreateMultipartUpload'],
  ['POST', 'b', 'k', { uploads: '', 'x-id': 'CreateMultipartUpload' }, {}, 'CreateMultipartUpload'],
  ['PUT', 'b', 'k', { partNumber: '1', uploadId: 'u' }, {}, 'UploadPart'],
  ['PUT', 'b', 'k', { partNumber: '1', uploadId: 'u', 'x-id': 'UploadPart' }, {}, 'UploadPart'],
  ['PUT', 'b', 'k', { partNumber: '1', uploadId: 'u' }, copy, 'UploadPartCopy'],
  ['POST', 'b', 'k', { uploadId: 'u' }, {}, 'CompleteMultipartUpload'],
  ['DELETE', 'b', 'k', { uploadId: 'u' }, {}, 'AbortMultipartUpload'],
  ['GET', 'b', 'k', { uploadId: 'u', 'max-parts': '10', 'part-number-marker': '2' }, {}, 'ListParts'],
  // keys that look like subresources are keys
  ['GET', 'b', 'acl', {}, {}, 'GetObject'],
  ['PUT', 'b', '?uploads', {}, {}, 'PutObject'],
];

// every subresource s3seal does not implement, on objects and buckets: refused, never forwarded
const OBJECT_SUBRESOURCES = ['acl', 'tagging', 'retention', 'legal-hold', 'torrent', 'restore', 'select', 'select-type', 'renameObject', 'encryption'];
const BUCKET_SUBRESOURCES = [
  'acl', 'tagging', 'policy', 'policyStatus', 'lifecycle', 'cors', 'object-lock', 'versioning', 'website', 'logging', 'notification', 'replication',
  'requestPayment', 'accelerate', 'analytics', 'inventory', 'metrics', 'intelligent-tiering', 'ownershipControls', 'publicAccessBlock', 'session', 'metadataTable',
];

const REFUSED: Row[] = [
  // PUT /b/k?encryption is UpdateObjectEncryption; every other method on it is not
  ...OBJECT_SUBRESOURCES.flatMap((sub): Row[] => (['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const).filter((m) => !(sub === 'encryption' && m === 'PUT')).map((m): Row => [m, 'b', 'k', { [sub]: '' }, {}, 'Unsupported'])),
  ['PUT', 'b', 'k', { encryption: '' }, copy, 'Unsupported'],
  ['PUT', 'b', 'k', { encryption: '', partNumber: '1' }, {}, 'Unsupported'],
  ...BUCKET_SUBRESOURCES.flatMap((sub): Row[] => (['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const).map((m): Row => [m, 'b', undefined, { [sub]: '' }, {}, 'Unsupported'])),
  // bucket ?encryption is Put/Get/DeleteBucketEncryption; POST and HEAD on it are not, nor other parameters with it
  ['POST', 'b', undefined, { encryption: '' }, {}, 'Unsupported'],
  ['HEAD', 'b', undefined, { encryption: '' }, {}, 'Unsupported'],
  ['GET', 'b', undefined, { encryption: '', prefix: 'x' }, {}, 'Unsupported'],
  ['PUT', 'b', undefined, { encryption: '' }, copy, 'Unsupported'],
  // a modifier on an operation that does not take it
  ['PUT', 'b', 'k', { versionId: 'v' }, {}, 'Unsupported'],
  ['PUT', 'b', 'k', { partNumber: '1' }, {}, 'Unsupported'],
  ['PUT', 'b', 'k', { uploadId: 'u' }, {}, 'Unsupported'],
  ['POST', 'b', 'k', {}, {}, 'Unsupported'],
  ['POST', 'b', 'k', { uploads: '', uploadId: 'u' }, {}, 'Unsupported'],
  ['POST', 'b', 'k', { uploadId: 'u', partNumber: '1' }, {}, 'Unsupported'],
  ['DELETE', 'b', 'k', { uploadId: 'u', versionId: 'v' }, {}, 'Unsupported'],
  ['GET', 'b', 'k', { uploadId: 'u', partNumber: '1' }, {}, 'Unsupported'],
  ['GET', 'b', 'k', { prefix: 'x' }, {}, 'Unsupported'],
  ['GET', 'b', undefined, { 'list-type': '1' }, {}, 'Unsupported'],
  ['GET', 'b', undefined, { 'list-type': '2', marker: 'm' }, {}, 'Unsupported'],
  ['GET', 'b', undefined, { location: '', prefix: 'x' }, {}, 'Unsupported'],
  ['POST', 'b', undefined, {}, {}, 'Unsupported'],
  ['PUT', 'b', undefined, { 'x-id': 'CreateBucket', versionId: 'v' }, {}, 'Unsupported'],
  ['PUT', undefined, undefined, {}, {}, 'Unsupported'],
  ['HEAD', undefined, undefined, {}, {}, 'Unsupported'],
  ['GET', undefined, 'k', {}, {}, 'Unsupported'],
  // a copy source where no copy is addressed
  ['GET', 'b', 'k', {}, copy, 'Unsupported'],
  ['POST', 'b', 'k', { uploads: '' }, copy, 'Unsupported'],
  ['PUT', 'b', undefined, {}, copy, 'Unsupported'],
  // case matters, as in S3 (parameters are case-sensitive)
  ['PUT', 'b', 'k', { partnumber: '1', uploadid: 'u' }, {}, 'Unsupported'],
  ['GET', 'b', 'k', { 'x-amz-signature': 's' }, {}, 'Unsupported'],
];

function request(m: S3Request['method'], bucket: string | undefined, key: string | undefined, query: Record<string, string>, headers: Record<string, string>): S3Request {
  return { method: m, ...(bucket !== undefined ? { bucket } : {}), ...(key !== undefined ? { key } : {}), query, headers, secureTransport: true, principal: 'p' };
}

test('identifyOperation: every supported operation from method, bucket/key, subresource and x-amz-copy-source; x-id and presign parameters ignored', (t) => {
  t.is(identifyOperation(request('PUT', 'b', 'k', { encryption: '' }, {})), 'UpdateObjectEncryption');
  t.is(identifyOperation(request('PUT', 'b', 'k', { encryption: '', versionId: 'v', 'x-id': 'UpdateObjectEncryption' }, {})), 'UpdateObjectEncryption');
  t.is(identifyOperation(request('PUT', 'b', undefined, { encryption: '', 'x-id': 'PutBucketEncryption' }, {})), 'PutBucketEncryption');
  t.is(identifyOperation(request('GET', 'b', undefined, { encryption: '' }, {})), 'GetBucketEncryption');
  t.is(identifyOperation(request('DELETE', 'b', undefined, { encryption: '' }, {})), 'DeleteBucketEncryption');
  for (const [m, bucket, key, query, headers, expected] of ROWS) {
    t.is(identifyOperation(request(m, bucket, key, query, headers)), expected, `${m} ${bucket ?? ''}/${key ?? ''}?${new URLSearchParams(query).toString()} ${Object.keys(headers).join(',')}`);
  }
});

test('identifyOperation: every other subresource (acl, tagging, encryption, policy, lifecycle, cors, object-lock, retention, legal-hold, torrent, restore, select…) and every parameter an operation does not take is Unsupported', (t) => {
  for (const [m, bucket, key, query, headers, expected] of REFUSED) {
    t.is(identifyOperation(request(m, bucket, key, query, headers)), expected, `${m} ${bucket ?? ''}/${key ?? ''}?${new URLSearchParams(query).toString()} ${Object.keys(headers).join(',')}`);
  }
  t.true(REFUSED.length > 100);
});

test('identifyOperation: an empty bucket or key counts as absent', (t) => {
  t.is(identifyOperation(request('GET', '', '', {}, {})), 'ListBuckets');
  t.is(identifyOperation(request('PUT', 'b', '', {}, {})), 'CreateBucket');
});
