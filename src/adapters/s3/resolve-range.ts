import { SealError } from '../../errors.js';
import type { RangeSpec } from './parse-range.js';

/** Inclusive byte offsets into the plaintext, as Content-Range writes them. */
export interface ResolvedRange {
  start: number;
  end: number;
}

/**
 * Resolve a parsed range against the object's plaintext length (RFC 9110 §14.1.2, as S3 applies
 * it): `last` past the end is clamped to the last byte; a suffix longer than the object selects
 * all of it; a first byte at or past the end, a zero-length suffix, or any range of an empty object
 * is unsatisfiable → InvalidRange 416 ("The requested range is not satisfiable").
 */
export function resolveRange(spec: RangeSpec, plaintextLength: number): ResolvedRange {
  if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0) throw new SealError('InvalidArgument', 'object length out of range');
  if (spec.kind === 'suffix') {
    if (spec.length === 0 || plaintextLength === 0) throw unsatisfiable(plaintextLength);
    return { start: Math.max(0, plaintextLength - spec.length), end: plaintextLength - 1 };
  }
  if (spec.first >= plaintextLength) throw unsatisfiable(plaintextLength);
  return { start: spec.first, end: Math.min(spec.last ?? plaintextLength - 1, plaintextLength - 1) };
}

function unsatisfiable(length: number): SealError {
  return new SealError('InvalidRange', `The requested range is not satisfiable (object size ${length})`);
}

/** The Content-Range value of a 206 answer, e.g. "bytes 0-9/100". */
export function contentRange(r: ResolvedRange, plaintextLength: number): string {
  return `bytes ${r.start}-${r.end}/${plaintextLength}`;
}
