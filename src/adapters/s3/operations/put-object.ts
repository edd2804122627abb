import { checksumEchoHeaders } from '../checksum-echo-headers.js';
import { callerMetadata, refuseUnsupportedWriteHeaders, requestContentHeaders } from '../object-headers.js';
import { parseSseRequest } from '../parse-sse-request.js';
import { requestedEncryptionOf, wipeSseRequest } from '../requested-encryption-of.js';
import { requestBody } from '../request-body.js';
import type { S3Operation } from '../s3-operation.js';
import { sseEchoHeaders } from '../sse-echo-headers.js';
import { objectOf } from './object-of.js';

/**
 * PutObject: SSE headers and body headers are validated before any body byte or key is used; the
 * body (aws-chunked decoded) is sealed with its checksums verified before the final chunk, so a
 * mismatch stores nothing, and sealed in the envelope (echoed as S3 does). Answers the backend's ETag and S3's SSE echo.
 */
export const putObject: S3Operation = async (ctx, req) => {
  const o = objectOf(req);
  refuseUnsupportedWriteHeaders(req.headers, 'object');
  const sse = parseSseRequest(req, 'write');
  try {
    const body = requestBody(req);
    const put = await ctx.facade.putObject({
      ...o,
      ...requestContentHeaders(req.headers),
      body: body.body,
      contentLength: body.length,
      encryption: requestedEncryptionOf(sse),
      userMetadata: callerMetadata(req.headers),
      ...(body.checksums ? { checksums: body.checksums } : {}),
    });
    return {
      status: 200,
      headers: {
        etag: put.etag,
        'content-length': '0',
        ...(put.versionId !== undefined ? { 'x-amz-version-id': put.versionId } : {}),
        ...sseEchoHeaders(put.sse, 'write'),
        ...checksumEchoHeaders(put.checksums),
      },
    };
  } finally {
    wipeSseRequest(sse);
  }
};
