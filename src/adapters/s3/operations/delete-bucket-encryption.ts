import type { S3Operation } from '../s3-operation.js';
import { bucketOf } from './bucket-of.js';

/** DeleteBucketEncryption (DELETE /bucket?encryption): 204, whether or not one was set (as S3). */
export const deleteBucketEncryption: S3Operation = async (ctx, req) => {
  await ctx.facade.deleteBucketEncryption({ bucket: bucketOf(req), principal: req.principal });
  return { status: 204, headers: {} };
};
