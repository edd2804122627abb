import type { BucketInfo } from '../../backends/object-store.js';
import type { FacadeContext } from './facade-types.js';

/**
 * The bucket operations the S3 core forwards (they hold no object data: issue 7 item 2), through
 * the facade like every other operation, so the policy is asked first (DESIGN.md "Architecture":
 * the facade is the only way to the backend). The resource of a bucket action is the bucket with an
 * empty key; ListBuckets names no bucket.
 */
export async function createBucket(ctx: FacadeContext, req: { bucket: string; principal: string; location?: string }): Promise<void> {
  await ctx.policy.authorize(req.principal, 'CreateBucket', { bucket: req.bucket, key: '' });
  await ctx.store.createBucket(req.bucket, req.location);
}

/**
 * DeleteBucket; its bucket encryption configuration goes with it, as on S3 (a bucket created later
 * under the same name starts without one). Removed after the bucket, never before: a refused delete
 * (BucketNotEmpty) keeps the configuration. If removing it fails, the error is the caller's to see
 * (the bucket is gone; its configuration stays, and applies again if the bucket is created anew,
 * until a DeleteBucketEncryption of it).
 */
export async function deleteBucket(ctx: FacadeContext, req: { bucket: string; principal: string }): Promise<void> {
  await ctx.policy.authorize(req.principal, 'DeleteBucket', { bucket: req.bucket, key: '' });
  await ctx.store.deleteBucket(req.bucket);
  await ctx.bucketEncryption?.delete(req.bucket);
}

export async function headBucket(ctx: FacadeContext, req: { bucket: string; principal: string }): Promise<{ region?: string }> {
  await ctx.policy.authorize(req.principal, 'HeadBucket', { bucket: req.bucket, key: '' });
  return ctx.store.headBucket(req.bucket);
}

/** ListBuckets: the reserved bucket of the bucket encryption configurations is never listed */
export async function listBuckets(ctx: FacadeContext, req: { principal: string }): Promise<BucketInfo[]> {
  await ctx.policy.authorize(req.principal, 'ListBuckets', { bucket: '', key: '' });
  const listed = await ctx.store.listBuckets();
  const reserved = ctx.bucketEncryption?.reservedBucket;
  return reserved === undefined ? listed : listed.filter((b) => b.name !== reserved);
}

export async function getBucketLocation(ctx: FacadeContext, req: { bucket: string; principal: string }): Promise<string> {
  await ctx.policy.authorize(req.principal, 'GetBucketLocation', { bucket: req.bucket, key: '' });
  return ctx.store.bucketLocation(req.bucket);
}
