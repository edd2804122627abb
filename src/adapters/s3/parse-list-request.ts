import { SealError } from '../../errors.js';
import type { S3Request } from './s3-request.js';

/** S3 answers at most 1000 keys per page, whatever max-keys asks for. */
export const MAX_LIST_KEYS = 1000;

/** What every list request shares, parsed and validated as S3 does. */
export interface ListParams {
  bucket: string;
  prefix?: string;
  delimiter?: string;
  /** as the page is asked for (S3 caps it at 1000) */
  maxKeys: number;
  /** encoding-type=url: keys, prefixes, markers and the delimiter go back URL-encoded */
  encode: boolean;
}

export function parseListParams(req: S3Request): ListParams {
  if (req.bucket === undefined || req.bucket === '') throw new SealError('InvalidRequest', 'a list needs a bucket');
  const q = req.query;
  let maxKeys = MAX_LIST_KEYS;
  const raw = q['max-keys'];
  if (raw !== undefined) {
    if (!/^[0-9]{1,10}$/.test(raw) || Number(raw) > 2 ** 31 - 1) throw new SealError('InvalidArgument', 'Provided max-keys not an integer or within integer range');
    maxKeys = Math.min(Number(raw), MAX_LIST_KEYS);
  }
  const encodingType = q['encoding-type'];
  if (encodingType !== undefined && encodingType.toLowerCase() !== 'url') throw new SealError('InvalidArgument', 'Invalid Encoding Method specified in Request');
  return {
    bucket: req.bucket,
    ...(q['prefix'] !== undefined && q['prefix'] !== '' ? { prefix: q['prefix'] } : {}),
    ...(q['delimiter'] !== undefined && q['delimiter'] !== '' ? { delimiter: q['delimiter'] } : {}),
    maxKeys,
    encode: encodingType !== undefined,
  };
}

/**
 * encoding-type=url as S3 applies it: percent-encoding of everything but unreserved characters and
 * `/` (a space is `%20`, a `+` is `%2B`, so both decodeURIComponent and form decoders — botocore's
 * unquote_plus — get the key back).
 */
export function listEncoder(encode: boolean): (s: string) => string {
  if (!encode) return (s) => s;
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
