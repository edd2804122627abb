import type { S3Operation } from '../s3-operation.js';
import { commonPrefixNodes, optional, ownerNode } from '../list-xml.js';
import { listEncoder, parseListParams } from '../parse-list-request.js';
import { s3XmlResponse, xmlDate, type XmlNode } from '../s3-xml-document.js';
import { SealError } from '../../../errors.js';

/**
 * ListObjectVersions: GET /bucket?versions. Each version's Size is its plaintext size (its HEAD asks
 * for that version); Version and DeleteMarker elements interleaved in S3's order.
 */
export const listObjectVersions: S3Operation = async (ctx, req) => {
  const p = parseListParams(req);
  const keyMarker = req.query['key-marker'];
  const versionIdMarker = req.query['version-id-marker'];
  const hasKeyMarker = keyMarker !== undefined && keyMarker !== '';
  if (versionIdMarker !== undefined && versionIdMarker !== '' && !hasKeyMarker) throw new SealError('InvalidArgument', 'A version-id marker cannot be specified without a key marker.');
  const r = await ctx.facade.listObjectVersions({
    bucket: p.bucket,
    principal: req.principal,
    ...(p.prefix !== undefined ? { prefix: p.prefix } : {}),
    ...(p.delimiter !== undefined ? { delimiter: p.delimiter } : {}),
    maxKeys: p.maxKeys,
    ...(hasKeyMarker ? { keyMarker } : {}),
    ...(versionIdMarker !== undefined && versionIdMarker !== '' ? { versionIdMarker } : {}),
  });
  const enc = listEncoder(p.encode);
  const entries: XmlNode[] = r.entries.map((e) =>
    e.kind === 'version'
      ? [
          'Version',
          [
            ['Key', enc(e.key)],
            ['VersionId', e.versionId],
            ['IsLatest', e.isLatest],
            ['LastModified', xmlDate(e.lastModified)],
            ['ETag', e.etag],
            ['Size', e.size],
            ...ownerNode(e.owner),
            ['StorageClass', e.storageClass ?? 'STANDARD'],
          ],
        ]
      : ['DeleteMarker', [['Key', enc(e.key)], ['VersionId', e.versionId], ['IsLatest', e.isLatest], ['LastModified', xmlDate(e.lastModified)], ...ownerNode(e.owner)]],
  );
  return s3XmlResponse('ListVersionsResult', [
    ['Name', p.bucket],
    ['Prefix', enc(p.prefix ?? '')],
    ['KeyMarker', enc(keyMarker ?? '')],
    ['VersionIdMarker', versionIdMarker ?? ''],
    ...optional('NextKeyMarker', r.isTruncated && r.nextKeyMarker !== undefined ? enc(r.nextKeyMarker) : undefined),
    ...optional('NextVersionIdMarker', r.isTruncated ? r.nextVersionIdMarker : undefined),
    ['MaxKeys', p.maxKeys],
    ...optional('Delimiter', p.delimiter !== undefined ? enc(p.delimiter) : undefined),
    ...optional('EncodingType', p.encode ? 'url' : undefined),
    ['IsTruncated', r.isTruncated],
    ...entries,
    ...commonPrefixNodes(r.commonPrefixes, enc),
  ]);
};
