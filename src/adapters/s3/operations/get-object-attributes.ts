import type { S3Operation } from '../s3-operation.js';
import type { ObjectAttributeName } from '../../../engine/facade/object-attributes-types.js';
import { parseSseRequest } from '../parse-sse-request.js';
import { s3XmlResponse, type XmlNode } from '../s3-xml-document.js';
import { SealError } from '../../../errors.js';

const ATTRIBUTES: readonly ObjectAttributeName[] = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'];

function attributesOf(header: string | undefined): Set<ObjectAttributeName> {
  if (header === undefined || header.trim() === '') throw new SealError('InvalidArgument', 'The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty');
  const out = new Set<ObjectAttributeName>();
  for (const raw of header.split(',')) {
    const name = ATTRIBUTES.find((a) => a === raw.trim());
    if (!name) throw new SealError('InvalidArgument', 'Invalid attribute name specified.');
    out.add(name);
  }
  return out;
}

function integer(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,10}$/.test(value.trim()) || Number(value) > 2 ** 31 - 1) throw new SealError('InvalidArgument', `Provided ${what} not an integer or within integer range`);
  return Number(value);
}

/** an S3 ETag in GetObjectAttributes is written without its quotes, as S3 does */
function unquoted(etag: string): string {
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}

/**
 * GetObjectAttributes: GET /bucket/key?attributes with x-amz-object-attributes. ObjectSize is the
 * plaintext size; ObjectParts (multipart objects only) the plaintext parts of the committed layout.
 * Checksum is accepted but never answered: s3seal does not keep sealed plaintext checksums yet, and
 * the backend's are of the ciphertext (S3 also omits Checksum for an object stored without one).
 * An SSE-C object needs its key, as on HEAD (the SSE-C headers are the read set).
 */
export const getObjectAttributes: S3Operation = async (ctx, req) => {
  if (req.bucket === undefined || req.key === undefined) throw new SealError('InvalidRequest', 'GetObjectAttributes needs a bucket and key');
  const attributes = attributesOf(req.headers['x-amz-object-attributes']);
  const maxParts = integer(req.headers['x-amz-max-parts'], 'max-parts');
  const partNumberMarker = integer(req.headers['x-amz-part-number-marker'], 'part-number-marker');
  const sse = parseSseRequest(req, 'read');
  const customerKey = sse.mode === 'SSE-C' ? sse.key : undefined;
  const versionId = req.query['versionId'];
  try {
    const r = await ctx.facade.getObjectAttributes({
      bucket: req.bucket,
      key: req.key,
      principal: req.principal,
      ...(versionId !== undefined && versionId !== '' ? { versionId } : {}),
      ...(customerKey !== undefined ? { customerKey } : {}),
      ...(maxParts !== undefined ? { maxParts } : {}),
      ...(partNumberMarker !== undefined ? { partNumberMarker } : {}),
    });
    const children: XmlNode[] = [];
    if (attributes.has('ETag')) children.push(['ETag', unquoted(r.etag)]);
    if (attributes.has('ObjectParts') && r.objectParts) {
      const p = r.objectParts;
      children.push([
        'ObjectParts',
        [
          ['PartsCount', p.totalPartsCount],
          ['PartNumberMarker', p.partNumberMarker],
          ['NextPartNumberMarker', p.nextPartNumberMarker],
          ['MaxParts', p.maxParts],
          ['IsTruncated', p.isTruncated],
          ...p.parts.map((part): XmlNode => ['Part', [['PartNumber', part.partNumber], ['Size', part.size]]]),
        ],
      ]);
    }
    if (attributes.has('StorageClass')) children.push(['StorageClass', r.storageClass]);
    if (attributes.has('ObjectSize')) children.push(['ObjectSize', r.objectSize]);
    return s3XmlResponse('GetObjectAttributesResponse', children, {
      ...(r.lastModified ? { 'last-modified': r.lastModified.toUTCString() } : {}),
      ...(r.versionId !== undefined ? { 'x-amz-version-id': r.versionId } : {}),
    });
  } finally {
    customerKey?.fill(0);
  }
};
