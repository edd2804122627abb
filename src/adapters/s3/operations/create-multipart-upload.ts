import { callerMetadata, refuseUnsupportedWriteHeaders, requestContentHeaders } from '../object-headers.js';
import { parseSseRequest } from '../parse-sse-request.js';
import { requestedEncryptionOf, wipeSseRequest } from '../requested-encryption-of.js';
import type { S3Operation } from '../s3-operation.js';
import { s3Xml, xmlHeaders } from '../s3-xml.js';
import { sseEchoHeaders } from '../sse-echo-headers.js';
import { objectOf } from './object-of.js';

/**
 * CreateMultipartUpload (POST ?uploads): the upload's mode and key are fixed here from the SSE
 * headers (as PutObject), with the caller's metadata and content headers. The UploadId answered is
 * s3seal's authenticated upload token, which every later part, Complete, Abort and ListParts carries.
 */
export const createMultipartUpload: S3Operation = async (ctx, req) => {
  const o = objectOf(req);
  refuseUnsupportedWriteHeaders(req.headers, 'object');
  // x-amz-checksum-algorithm / -type name the checksum of the parts: verified per part here; sealing
  // and the full-object checksum are the checksum work's (s7-checksums)
  const sse = parseSseRequest(req, 'write');
  try {
    const created = await ctx.facade.createMultipartUpload({
      ...o,
      ...requestContentHeaders(req.headers),
      encryption: requestedEncryptionOf(sse),
      userMetadata: callerMetadata(req.headers),
    });
    const body = s3Xml('InitiateMultipartUploadResult', { Bucket: o.bucket, Key: o.key, UploadId: created.uploadId });
    return { status: 200, headers: { ...xmlHeaders(body), ...sseEchoHeaders(created.sse, 'write') }, body };
  } finally {
    wipeSseRequest(sse);
  }
};
