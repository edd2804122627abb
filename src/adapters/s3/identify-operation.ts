import type { S3OperationName } from './s3-operation.js';
import type { S3Request } from './s3-request.js';

/**
 * Query parameters that never change what a request does: SDK v3 adds `x-id=<Operation>` to every
 * object request, and a presigned URL carries its SigV4 signature in the query (the door verified it).
 */
const IGNORED = new Set(['x-id', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token', 'X-Amz-Content-Sha256']);

/** GetObject / HeadObject response header overrides (GetObject API reference, "Overriding response header values") */
const RESPONSE_OVERRIDES = ['response-cache-control', 'response-content-disposition', 'response-content-encoding', 'response-content-language', 'response-content-type', 'response-expires'];

/**
 * The query parameters each operation takes (S3 API reference, "URI Request Parameters"): the
 * subresource that names it and the parameters that only modify it. A request with any other
 * parameter is another operation (acl, tagging, retention, restore, select…), which s3seal does not
 * implement: it is Unsupported, so it never reaches the backend in a way that could store or expose
 * plaintext (issue 7 item 2).
 */
const ALLOWED: Readonly<Record<Exclude<S3OperationName, 'Unsupported'>, readonly string[]>> = {
  ListBuckets: ['max-buckets', 'continuation-token', 'prefix', 'bucket-region'],
  ListObjects: ['prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type'],
  ListObjectsV2: ['list-type', 'prefix', 'delimiter', 'continuation-token', 'start-after', 'max-keys', 'encoding-type', 'fetch-owner'],
  ListObjectVersions: ['versions', 'prefix', 'delimiter', 'key-marker', 'version-id-marker', 'max-keys', 'encoding-type'],
  ListMultipartUploads: ['uploads', 'prefix', 'delimiter', 'key-marker', 'upload-id-marker', 'max-uploads', 'encoding-type'],
  GetBucketLocation: ['location'],
  PutBucketEncryption: ['encryption'],
  GetBucketEncryption: ['encryption'],
  DeleteBucketEncryption: ['encryption'],
  HeadBucket: [],
  CreateBucket: [],
  DeleteBucket: [],
  DeleteObjects: ['delete'],
  GetObject: ['versionId', 'partNumber', ...RESPONSE_OVERRIDES],
  HeadObject: ['versionId', 'partNumber', ...RESPONSE_OVERRIDES],
  GetObjectAttributes: ['attributes', 'versionId'],
  ListParts: ['uploadId', 'max-parts', 'part-number-marker'],
  PutObject: [],
  CopyObject: [],
  UploadPart: ['partNumber', 'uploadId'],
  UploadPartCopy: ['partNumber', 'uploadId'],
  CreateMultipartUpload: ['uploads'],
  CompleteMultipartUpload: ['uploadId'],
  AbortMultipartUpload: ['uploadId'],
  DeleteObject: ['versionId'],
  UpdateObjectEncryption: ['encryption', 'versionId'],
};

function candidate(req: S3Request): Exclude<S3OperationName, 'Unsupported'> | undefined {
  const q = req.query;
  const has = (name: string): boolean => Object.hasOwn(q, name);
  const bucket = req.bucket !== undefined && req.bucket !== '';
  const key = req.key !== undefined && req.key !== '';
  if (!bucket) return req.method === 'GET' && !key ? 'ListBuckets' : undefined;
  if (!key) {
    switch (req.method) {
      case 'GET':
        if (has('location')) return 'GetBucketLocation';
        if (has('encryption')) return 'GetBucketEncryption';
        if (has('uploads')) return 'ListMultipartUploads';
        if (has('versions')) return 'ListObjectVersions';
        if (has('list-type')) return q['list-type'] === '2' ? 'ListObjectsV2' : undefined;
        return 'ListObjects';
      case 'HEAD':
        return 'HeadBucket';
      case 'PUT':
        return has('encryption') ? 'PutBucketEncryption' : 'CreateBucket';
      case 'DELETE':
        return has('encryption') ? 'DeleteBucketEncryption' : 'DeleteBucket';
      case 'POST':
        return has('delete') ? 'DeleteObjects' : undefined;
    }
  }
  const copy = req.headers['x-amz-copy-source'] !== undefined;
  switch (req.method) {
    case 'GET':
      if (has('uploadId')) return 'ListParts';
      if (has('attributes')) return 'GetObjectAttributes';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      // PUT /bucket/key?encryption; the bucket-level PUT ?encryption is PutBucketEncryption
      if (has('encryption')) return copy ? undefined : 'UpdateObjectEncryption';
      if (has('uploadId') || has('partNumber')) {
        if (!has('uploadId') || !has('partNumber')) return undefined;
        return copy ? 'UploadPartCopy' : 'UploadPart';
      }
      return copy ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (has('uploads')) return has('uploadId') ? undefined : 'CreateMultipartUpload';
      if (has('uploadId')) return 'CompleteMultipartUpload';
      return undefined;
    case 'DELETE':
      return has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  }
}

/**
 * Which S3 operation a request is, from its method, whether it names a bucket and a key, its query
 * subresources and `x-amz-copy-source` — the way S3's REST API routes. Every parameter must be one
 * the operation takes: anything else (another subresource, a copy source on a request that is not a
 * copy target, an unknown list type) is 'Unsupported', answered NotImplemented and sent nowhere.
 */
export function identifyOperation(req: S3Request): S3OperationName {
  const op = candidate(req);
  if (op === undefined) return 'Unsupported';
  const copyTarget = op === 'CopyObject' || op === 'UploadPartCopy';
  if (!copyTarget && req.headers['x-amz-copy-source'] !== undefined) return 'Unsupported';
  const allowed = ALLOWED[op];
  for (const name of Object.keys(req.query)) {
    if (!IGNORED.has(name) && !allowed.includes(name)) return 'Unsupported';
  }
  return op;
}
