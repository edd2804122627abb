import { BackendRequestError } from '../../../backends/backend-request-error.js';
import type { S3Operation } from '../s3-operation.js';
import { bucketOf } from './bucket-of.js';

/** HeadBucket: forwarded; 200 with the bucket's region where the backend names one. A 404 is NoSuchBucket. */
export const headBucket: S3Operation = async (ctx, req) => {
  const bucket = bucketOf(req);
  try {
    const r = await ctx.facade.headBucket({ bucket, principal: req.principal });
    const headers: Record<string, string> = {};
    if (r.region !== undefined) headers['x-amz-bucket-region'] = r.region;
    return { status: 200, headers };
  } catch (err) {
    // a bodiless 404 is "NotFound" to the SDK: for a bucket that is NoSuchBucket, not NoSuchKey
    if (err instanceof BackendRequestError && err.status === 404) throw new BackendRequestError('NoSuchBucket', 404, 'HeadBucket');
    throw err;
  }
};
