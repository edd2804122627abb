/**
 * The signed aws-chunked variants (Amazon S3 "sigv4-streaming", "sigv4-streaming-trailers") for
 * tests: an encoder that frames and signs a body, and the ChunkSignatureVerifier a door would hand
 * the core. No JS client in node_modules sends signed chunks (SDK v3 streams unsigned with a
 * trailer), so this is written from the AWS documentation and pinned to its published example
 * (aws-chunked-decoder.test.ts checks the seed/chunk signatures of "Example: PUT Object").
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ChunkSignatureVerifier } from '../../src/adapters/s3/chunk-signature-verifier.js';
import { SealError } from '../../src/errors.js';

export const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

export interface SigningContext {
  /** the derived SigV4 signing key (kSigning) */
  key: Buffer;
  /** x-amz-date, e.g. 20130524T000000Z */
  date: string;
  /** credential scope, e.g. 20130524/us-east-1/s3/aws4_request */
  scope: string;
  seedSignature: string;
}

export function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const h = (k: string | Buffer, s: string): Buffer => createHmac('sha256', k).update(s).digest();
  return h(h(h(h(`AWS4${secret}`, day), region), service), 'aws4_request');
}

export function chunkSignature(ctx: SigningContext, previous: string, chunkSha256Hex: string): string {
  const sts = ['AWS4-HMAC-SHA256-PAYLOAD', ctx.date, ctx.scope, previous, EMPTY_SHA256, chunkSha256Hex].join('\n');
  return createHmac('sha256', ctx.key).update(sts).digest('hex');
}

export function trailerSignature(ctx: SigningContext, previous: string, trailerSha256Hex: string): string {
  const sts = ['AWS4-HMAC-SHA256-TRAILER', ctx.date, ctx.scope, previous, trailerSha256Hex].join('\n');
  return createHmac('sha256', ctx.key).update(sts).digest('hex');
}

/** What a door supplies: recomputes each signature and compares in constant time. */
export function testVerifier(ctx: SigningContext, calls?: string[]): ChunkSignatureVerifier {
  const check = (expected: string, got: string): void => {
    const a = Buffer.from(expected, 'latin1');
    const b = Buffer.from(got, 'latin1');
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new SealError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  };
  return {
    seedSignature: ctx.seedSignature,
    verifyChunk(previous, hash, signature) {
      calls?.push(`chunk:${hash}`);
      check(chunkSignature(ctx, previous, hash), signature);
    },
    verifyTrailer(previous, hash, signature) {
      calls?.push(`trailer:${hash}`);
      check(trailerSignature(ctx, previous, hash), signature);
    },
  };
}

/**
 * A signed aws-chunked body of `data` cut into `chunkSizes` (the remainder, if any, as one more
 * chunk), then the zero chunk; with `trailers` (name → value) the -TRAILER variant's trailer section.
 */
export function encodeSigned(ctx: SigningContext, data: Buffer, chunkSizes: readonly number[], trailers?: Readonly<Record<string, string>>): Buffer {
  const parts: Buffer[] = [];
  let prev = ctx.seedSignature;
  const pieces: Buffer[] = [];
  let off = 0;
  for (const n of chunkSizes) {
    const d = data.subarray(off, off + n);
    off += d.length;
    if (d.length > 0) pieces.push(d);
  }
  if (off < data.length) pieces.push(data.subarray(off));
  for (const d of [...pieces, Buffer.alloc(0)]) {
    const sig = chunkSignature(ctx, prev, createHash('sha256').update(d).digest('hex'));
    prev = sig;
    parts.push(Buffer.from(`${d.length.toString(16)};chunk-signature=${sig}\r\n`), d);
    if (d.length > 0) parts.push(Buffer.from('\r\n'));
  }
  if (trailers) {
    const lines = Object.entries(trailers).map(([k, v]) => `${k}:${v}\n`);
    const hash = createHash('sha256').update(lines.join('')).digest('hex');
    for (const [k, v] of Object.entries(trailers)) parts.push(Buffer.from(`${k}:${v}\r\n`));
    parts.push(Buffer.from(`x-amz-trailer-signature:${trailerSignature(ctx, prev, hash)}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}
