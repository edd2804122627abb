import type { S3Operation } from '../s3-operation.js';
import { commonPrefixNodes, contentsNode, optional } from '../list-xml.js';
import { listEncoder, parseListParams } from '../parse-list-request.js';
import { s3XmlResponse } from '../s3-xml-document.js';
import { SealError } from '../../../errors.js';

/**
 * ListObjectsV2: GET /bucket?list-type=2. Sizes are plaintext sizes, ETags the backend's; the
 * continuation token is the backend's, passed through; Owner only with fetch-owner=true.
 */
export const listObjectsV2: S3Operation = async (ctx, req) => {
  const p = parseListParams(req);
  const token = req.query['continuation-token'];
  const startAfter = req.query['start-after'];
  const fetchOwnerRaw = req.query['fetch-owner'];
  if (fetchOwnerRaw !== undefined && fetchOwnerRaw !== 'true' && fetchOwnerRaw !== 'false') throw new SealError('InvalidArgument', 'Invalid value for fetch-owner');
  const fetchOwner = fetchOwnerRaw === 'true';
  if (token === '') throw new SealError('InvalidArgument', 'The continuation token provided is incorrect');
  const r = await ctx.facade.listObjects({
    api: 'v2',
    bucket: p.bucket,
    principal: req.principal,
    ...(p.prefix !== undefined ? { prefix: p.prefix } : {}),
    ...(p.delimiter !== undefined ? { delimiter: p.delimiter } : {}),
    maxKeys: p.maxKeys,
    ...(token !== undefined ? { continuationToken: token } : {}),
    ...(startAfter !== undefined && startAfter !== '' ? { startAfter } : {}),
    ...(fetchOwner ? { fetchOwner } : {}),
  });
  const enc = listEncoder(p.encode);
  return s3XmlResponse('ListBucketResult', [
    ['Name', p.bucket],
    ['Prefix', enc(p.prefix ?? '')],
    ...optional('Delimiter', p.delimiter !== undefined ? enc(p.delimiter) : undefined),
    ['MaxKeys', p.maxKeys],
    ...optional('EncodingType', p.encode ? 'url' : undefined),
    ['KeyCount', r.objects.length + r.commonPrefixes.length],
    ['IsTruncated', r.isTruncated],
    ...optional('ContinuationToken', token),
    ...optional('NextContinuationToken', r.isTruncated ? r.nextContinuationToken : undefined),
    ...optional('StartAfter', startAfter !== undefined && startAfter !== '' ? enc(startAfter) : undefined),
    ...r.objects.map((o) => contentsNode(o, enc, fetchOwner)),
    ...commonPrefixNodes(r.commonPrefixes, enc),
  ]);
};
