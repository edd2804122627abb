import { parseBucketEncryption } from '../bucket-encryption-xml.js';
import { readXmlBody } from '../read-xml-body.js';
import type { S3Operation } from '../s3-operation.js';
import { bucketOf } from './bucket-of.js';

/** one rule with a 2048-character key id fits many times over */
const DOCUMENT_LIMIT = 16 * 1024;

/**
 * PutBucketEncryption (PUT /bucket?encryption): the document's Content-MD5 / x-amz-checksum-* is
 * verified when sent, before it is parsed; the facade asks the policy, checks the bucket's local
 * floors and stores it in the reserved bucket. 200 with no body, as S3.
 */
export const putBucketEncryption: S3Operation = async (ctx, req) => {
  const bucket = bucketOf(req);
  const configuration = parseBucketEncryption(await readXmlBody(req, { limit: DOCUMENT_LIMIT }));
  await ctx.facade.putBucketEncryption({ bucket, principal: req.principal, configuration });
  return { status: 200, headers: { 'content-length': '0' } };
};
