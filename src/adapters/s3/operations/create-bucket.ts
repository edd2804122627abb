import { SealError } from '../../../errors.js';
import { refuseUnsupportedWriteHeaders } from '../object-headers.js';
import { readSmallBody } from '../request-body.js';
import type { S3Operation } from '../s3-operation.js';
import { parseS3Xml } from '../s3-xml.js';
import { bucketOf } from './bucket-of.js';

const DOCUMENT_LIMIT = 64 * 1024;

/** the LocationConstraint of a CreateBucketConfiguration document (empty body: none) */
export function locationOf(doc: Buffer): string | undefined {
  if (doc.toString('utf8').trim() === '') return undefined;
  const root = parseS3Xml(doc)['CreateBucketConfiguration'];
  if (root === '') return undefined;
  if (typeof root !== 'object' || root === null) throw new SealError('MalformedXML', 'no CreateBucketConfiguration element');
  const location = (root as Record<string, unknown>)['LocationConstraint'];
  if (location === undefined) return undefined;
  if (typeof location !== 'string') throw new SealError('MalformedXML', 'LocationConstraint is not text');
  return location;
}

/**
 * CreateBucket: forwarded (a bucket holds no data yet). ACL grants and Object Lock are not passed on,
 * so they are refused (NotImplemented), not dropped. 200 with `Location: /bucket`, as S3.
 */
export const createBucket: S3Operation = async (ctx, req) => {
  const bucket = bucketOf(req);
  refuseUnsupportedWriteHeaders(req.headers, 'bucket');
  const location = locationOf(await readSmallBody(req, DOCUMENT_LIMIT));
  await ctx.facade.createBucket({ bucket, principal: req.principal, ...(location !== undefined ? { location } : {}) });
  return { status: 200, headers: { location: `/${bucket}`, 'content-length': '0' } };
};
