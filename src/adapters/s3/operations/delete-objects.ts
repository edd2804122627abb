import type { S3Operation } from '../s3-operation.js';
import { parseDeleteObjects } from '../parse-delete-objects.js';
import { readXmlBody } from '../read-xml-body.js';
import { s3ErrorShape } from '../s3-error-shape.js';
import { s3XmlResponse, type XmlNode } from '../s3-xml-document.js';
import { SealError } from '../../../errors.js';

/** 1000 keys of 1024 bytes, escaped, with version ids and markup, fit well inside this */
const BODY_LIMIT = 8 * 1024 * 1024;

/**
 * DeleteObjects: POST /bucket?delete with a `<Delete>` body, which S3 requires to carry Content-MD5 or
 * an x-amz-checksum-* (verified here before the body is parsed). Each key is authorized on its own; a
 * refused key is an `<Error>` of the DeleteResult (S3's code and message), the others are deleted in
 * one backend batch. Quiet mode lists only the errors.
 */
export const deleteObjects: S3Operation = async (ctx, req) => {
  if (req.bucket === undefined || req.bucket === '') throw new SealError('InvalidRequest', 'DeleteObjects needs a bucket');
  const body = parseDeleteObjects(await readXmlBody(req, { limit: BODY_LIMIT, integrityRequired: true }));
  const r = await ctx.facade.deleteObjects({ bucket: req.bucket, principal: req.principal, objects: body.objects });
  const deleted: XmlNode[] = body.quiet
    ? []
    : r.deleted.map((d) => [
        'Deleted',
        [
          ['Key', d.key],
          ...(d.versionId !== undefined ? [['VersionId', d.versionId] as const] : []),
          ...(d.deleteMarker !== undefined ? [['DeleteMarker', d.deleteMarker] as const] : []),
          ...(d.deleteMarkerVersionId !== undefined ? [['DeleteMarkerVersionId', d.deleteMarkerVersionId] as const] : []),
        ],
      ]);
  const errors: XmlNode[] = r.errors.map((e) => {
    const shape = s3ErrorShape(e.error);
    return ['Error', [['Key', e.key], ...(e.versionId !== undefined ? [['VersionId', e.versionId] as const] : []), ['Code', shape.code], ['Message', shape.message]]];
  });
  return s3XmlResponse('DeleteResult', [...deleted, ...errors]);
};
