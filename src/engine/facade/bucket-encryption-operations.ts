import { BackendRequestError } from '../../backends/backend-request-error.js';
import { SealError } from '../../errors.js';
import type { BucketEncryption, BucketEncryptionSettings } from './bucket-encryption.js';
import type { FacadeContext } from './facade-types.js';

export interface PutBucketEncryptionRequest {
  bucket: string;
  principal: string;
  configuration: BucketEncryption;
}

export interface BucketEncryptionRequest {
  bucket: string;
  principal: string;
}

/** the settings store, or NotImplemented where this s3seal keeps none */
function settingsOf(ctx: FacadeContext): BucketEncryptionSettings {
  if (ctx.bucketEncryption === undefined) throw new SealError('NotImplemented', 'bucket encryption configurations are not enabled in this s3seal');
  return ctx.bucketEncryption;
}

/**
 * The bucket the configuration is for must exist (S3 answers NoSuchBucket; a HEAD 404 has no body,
 * the SDK names it NotFound). The reserved bucket never gets here: the facade's policy refuses it
 * (reserved-bucket-guard.ts) before any operation runs.
 */
async function configurableBucket(ctx: FacadeContext, bucket: string, operation: string): Promise<void> {
  try {
    await ctx.store.headBucket(bucket);
  } catch (err) {
    if (err instanceof BackendRequestError && err.status === 404) throw new BackendRequestError('NoSuchBucket', 404, operation);
    throw err;
  }
}

/**
 * PutBucketEncryption (DESIGN.md "Bucket encryption configuration"): the action policy first, then
 * the write planner's floors (a configuration that would lower a local floor of the bucket is
 * AccessDenied), then the shared store.
 */
export async function putBucketEncryption(ctx: FacadeContext, req: PutBucketEncryptionRequest): Promise<void> {
  await ctx.policy.authorize(req.principal, 'PutBucketEncryption', { bucket: req.bucket, key: '' });
  const settings = settingsOf(ctx);
  await configurableBucket(ctx, req.bucket, 'PutBucketEncryption');
  await ctx.planner.checkBucketEncryption(req.principal, req.bucket, req.configuration);
  await settings.put(req.bucket, req.configuration);
}

/** GetBucketEncryption: the bucket's configuration, undefined where none is set (fails closed like every read of it) */
export async function getBucketEncryption(ctx: FacadeContext, req: BucketEncryptionRequest): Promise<BucketEncryption | undefined> {
  await ctx.policy.authorize(req.principal, 'GetBucketEncryption', { bucket: req.bucket, key: '' });
  const settings = settingsOf(ctx);
  await configurableBucket(ctx, req.bucket, 'GetBucketEncryption');
  return settings.get(req.bucket);
}

/** DeleteBucketEncryption: none set is not an error (S3 answers 204 either way) */
export async function deleteBucketEncryption(ctx: FacadeContext, req: BucketEncryptionRequest): Promise<void> {
  await ctx.policy.authorize(req.principal, 'DeleteBucketEncryption', { bucket: req.bucket, key: '' });
  const settings = settingsOf(ctx);
  await configurableBucket(ctx, req.bucket, 'DeleteBucketEncryption');
  await settings.delete(req.bucket);
}
