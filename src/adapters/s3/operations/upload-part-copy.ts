import { wipe } from '../../../crypto/kdf.js';
import { SealError } from '../../../errors.js';
import { copySourceCondition } from '../copy-source-condition.js';
import { parseCopySourceRange } from '../parse-copy-source-range.js';
import { parseCopySourceSse } from '../parse-copy-source-sse.js';
import { parseCopySource } from '../parse-copy-source.js';
import { parsePartNumber } from '../parse-part-number.js';
import { parseSseRequest } from '../parse-sse-request.js';
import { wipeSseRequest } from '../requested-encryption-of.js';
import type { S3Operation } from '../s3-operation.js';
import { s3Xml, xmlHeaders } from '../s3-xml.js';
import { sseEchoHeaders } from '../sse-echo-headers.js';
import { objectOf } from './object-of.js';

/**
 * UploadPartCopy (PUT ?partNumber&uploadId with x-amz-copy-source): a plaintext range of a sealed
 * source (x-amz-copy-source-range `bytes=first-last`, checked against the source's plaintext length:
 * past the end is InvalidArgument) becomes a part of the s3seal upload, decrypted and encrypted for
 * it by the facade. Destination SSE headers: SSE-C only, the upload's key (as UploadPart); the
 * source's SSE-C key in the copy-source headers. Answers S3's CopyPartResult with the upload's echo.
 */
export const uploadPartCopy: S3Operation = async (ctx, req) => {
  const o = objectOf(req);
  const partNumber = parsePartNumber(req);
  const uploadId = req.query['uploadId'];
  if (partNumber === undefined || uploadId === undefined || uploadId === '') throw new SealError('InvalidRequest', 'UploadPartCopy needs partNumber and uploadId');
  const source = parseCopySource(req.headers['x-amz-copy-source'] ?? '');
  const rangeHeader = req.headers['x-amz-copy-source-range'];
  const condition = copySourceCondition(req.headers);
  const sourceKey = parseCopySourceSse(req);
  try {
    const sse = parseSseRequest(req, 'part');
    try {
      const r = await ctx.facade.uploadPartCopy({
        principal: o.principal,
        source: { ...source, ...(sourceKey !== undefined ? { customerKey: sourceKey.key } : {}) },
        ...(condition !== undefined ? { sourceCondition: condition } : {}),
        ...(rangeHeader !== undefined ? { range: (length: number) => parseCopySourceRange(rangeHeader, length) } : {}),
        bucket: o.bucket,
        key: o.key,
        uploadId,
        partNumber,
        ...(sse.mode === 'SSE-C' ? { customerKey: sse.key } : {}),
      });
      const body = s3Xml('CopyPartResult', { ETag: r.etag, LastModified: r.lastModified.toISOString() });
      return {
        status: 200,
        headers: {
          ...xmlHeaders(body),
          ...(r.copySourceVersionId !== undefined ? { 'x-amz-copy-source-version-id': r.copySourceVersionId } : {}),
          ...sseEchoHeaders(r.sse, 'object'),
        },
        body,
      };
    } finally {
      wipeSseRequest(sse);
    }
  } finally {
    if (sourceKey !== undefined) wipe(sourceKey.key);
  }
};
