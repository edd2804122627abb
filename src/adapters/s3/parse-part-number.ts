import { SealError } from '../../errors.js';
import type { S3Request } from './s3-request.js';

// S3's limits and texts: part numbers are 1..10,000 (UploadPart / GetObject API reference), and a
// GET may not name both a part and a range (InvalidRequest 400).
export const PART_NUMBER_MAX = 10_000;
export const PART_NUMBER_MESSAGES = {
  invalid: 'Part number must be an integer between 1 and 10000, inclusive',
  withRange: 'Cannot specify both Range header and partNumber query parameter',
} as const;

/**
 * The `partNumber` query parameter of GetObject/HeadObject/UploadPart (undefined when absent):
 * decimal digits only, 1..10,000, else InvalidArgument 400; combined with a Range header on a read
 * → InvalidRequest 400. Whether the object has that many parts is the engine's question
 * (InvalidPartNumber 416).
 */
export function parsePartNumber(req: S3Request): number | undefined {
  const raw = req.query['partNumber'];
  if (raw === undefined) return undefined;
  if (!/^\d{1,5}$/.test(raw)) throw new SealError('InvalidArgument', PART_NUMBER_MESSAGES.invalid);
  const n = Number(raw);
  if (n < 1 || n > PART_NUMBER_MAX) throw new SealError('InvalidArgument', PART_NUMBER_MESSAGES.invalid);
  if ((req.method === 'GET' || req.method === 'HEAD') && req.headers['range'] !== undefined) {
    throw new SealError('InvalidRequest', PART_NUMBER_MESSAGES.withRange);
  }
  return n;
}
