import { callerMetadata, refuseUnsupportedWriteHeaders, requestContentHeaders } from '../object-headers.js';
import { parseSseRequest } from '../parse-sse-request.js';
import { planFor, wipeSseRequest } from '../plan-for.js';
import { requestBody } from '../request-body.js';
import type { S3Operation } from '../s3-operation.js';
import { sseEchoHeaders } from '../sse-echo-headers.js';
import { objectOf } from './object-of.js';

/**
 * PutObject: SSE headers and body headers are validated before any body byte or key is used; the
 * body (aws-chunked decoded) is sealed with its checksums verified before the final chunk, so a
 * mismatch stores nothing. Answers the backend's ETag and S3's SSE echo.
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
      encryption: planFor(sse),
      userMetadata: callerMetadata(req.headers),
      beforeFinal: body.beforeFinal,
    });
    // hook (s7-checksums): `await body.digests()` are the verified plaintext checksums to seal and echo
    return {
      status: 200,
      headers: {
        etag: put.etag,
        'content-length': '0',
        ...(put.versionId !== undefined ? { 'x-amz-version-id': put.versionId } : {}),
        ...sseEchoHeaders(put.sse, 'write'),
      },
    };
  } finally {
    wipeSseRequest(sse);
  }
};
