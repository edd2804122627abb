import { refuseVersionId } from '../object-headers.js';
import type { S3Operation } from '../s3-operation.js';
import { objectOf } from './object-of.js';

/** DeleteObject: no key is used; 204 whether or not the key existed, as on S3. */
export const deleteObject: S3Operation = async (ctx, req) => {
  refuseVersionId(req);
  const r = await ctx.facade.deleteObject(objectOf(req));
  return {
    status: 204,
    headers: {
      ...(r.versionId !== undefined ? { 'x-amz-version-id': r.versionId } : {}),
      ...(r.deleteMarker === true ? { 'x-amz-delete-marker': 'true' } : {}),
    },
  };
};
