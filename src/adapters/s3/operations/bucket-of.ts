import { SealError } from '../../../errors.js';
import type { S3Request } from '../s3-request.js';

/** the bucket of a bucket operation (identifyOperation routed it only with one) */
export function bucketOf(req: S3Request): string {
  if (req.bucket === undefined || req.bucket === '') throw new SealError('InvalidRequest', 'a bucket operation needs a bucket');
  return req.bucket;
}
