import { SealError } from '../../../errors.js';
import { refuseVersionId } from '../object-headers.js';
import type { S3Operation } from '../s3-operation.js';
import { objectOf } from './object-of.js';

// S3's conditional deletes (If-Match on the ETag, last-modified time, size): not implemented yet,
// refused rather than ignored — an unconditional delete is not what the caller asked for
const CONDITIONAL = ['if-match', 'x-amz-if-match-last-modified-time', 'x-amz-if-match-size'] as const;

/** DeleteObject: no key is used; 204 whether or not the key existed, as on S3. */
export const deleteObject: S3Operation = async (ctx, req) => {
  refuseVersionId(req);
  const conditional = CONDITIONAL.find((h) => req.headers[h] !== undefined);
  if (conditional !== undefined) throw new SealError('NotImplemented', `A header you provided implies functionality that is not implemented: ${conditional}`);
  const r = await ctx.facade.deleteObject(objectOf(req));
  return {
    status: 204,
    headers: {
      ...(r.versionId !== undefined ? { 'x-amz-version-id': r.versionId } : {}),
      ...(r.deleteMarker === true ? { 'x-amz-delete-marker': 'true' } : {}),
    },
  };
};
