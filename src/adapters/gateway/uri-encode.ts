import { SealError } from '../../errors.js';
import { RequestAuthError } from '../s3/request-auth-error.js';

/**
 * SigV4's UriEncode (AWS "Create a canonical request"): every byte except the unreserved
 * `A-Z a-z 0-9 - . _ ~` percent-encoded with upper-case hex. encodeURIComponent leaves `!'()*` as
 * they are; SigV4 encodes them.
 */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** one percent-decoded URI component; bad percent-encoding is a malformed request (InvalidRequest for the path, a query-parameter error for the query) */
export function uriDecode(s: string, what: 'request path' | 'query string'): string {
  try {
    return decodeURIComponent(s);
  } catch (cause) {
    if (what === 'request path') throw new SealError('InvalidRequest', 'The request path is not valid percent-encoding.', { cause });
    throw new RequestAuthError('AuthorizationQueryParametersError', `the ${what} is not valid percent-encoding`, { cause });
  }
}

/**
 * The canonical URI of an S3 request: the path as the client sent it, each segment decoded once and
 * UriEncoded once (S3 does not normalize paths or double-encode, unlike other AWS services), so
 * `/a b`, `/a%20b` and `/a%2Fb` are read the way every S3 SDK signs them.
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '' || rawPath === '/') return '/';
  return rawPath
    .split('/')
    .map((seg) => uriEncode(uriDecode(seg, 'request path')))
    .join('/');
}

/** one query parameter as received: decoded name and value ("" for `?uploads`) */
export interface QueryParam {
  name: string;
  value: string;
}

/** the raw query string (after `?`) as decoded parameters, in order, repeats kept */
export function parseRawQuery(raw: string): QueryParam[] {
  if (raw === '') return [];
  const out: QueryParam[] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = uriDecode(eq < 0 ? part : part.slice(0, eq), 'query string');
    const value = eq < 0 ? '' : uriDecode(part.slice(eq + 1), 'query string');
    out.push({ name, value });
  }
  return out;
}

/**
 * The canonical query string: every parameter (except `X-Amz-Signature` of a presigned URL)
 * UriEncoded as `name=value`, sorted by encoded name, then by encoded value.
 */
export function canonicalQuery(params: readonly QueryParam[], skip?: string): string {
  const encoded = params.filter((p) => p.name !== skip).map((p) => [uriEncode(p.name), uriEncode(p.value)] as const);
  encoded.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return encoded.map(([n, v]) => `${n}=${v}`).join('&');
}
