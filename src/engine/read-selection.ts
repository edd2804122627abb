import type { ByteRange } from '../backends/object-store.js';
import type { Envelope } from '../crypto/envelope.js';
import { SealError } from '../errors.js';
import type { LayoutHint } from './layout-hints.js';
import { multipartGeometry, multipartRangeRead, type PlainRange } from './object-reader.js';
import { resolveRangeRequest, type RangeRequest } from './resolve-range-request.js';

/**
 * What a read selects, before the object's size is known: a caller's Range (resolved as S3
 * resolves it: end clamped, suffix), a range already resolved by the caller (`strict`: it must lie
 * inside the object, else InvalidRange), or a part (S3 `partNumber`).
 */
export type ReadWant = { range: RangeRequest; strict: boolean } | { partNumber: number };

/** The selection resolved against the object: what to decrypt and what to report. */
export interface ResolvedRead {
  /** the plaintext range to decrypt and report (Content-Range); absent = the whole object */
  range?: PlainRange;
  /** a `partNumber` read of a multipart object: its part count (x-amz-mp-parts-count) */
  partsCount?: number;
  /** a `partNumber` read of an empty part: nothing to fetch */
  empty?: boolean;
}

function invalidPart(n: number): SealError {
  return new SealError('InvalidPartNumber', `The requested partnumber is not satisfiable (part ${n})`);
}

function resolveRange(want: { range: RangeRequest; strict: boolean }, plaintextLength: number): PlainRange {
  if (!want.strict) return resolveRangeRequest(want.range, plaintextLength);
  const r = want.range;
  const start = r.kind === 'from' ? r.first : plaintextLength - r.length;
  const end = r.kind === 'from' ? (r.last ?? plaintextLength - 1) : plaintextLength - 1;
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end)) || start < 0 || end < start || end >= plaintextLength) {
    throw new SealError('InvalidRange', `range ${start}-${end} not satisfiable for ${plaintextLength} bytes`);
  }
  return { start, end };
}

/**
 * Resolve a read against the object's envelope and sizes, before any key is used (an unsatisfiable
 * range or part costs no unwrap). Part boundaries come from the committed layout — never from the
 * backend's part structure, which a rewrap (copy-to-self) destroys. A single-part or passthrough
 * object has exactly one part, the whole object, reported as a range (S3 answers partNumber=1 of a
 * non-multipart object as a ranged GET of all of it, without a part count).
 */
export function resolveRead(want: ReadWant, env: Envelope | undefined, storedSize: number, plaintextLength: number): ResolvedRead {
  if ('range' in want) return { range: resolveRange(want, plaintextLength) };
  const n = want.partNumber;
  if (!env?.uploadNonce) {
    if (n !== 1) throw invalidPart(n);
    return plaintextLength > 0 ? { range: { start: 0, end: plaintextLength - 1 } } : {};
  }
  const { entries } = multipartGeometry(env, storedSize);
  const entry = entries.find((e) => e.partNumber === n);
  if (!entry) throw invalidPart(n);
  if (entry.plaintextLength === 0) return { partsCount: entries.length, empty: true };
  return { range: { start: entry.plaintextOffset, end: entry.plaintextOffset + entry.plaintextLength - 1 }, partsCount: entries.length };
}

/**
 * The stored bytes to ask for up front when the object is probably the multipart version `hint`
 * describes; undefined when the hint cannot say (the range or part does not fit it — the object
 * may have changed — or the part is empty): the read then goes without it.
 */
export function hintedRead(want: ReadWant, hint: LayoutHint): ByteRange | undefined {
  let range: PlainRange;
  if ('range' in want) {
    try {
      range = resolveRange(want, hint.plaintextLength);
    } catch (err) {
      if (err instanceof SealError && err.code === 'InvalidRange') return undefined;
      throw err;
    }
  } else {
    const entry = hint.entries.find((e) => e.partNumber === want.partNumber);
    if (!entry || entry.plaintextLength === 0) return undefined;
    range = { start: entry.plaintextOffset, end: entry.plaintextOffset + entry.plaintextLength - 1 };
  }
  return multipartRangeRead(hint.entries, range);
}
