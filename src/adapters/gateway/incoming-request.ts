import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { SignedRequest } from './verify-sigv4.js';
import { parseRawQuery, type QueryParam } from './uri-encode.js';

/** The parts of a node:http request the gateway reads before anything is authenticated. */
export interface IncomingParts {
  signed: SignedRequest;
  /** the path the bucket and key come from (a mounting framework's prefix stripped) */
  targetPath: string;
  /** lower-case names, repeats joined with ", " (S3Request's form) */
  headers: Record<string, string>;
}

/**
 * Headers as SigV4 canonicalizes them (values of a repeated header joined with ","), and as the S3
 * core takes them (joined with ", ", as HTTP does), both from the raw header list: node:http drops
 * duplicates of some headers (host, authorization, content-length…) in `req.headers`, which must not
 * make a signature over both copies verify.
 */
function headersOf(raw: readonly string[]): { canonical: Record<string, string>; plain: Record<string, string> } {
  const all = new Map<string, string[]>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const n = raw[i]!.toLowerCase();
    const list = all.get(n);
    if (list) list.push(raw[i + 1]!);
    else all.set(n, [raw[i + 1]!]);
  }
  const canonical: Record<string, string> = {};
  const plain: Record<string, string> = {};
  for (const [n, values] of all) {
    canonical[n] = values.map((v) => v.trim()).join(',');
    plain[n] = values.join(', ');
  }
  return { canonical, plain };
}

function split(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/**
 * The request as the signature covers it. A framework that mounts the handler under a prefix
 * (Express's `app.use('/s3', …)`) rewrites `req.url` without it but keeps the URL the client signed
 * in `originalUrl`: the signature is checked over that one, the bucket and key come from `req.url`.
 */
export function incomingParts(req: IncomingMessage): IncomingParts {
  const url = req.url ?? '/';
  const original = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? url;
  const signedUrl = split(original);
  const { canonical, plain } = headersOf(req.rawHeaders);
  const query: QueryParam[] = parseRawQuery(signedUrl.query);
  return {
    signed: { method: req.method ?? 'GET', rawPath: signedUrl.path, query, headers: canonical },
    targetPath: split(url).path,
    headers: plain,
  };
}

/** whether the caller's hop was TLS: this socket's, or a trusted proxy's word for its own */
export function arrivedOverTls(req: IncomingMessage, trustedProxies: readonly string[]): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted === true) return true;
  const from = unmapped(req.socket.remoteAddress);
  if (from === undefined || !trustedProxies.some((p) => unmapped(p) === from)) return false;
  // the last value is the trusted proxy's own: one that appends to a client's header leaves the
  // client's claim first (a plain-HTTP client could otherwise pass for TLS and send SSE-C keys)
  const proto = req.headers['x-forwarded-proto'];
  const last = (Array.isArray(proto) ? proto.at(-1) : proto)?.split(',').at(-1)?.trim().toLowerCase();
  return last === 'https';
}

/** an IPv4 address as a dual-stack socket reports it (`::ffff:127.0.0.1`) is that IPv4 address */
function unmapped(addr: string | undefined): string | undefined {
  return addr?.toLowerCase().startsWith('::ffff:') === true && addr.includes('.') ? addr.slice(7) : addr;
}
