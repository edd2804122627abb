import { SealError } from '../../../errors.js';
import type { S3Operation } from '../s3-operation.js';
import { objectOf } from './object-of.js';

/** AbortMultipartUpload (DELETE ?uploadId): the token is authenticated, no key is used; 204. */
export const abortMultipartUpload: S3Operation = async (ctx, req) => {
  const uploadId = req.query['uploadId'];
  if (uploadId === undefined || uploadId === '') throw new SealError('InvalidRequest', 'AbortMultipartUpload needs uploadId');
  await ctx.facade.abortMultipartUpload({ ...objectOf(req), uploadId });
  return { status: 204, headers: {} };
};
