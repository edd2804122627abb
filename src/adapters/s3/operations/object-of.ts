import { SealError } from '../../../errors.js';
import type { ObjectRequest } from '../../../engine/facade/facade-types.js';
import type { S3Request } from '../s3-request.js';

/** bucket, key and principal of an object operation (identifyOperation routed it only with both) */
export function objectOf(req: S3Request): ObjectRequest {
  if (req.bucket === undefined || req.bucket === '' || req.key === undefined || req.key === '') throw new SealError('InvalidRequest', 'an object operation needs a bucket and a key');
  return { bucket: req.bucket, key: req.key, principal: req.principal };
}
