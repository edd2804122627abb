import type { S3Operation } from '../s3-operation.js';
import { s3Xml, xmlHeaders } from '../s3-xml.js';
import { bucketOf } from './bucket-of.js';

/** GetBucketLocation: forwarded; `<LocationConstraint>` empty for us-east-1, as S3 answers. */
export const getBucketLocation: S3Operation = async (ctx, req) => {
  const location = await ctx.facade.getBucketLocation({ bucket: bucketOf(req), principal: req.principal });
  const body = s3Xml('LocationConstraint', location);
  return { status: 200, headers: xmlHeaders(body), body };
};
