import { SealError } from '../../errors.js';

/** The object (or bucket) an S3 request addresses. */
export interface RequestTarget {
  bucket?: string;
  key?: string;
}

/** What the SDK knows about how it addressed the bucket, so the door need not guess from the host. */
export interface TargetHints {
  /** the command's `Bucket` input, if it has one */
  bucket?: string;
  /**
   * the (encoded) path of the endpoint the SDK resolved for this request
   * (`context.endpointV2.url.pathname`): the request path is this path, then `/` and the key.
   * Path-style addressing ends it with the bucket segment; virtual-hosted addressing does not.
   */
  endpointPath?: string;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (cause) {
    throw new SealError('InvalidRequest', 'The request path is not valid percent-encoding.', { cause });
  }
}

function target(bucket: string, encodedKey: string): RequestTarget {
  const key = decode(encodedKey);
  return key === '' ? { bucket } : { bucket, key };
}

/** `bucket/key…` (no leading slash): the first segment is the bucket, the rest the key */
function pathStyle(rel: string): RequestTarget {
  if (rel === '') return {};
  const slash = rel.indexOf('/');
  return slash < 0 ? target(decode(rel), '') : target(decode(rel.slice(0, slash)), rel.slice(slash + 1));
}

/**
 * Bucket and key from an S3 request's host and (still encoded) path, in both of S3's addressing
 * styles: path-style `host/bucket/key` and virtual-hosted `bucket.host/key`. The host alone is
 * ambiguous (a path-style request to `minio.local` for bucket `minio` looks virtual-hosted), so
 * the bucket comes from the host only when the SDK put it there: the host starts with `bucket.`
 * and the endpoint path does not end with the bucket (without an endpoint path: the request path
 * does not start with it). An endpoint with a base path (`http://host/base`) has it stripped
 * first. The key is everything after the bucket, decoded once; an empty key is no key
 * (a bucket-level request).
 */
export function requestTarget(hostname: string, path: string, hints: TargetHints = {}): RequestTarget {
  const b = hints.bucket === '' ? undefined : hints.bucket;
  const inHost = b !== undefined && hostname.startsWith(`${b}.`);
  if (hints.endpointPath !== undefined) {
    const ep = hints.endpointPath.replace(/\/+$/, '');
    if (path === ep || path.startsWith(`${ep}/`)) {
      const rest = path.slice(ep.length + 1);
      if (b !== undefined && ep !== '' && decode(ep.slice(ep.lastIndexOf('/') + 1)) === b) return target(b, rest);
      if (inHost) return target(b, rest);
      return pathStyle(rest);
    }
  }
  const rel = path.startsWith('/') ? path.slice(1) : path;
  if (inHost && decode(rel.split('/')[0] ?? '') !== b) return target(b, rel);
  return pathStyle(rel);
}
