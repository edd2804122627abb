/**
 * Hand-made requests to a gateway, for what no SDK sends: wrong secrets, malformed headers, skewed
 * clocks, wrong payload hashes, signed aws-chunked bodies (good, tampered, truncated). Signed by
 * @smithy/signature-v4 (the SDK's own signer) unless the test writes the Authorization itself.
 */
import { createHash, createHmac } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/core/transport';
import type { SourceData } from '@smithy/types';
import type { TestAccessKey } from './gateway-harness.js';
import { signingKey, type SigningContext } from './aws-chunked-signer.js';

const bytes = (d: SourceData): string | Uint8Array => (typeof d === 'string' ? d : d instanceof Uint8Array ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d));

/** node:crypto as the Sha256 constructor @smithy/signature-v4 takes */
export class NodeSha256 {
  private readonly h;
  constructor(secret?: SourceData) {
    this.h = secret !== undefined ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(d: SourceData): void {
    this.h.update(bytes(d));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

export const sha256Hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** the response ended without its last byte (socket destroyed) */
  aborted: boolean;
}

export interface RawTarget {
  url: string;
  ca?: Buffer;
}

/** sends exactly these headers and body; the body may be written in pieces with pauses (a slow or stopping client) */
export function sendRaw(target: RawTarget, method: string, path: string, headers: Record<string, string>, body?: Buffer | Buffer[]): Promise<RawAnswer> {
  const u = new URL(target.url);
  const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)({ host: u.hostname, port: u.port, method, path, headers, ...(target.ca ? { ca: target.ca } : {}), agent: false });
  return new Promise((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let aborted = false;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => (aborted = true));
      res.on('error', () => (aborted = true));
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), aborted: aborted || !res.complete }));
    });
    if (Array.isArray(body)) {
      for (const b of body) req.write(b);
      req.end();
    } else req.end(body);
  });
}

export interface SignOptions {
  key: TestAccessKey;
  region?: string;
  /** the signing time (default now) */
  date?: Date;
}

/** headers signed for method+path (path encoded, may carry a query) with the given payload hash header */
export async function signedHeaders(target: RawTarget, method: string, path: string, headers: Record<string, string>, o: SignOptions): Promise<Record<string, string>> {
  const u = new URL(target.url);
  const [p, q] = path.split('?') as [string, string | undefined];
  const query: Record<string, string> = {};
  for (const part of (q ?? '').split('&').filter((x) => x !== '')) {
    const eq = part.indexOf('=');
    query[decodeURIComponent(eq < 0 ? part : part.slice(0, eq))] = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
  }
  const signer = new SignatureV4({ service: 's3', region: o.region ?? 'us-east-1', credentials: o.key, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const r = new HttpRequest({ method, protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: p, query, headers: { host: u.host, ...headers } });
  const signed = await signer.sign(r, { signingDate: o.date ?? new Date() });
  return signed.headers;
}

/** the SigV4 signing context of a request signed with signedHeaders, for a signed aws-chunked body (encodeSigned) */
export function chunkContext(headers: Record<string, string>, o: SignOptions): SigningContext {
  const date = headers['x-amz-date']!;
  const day = date.slice(0, 8);
  const region = o.region ?? 'us-east-1';
  const seedSignature = /Signature=([0-9a-f]{64})/.exec(headers['authorization']!)![1]!;
  return { key: signingKey(o.key.secretAccessKey, day, region, 's3'), date, scope: `${day}/${region}/s3/aws4_request`, seedSignature };
}

/** a presigned URL's path and query for method+path, with `query` signed into it (headers as given) */
export async function presignedPath(target: RawTarget, method: string, path: string, query: Record<string, string>, headers: Record<string, string>, o: SignOptions & { expiresIn: number }): Promise<string> {
  const u = new URL(target.url);
  const signer = new SignatureV4({ service: 's3', region: o.region ?? 'us-east-1', credentials: o.key, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const r = new HttpRequest({ method, protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path, query, headers: { host: u.host, ...headers } });
  const p = await signer.presign(r, { expiresIn: o.expiresIn, ...(o.date ? { signingDate: o.date } : {}) });
  const qs = Object.entries(p.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
  return `${p.path}?${qs}`;
}
