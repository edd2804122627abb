import { SealError } from '../errors.js';
import type { PlainRange } from './object-reader.js';

/** S3's Range forms, unresolved: `bytes=first-[last]` or `bytes=-length` (the S3 core's RangeSpec maps onto it) */
export type RangeRequest = { kind: 'from'; first: number; last?: number } | { kind: 'suffix'; length: number };

/**
 * A caller's range against the plaintext length, as S3 applies RFC 9110 §14.1.2: `last` past the
 * end is clamped; a suffix longer than the object selects all of it; a first byte at or past the
 * end, a zero-length suffix, or any range of an empty object is InvalidRange (416).
 */
export function resolveRangeRequest(r: RangeRequest, plaintextLength: number): PlainRange {
  const bad = (n: number): boolean => !Number.isSafeInteger(n) || n < 0;
  if (r.kind === 'suffix') {
    if (bad(r.length)) throw new SealError('InvalidArgument', 'range suffix length out of range');
    if (r.length === 0 || plaintextLength === 0) throw unsatisfiable(plaintextLength);
    return { start: Math.max(0, plaintextLength - r.length), end: plaintextLength - 1 };
  }
  if (bad(r.first) || (r.last !== undefined && (bad(r.last) || r.last < r.first))) throw new SealError('InvalidArgument', 'range bounds out of range');
  if (r.first >= plaintextLength) throw unsatisfiable(plaintextLength);
  return { start: r.first, end: Math.min(r.last ?? plaintextLength - 1, plaintextLength - 1) };
}

function unsatisfiable(length: number): SealError {
  return new SealError('InvalidRange', `The requested range is not satisfiable (object size ${length})`);
}
