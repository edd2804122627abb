import { SealError } from '../errors.js';

/**
 * `bytes first-last/total` (RFC 9110 §14.4) with a known total, as S3 answers a satisfiable range.
 * The backend's answer is input like any other: anything else (no total, `*`, a reversed or
 * out-of-total range, numbers past 2^53) is BodyMalformed, never a range to read by. The digits are
 * bounded before they are converted.
 */
export function parseContentRange(v: string): { start: number; end: number; total: number } {
  const m = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16})$/.exec(v.trim());
  const [start, end, total] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && Number.isSafeInteger(total)) || end < start || end >= total) {
    throw new SealError('BodyMalformed', `backend answered an unusable Content-Range ${JSON.stringify(v.slice(0, 64))}`);
  }
  return { start, end, total };
}
