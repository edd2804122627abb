import { SealError } from '../../errors.js';
import type { ResolvedRange } from './resolve-range.js';

// Amazon S3's texts (InvalidArgument 400): the form is the one the UploadPartCopy API reference
// prescribes; the size one is what S3 answers a range past the end of the source.
export const COPY_RANGE_MESSAGES = {
  form: 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
  beyond: (size: number): string => `Range specified is not valid for source object of size: ${size}`,
} as const;

const FORM = /^bytes=(\d{1,16})-(\d{1,16})$/;

/**
 * `x-amz-copy-source-range` of UploadPartCopy: exactly `bytes=first-last`, both present, first ≤
 * last (no open or suffix forms, unlike Range) → InvalidArgument 400 otherwise; resolved against
 * the source's plaintext length, a last byte past the end → InvalidArgument 400 (not 416).
 */
export function parseCopySourceRange(header: string, sourceLength: number): ResolvedRange {
  const m = FORM.exec(header);
  if (!m) throw new SealError('InvalidArgument', COPY_RANGE_MESSAGES.form);
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end) throw new SealError('InvalidArgument', COPY_RANGE_MESSAGES.form);
  if (end >= sourceLength) throw new SealError('InvalidArgument', COPY_RANGE_MESSAGES.beyond(sourceLength));
  return { start, end };
}
