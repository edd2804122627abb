import { SealError } from '../../../errors.js';
import type { S3Operation } from '../s3-operation.js';
import { s3Xml, xmlHeaders, type XmlElement } from '../s3-xml.js';
import { objectOf } from './object-of.js';

const MAX_PARTS_DEFAULT = 1000;

function nonNegative(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) throw new SealError('InvalidArgument', `${name} must be a non-negative integer`);
  return Number(value);
}

/**
 * ListParts (GET ?uploadId): the UploadId is s3seal's token (authenticated by the engine; a forged or
 * foreign one is NoSuchUpload). Sizes are the parts' plaintext lengths (engine size math: the stored
 * size minus the part header and chunk tags), ETags the backend's, paged by max-parts and
 * part-number-marker as S3 pages them.
 */
export const listParts: S3Operation = async (ctx, req) => {
  const o = objectOf(req);
  const uploadId = req.query['uploadId'];
  if (uploadId === undefined || uploadId === '') throw new SealError('InvalidRequest', 'ListParts needs uploadId');
  const maxParts = Math.min(nonNegative(req.query['max-parts'], 'max-parts', MAX_PARTS_DEFAULT), MAX_PARTS_DEFAULT);
  const marker = nonNegative(req.query['part-number-marker'], 'part-number-marker', 0);
  const { parts } = await ctx.facade.listParts({ ...o, uploadId });
  const after = parts.filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  const content: XmlElement = {
    Bucket: o.bucket,
    Key: o.key,
    UploadId: uploadId,
    PartNumberMarker: String(marker),
    ...(page.length > 0 ? { NextPartNumberMarker: String(page[page.length - 1]!.partNumber) } : {}),
    MaxParts: String(maxParts),
    IsTruncated: truncated ? 'true' : 'false',
    StorageClass: 'STANDARD',
    Part: page.map((p) => ({
      PartNumber: String(p.partNumber),
      ...(p.lastModified !== undefined ? { LastModified: p.lastModified.toISOString() } : {}),
      ...(p.etag !== undefined ? { ETag: p.etag } : {}),
      Size: String(p.plaintextLength),
    })),
  };
  const body = s3Xml('ListPartsResult', content);
  return { status: 200, headers: xmlHeaders(body), body };
};
