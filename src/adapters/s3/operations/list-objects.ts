import type { S3Operation } from '../s3-operation.js';
import { commonPrefixNodes, contentsNode, optional } from '../list-xml.js';
import { listEncoder, parseListParams } from '../parse-list-request.js';
import { s3XmlResponse } from '../s3-xml-document.js';

/**
 * ListObjects (v1): GET /bucket. Sizes are plaintext sizes (the facade's ListedSizes), ETags the
 * backend's; Owner is listed as v1 always lists it; NextMarker as the backend gave it (S3 sends one
 * only with a delimiter; without, the last key is the next marker).
 */
export const listObjects: S3Operation = async (ctx, req) => {
  const p = parseListParams(req);
  const marker = req.query['marker'];
  const r = await ctx.facade.listObjects({
    api: 'v1',
    bucket: p.bucket,
    principal: req.principal,
    ...(p.prefix !== undefined ? { prefix: p.prefix } : {}),
    ...(p.delimiter !== undefined ? { delimiter: p.delimiter } : {}),
    maxKeys: p.maxKeys,
    ...(marker !== undefined && marker !== '' ? { marker } : {}),
  });
  const enc = listEncoder(p.encode);
  return s3XmlResponse('ListBucketResult', [
    ['Name', p.bucket],
    ['Prefix', enc(p.prefix ?? '')],
    ['Marker', enc(marker ?? '')],
    ...optional('NextMarker', r.nextMarker !== undefined ? enc(r.nextMarker) : undefined),
    ['MaxKeys', p.maxKeys],
    ...optional('Delimiter', p.delimiter !== undefined ? enc(p.delimiter) : undefined),
    ...optional('EncodingType', p.encode ? 'url' : undefined),
    ['IsTruncated', r.isTruncated],
    ...r.objects.map((o) => contentsNode(o, enc, true)),
    ...commonPrefixNodes(r.commonPrefixes, enc),
  ]);
};
