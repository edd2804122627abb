import type { Readable } from 'node:stream';
import { SealError } from '../../errors.js';
import type { S3Request } from '../s3/s3-request.js';

/** What minio-js hands its transport: node:http request options (getRequestOptions in minio-js). */
export interface MinioRequestOptions {
  method?: string;
  /** `/bucket/key?query` (path-style: the sealed client always addresses path-style), key and query encoded */
  path?: string;
  protocol?: string;
  headers?: Readonly<Record<string, string | number | readonly string[] | undefined>>;
}

/** Who sent the request and how it arrived, as the door decided (minio-js's options cannot say). */
export interface RequestOrigin {
  principal: string;
  /** true: the hop counts as secure whatever the client's `useSSL` says (the in-process hop) */
  secureTransport: boolean;
}

const METHODS: ReadonlySet<string> = new Set<S3Request['method']>(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);

/**
 * minio-js's getPartialObject and statObject put their `getOpts` into the query as well
 * (`qs.stringify(getOpts)`): the SSE-C triple arrives as query parameters — for statObject (and so
 * fGetObject's first request) only there. They are not S3 query parameters (the core would refuse
 * the request as another operation) and a key must not sit in a URL: they are taken out of the
 * query and stand for the SSE-C headers, which win where minio-js sent both.
 */
const SSEC_QUERY: Readonly<Record<string, string>> = {
  SSECustomerAlgorithm: 'x-amz-server-side-encryption-customer-algorithm',
  SSECustomerKey: 'x-amz-server-side-encryption-customer-key',
  SSECustomerKeyMD5: 'x-amz-server-side-encryption-customer-key-md5',
};

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch (cause) {
    throw new SealError('InvalidRequest', 'The request path is not valid percent-encoding.', { cause });
  }
}

/** `name=value&flag`: percent-decoded ('+' is a plus, as minio-js encodes spaces as %20); a flag maps to "" */
function parseQuery(q: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of q.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  }
  return out;
}

function headersOf(h: MinioRequestOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(h ?? {})) {
    if (value === undefined) continue;
    const n = name.toLowerCase();
    const v = Array.isArray(value) ? value.join(', ') : String(value);
    out[n] = out[n] === undefined ? v : `${out[n]}, ${v}`;
  }
  return out;
}

/** bucket and key of a path-style path (`/`, `/bucket`, `/bucket/key…`), decoded once */
function targetOf(path: string): { bucket?: string; key?: string } {
  const rel = path.startsWith('/') ? path.slice(1) : path;
  if (rel === '') return {};
  const slash = rel.indexOf('/');
  if (slash < 0) return { bucket: decode(rel) };
  const key = decode(rel.slice(slash + 1));
  return key === '' ? { bucket: decode(rel.slice(0, slash)) } : { bucket: decode(rel.slice(0, slash)), key };
}

/**
 * minio-js's request options (and the body it writes) as the S3Request the core takes
 * (DESIGN.md "Doors"): method, bucket and key from the path, decoded query, lower-cased headers,
 * the transport and principal the door established. Throws SealError for what no S3 request can be.
 */
export function toS3Request(options: MinioRequestOptions, body: Readable | undefined, origin: RequestOrigin): S3Request {
  const method = (options.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) throw new SealError('NotImplemented', `A request with the ${method} method is not implemented.`);
  const path = options.path ?? '/';
  const q = path.indexOf('?');
  const query = q < 0 ? {} : parseQuery(path.slice(q + 1));
  const headers = headersOf(options.headers);
  const target = targetOf(q < 0 ? path : path.slice(0, q));
  // an object body's Content-MD5 is minio-js's own (putObject's metadata cannot set it): computed in
  // this process over the very buffer it writes here, with no wire in between to corrupt it.
  // Verifying it again would cost an MD5 pass over the plaintext (0.7 s per 256 MiB on the bench
  // machine); the core treats the body as one sent without Content-MD5.
  if (method === 'PUT' && target.key !== undefined && headers['x-amz-copy-source'] === undefined) delete headers['content-md5'];
  for (const [param, header] of Object.entries(SSEC_QUERY)) {
    const v = query[param];
    if (v === undefined) continue;
    delete query[param];
    headers[header] ??= v;
  }
  return {
    method: method as S3Request['method'],
    ...target,
    query,
    headers,
    ...(body !== undefined ? { body } : {}),
    secureTransport: origin.secureTransport || options.protocol === 'https:',
    principal: origin.principal,
    // minio-js computed any x-amz-content-sha256 in this process over the very bytes it writes here
    payloadHashTrusted: true,
  };
}
