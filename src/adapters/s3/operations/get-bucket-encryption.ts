import { SealError } from '../../../errors.js';
import { bucketEncryptionXml } from '../bucket-encryption-xml.js';
import type { S3Operation } from '../s3-operation.js';
import { xmlHeaders } from '../s3-xml.js';
import { bucketOf } from './bucket-of.js';

/** GetBucketEncryption (GET /bucket?encryption): the rule, or ServerSideEncryptionConfigurationNotFoundError 404 where none is set. */
export const getBucketEncryption: S3Operation = async (ctx, req) => {
  const bucket = bucketOf(req);
  const configuration = await ctx.facade.getBucketEncryption({ bucket, principal: req.principal });
  if (configuration === undefined) throw new SealError('EncryptionConfigurationNotFound', `bucket "${bucket}" has no server side encryption configuration`);
  const body = bucketEncryptionXml(configuration);
  return { status: 200, headers: xmlHeaders(body), body };
};
