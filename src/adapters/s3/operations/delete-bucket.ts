import type { S3Operation } from '../s3-operation.js';
import { bucketOf } from './bucket-of.js';

/** DeleteBucket: forwarded; the backend answers BucketNotEmpty 409 / NoSuchBucket 404 itself. 204. */
export const deleteBucket: S3Operation = async (ctx, req) => {
  await ctx.facade.deleteBucket({ bucket: bucketOf(req), principal: req.principal });
  return { status: 204, headers: {} };
};
