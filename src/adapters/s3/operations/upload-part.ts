import { checksumEchoHeaders } from '../checksum-echo-headers.js';
import { SealError } from '../../../errors.js';
import { parsePartNumber } from '../parse-part-number.js';
import { parseSseRequest } from '../parse-sse-request.js';
import { wipeSseRequest } from '../requested-encryption-of.js';
import { requestBody } from '../request-body.js';
import type { S3Operation } from '../s3-operation.js';
import { sseEchoHeaders } from '../sse-echo-headers.js';
import { objectOf } from './object-of.js';

/**
 * UploadPart (PUT ?partNumber&uploadId): the upload's key comes from the token; an SSE-C upload's
 * parts must carry its key (another key: AccessDenied 403; none: InvalidRequest 400), and only SSE-C
 * headers are accepted (the mode was fixed at Create). The body is verified as PutObject's, before
 * the part's final chunk: a mismatch leaves no part. Answers the part's backend ETag and S3's echo.
 */
export const uploadPart: S3Operation = async (ctx, req) => {
  const o = objectOf(req);
  const partNumber = parsePartNumber(req);
  const uploadId = req.query['uploadId'];
  if (partNumber === undefined || uploadId === undefined || uploadId === '') throw new SealError('InvalidRequest', 'UploadPart needs partNumber and uploadId');
  const sse = parseSseRequest(req, 'part');
  try {
    const body = requestBody(req);
    const part = await ctx.facade.uploadPart({
      ...o,
      uploadId,
      partNumber,
      body: body.body,
      contentLength: body.length,
      ...(body.checksums ? { checksums: body.checksums } : {}),
      ...(sse.mode === 'SSE-C' ? { customerKey: sse.key } : {}),
    });
    // UploadPartOutput has no ChecksumType: the values only
    return { status: 200, headers: { etag: part.etag, 'content-length': '0', ...sseEchoHeaders(part.sse, 'object'), ...checksumEchoHeaders(part.checksums, { type: false }) } };
  } finally {
    wipeSseRequest(sse);
  }
};
