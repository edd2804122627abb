import { RESERVED_METADATA_PREFIX } from '../../crypto/constants.js';
import { SealError } from '../../errors.js';
import type { ContentHeaders, HeadObjectResult } from '../../engine/facade/facade-types.js';
import type { S3Request } from './s3-request.js';
import { storedContentEncoding } from './stored-content-encoding.js';

const META = 'x-amz-meta-';

/**
 * The caller's metadata (`x-amz-meta-*`, names without the prefix, lower-case as headers arrive).
 * Reserved s3seal names are refused by the engine (InvalidArgument), never stored.
 */
export function callerMetadata(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // defineProperty: a "__proto__" name stays an entry, never the object's prototype
    if (name.startsWith(META) && name.length > META.length) Object.defineProperty(out, name.slice(META.length), { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The content headers a write stores beside the ciphertext; `aws-chunked` is dropped from Content-Encoding. */
export function requestContentHeaders(headers: Readonly<Record<string, string>>): ContentHeaders {
  const out: ContentHeaders = {};
  if (headers['content-type'] !== undefined) out.contentType = headers['content-type'];
  if (headers['cache-control'] !== undefined) out.cacheControl = headers['cache-control'];
  if (headers['content-disposition'] !== undefined) out.contentDisposition = headers['content-disposition'];
  if (headers['content-language'] !== undefined) out.contentLanguage = headers['content-language'];
  const encoding = storedContentEncoding(headers['content-encoding']);
  if (encoding !== undefined) out.contentEncoding = encoding;
  if (headers['expires'] !== undefined) out.expires = headers['expires'];
  return out;
}

const NOT_IMPLEMENTED = 'A header you provided implies functionality that is not implemented';

/**
 * Write headers whose effect s3seal cannot give (the facade does not pass them on): refused with
 * NotImplemented rather than dropped, so a caller never believes a tag, a lock, a grant or a
 * conditional write took effect when it did not. `x-amz-acl: private` is the default and passes.
 * Conditional writes (If-Match, If-None-Match) wait for conditional puts in the facade.
 */
export function refuseUnsupportedWriteHeaders(headers: Readonly<Record<string, string>>, what: 'object' | 'bucket' | 'complete'): void {
  for (const name of Object.keys(headers)) {
    const refused =
      name === 'if-match' ||
      name === 'if-none-match' ||
      name.startsWith('x-amz-grant-') ||
      (name === 'x-amz-acl' && headers[name] !== 'private') ||
      (what !== 'complete' && (name === 'x-amz-tagging' || name.startsWith('x-amz-object-lock-') || name === 'x-amz-website-redirect-location')) ||
      (what === 'object' && name === 'x-amz-storage-class' && headers[name] !== 'STANDARD') ||
      (what === 'bucket' && name === 'x-amz-bucket-object-lock-enabled' && headers[name]!.toLowerCase() === 'true');
    if (refused) throw new SealError('NotImplemented', `${NOT_IMPLEMENTED}: ${name}`);
  }
}

/** GetObject / HeadObject query parameters that override a response header (GetObject API reference) */
const OVERRIDES: readonly [string, string][] = [
  ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
  ['response-content-language', 'content-language'],
  ['response-content-type', 'content-type'],
  ['response-expires', 'expires'],
];

/**
 * The headers of a GetObject / HeadObject answer from the facade's result (plaintext length, the
 * backend's ETag, content headers, the caller's metadata only), then the response-* overrides.
 * Nothing of the backend's answer passes through: no ciphertext checksum, no reserved metadata.
 */
export function objectResponseHeaders(r: HeadObjectResult, req: S3Request): Record<string, string> {
  const h: Record<string, string> = {
    'accept-ranges': 'bytes',
    'content-length': String(r.contentLength),
    etag: r.etag,
  };
  if (r.lastModified !== undefined) h['last-modified'] = r.lastModified.toUTCString();
  if (r.versionId !== undefined) h['x-amz-version-id'] = r.versionId;
  if (r.contentType !== undefined) h['content-type'] = r.contentType;
  if (r.cacheControl !== undefined) h['cache-control'] = r.cacheControl;
  if (r.contentDisposition !== undefined) h['content-disposition'] = r.contentDisposition;
  if (r.contentLanguage !== undefined) h['content-language'] = r.contentLanguage;
  if (r.contentEncoding !== undefined) h['content-encoding'] = r.contentEncoding;
  if (r.expires !== undefined) h['expires'] = r.expires;
  for (const [name, value] of Object.entries(r.userMetadata)) {
    if (!name.toLowerCase().startsWith(RESERVED_METADATA_PREFIX)) h[`${META}${name.toLowerCase()}`] = value;
  }
  for (const [param, header] of OVERRIDES) {
    const v = req.query[param];
    if (v !== undefined) h[header] = v;
  }
  return h;
}

/** versionId on object reads and deletes: the facade addresses the current version only. */
export function refuseVersionId(req: S3Request): void {
  if (req.query['versionId'] !== undefined) throw new SealError('NotImplemented', `${NOT_IMPLEMENTED}: versionId`);
}
