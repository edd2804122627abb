import type { ByteRange, RequestedRange } from '../backends/object-store.js';
import { BODY_HEADER_SIZE, CHUNK_SIZE, TAG_SIZE } from '../crypto/constants.js';
import { SealError } from '../errors.js';
import type { RangeRequest } from './resolve-range-request.js';

const FULL = CHUNK_SIZE + TAG_SIZE;

/** a computed offset past what a Number holds exactly: no object is that large, the backend answers 416 */
const capped = (n: number): number => Math.min(n, Number.MAX_SAFE_INTEGER);

/**
 * Ciphertext bytes at the end of a single-part body that certainly hold the chunks covering its
 * last `n` plaintext bytes, whatever the plaintext length: the chunks needed are the final one
 * (r = 1…65 536 plaintext bytes, r + 16 stored) and, when n > r, ceil((n − r) / 65 536) full ones
 * before it. That count grows by one byte per byte of r within a run of equal ceil(…), so the
 * maximum over r sits at r = min(n − 1, 65 536) or at the top of the run below it.
 */
export function suffixCiphertextLength(n: number): number {
  const need = (r: number): number => (n <= r ? r + TAG_SIZE : r + TAG_SIZE + Math.ceil((n - r) / CHUNK_SIZE) * FULL);
  let best = need(CHUNK_SIZE);
  const top = Math.min(n - 1, CHUNK_SIZE);
  if (top >= 1) {
    best = Math.max(best, need(top));
    // the top of the run below: the largest r < top with (n − r) ≡ 1 (mod 65 536)
    const below = n - 1 - CHUNK_SIZE * Math.ceil((n - 1 - top + 1) / CHUNK_SIZE);
    if (below >= 1) best = Math.max(best, need(below));
  }
  return capped(best);
}

/**
 * What one backend GET asks for to serve plaintext range `r` of an object that is assumed to be
 * single-part (FORMAT.md §6.1), before its size is known: `a-b` and `a-` map to the chunks covering
 * them (the backend clamps the end to the object, as S3 does); a suffix `-n` maps to a ciphertext
 * suffix long enough for any plaintext length (suffixCiphertextLength). The body header is not
 * asked for: the envelope MAC, verified under the DEK, commits the key (FORMAT.md §5.4), and the
 * chunks' AAD is the header rebuilt from it. The answer's Content-Range total gives the stored
 * size, hence the plaintext length; servedRangeFor says what the answer must then hold.
 */
export function singlePartRangeRequest(r: RangeRequest): RequestedRange {
  if (r.kind === 'suffix') {
    if (!Number.isSafeInteger(r.length) || r.length < 0) throw new SealError('InvalidArgument', 'range suffix length out of range');
    // a zero-length suffix is unsatisfiable whatever the object: the resolver says so once sized
    return { suffix: Math.max(1, suffixCiphertextLength(r.length)) };
  }
  const bad = (n: number): boolean => !Number.isSafeInteger(n) || n < 0;
  if (bad(r.first) || (r.last !== undefined && (bad(r.last) || r.last < r.first))) throw new SealError('InvalidArgument', 'range bounds out of range');
  const start = capped(BODY_HEADER_SIZE + Math.floor(r.first / CHUNK_SIZE) * FULL);
  if (r.last === undefined) return { start };
  return { start, end: capped(BODY_HEADER_SIZE + (Math.floor(r.last / CHUNK_SIZE) + 1) * FULL - 1) };
}

/** The inclusive bytes an S3 backend answers `asked` with, for an object of `size` stored bytes (RFC 9110 §14.1.2). */
export function servedRangeFor(asked: RequestedRange, size: number): ByteRange {
  if ('suffix' in asked) return { start: Math.max(0, size - asked.suffix), end: size - 1 };
  return { start: asked.start, end: Math.min(asked.end ?? size - 1, size - 1) };
}
