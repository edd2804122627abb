import { wipe } from '../../../crypto/kdf.js';
import { SealError } from '../../../errors.js';
import { copySourceCondition } from '../copy-source-condition.js';
import { callerMetadata, refuseUnsupportedWriteHeaders, requestContentHeaders } from '../object-headers.js';
import { parseMetadataDirective, parseTaggingDirective } from '../parse-copy-directives.js';
import { parseCopySourceSse } from '../parse-copy-source-sse.js';
import { parseCopySource } from '../parse-copy-source.js';
import { parseSseRequest } from '../parse-sse-request.js';
import { requestedEncryptionOf, wipeSseRequest } from '../requested-encryption-of.js';
import type { S3Operation } from '../s3-operation.js';
import { s3Xml, xmlHeaders } from '../s3-xml.js';
import { sseEchoHeaders } from '../sse-echo-headers.js';
import { objectOf } from './object-of.js';

/**
 * CopyObject (PUT with x-amz-copy-source): the copy source, its SSE-C key, the destination's SSE
 * headers (every mode; none = the default, SSE-S3), x-amz-metadata-directive and
 * x-amz-copy-source-if-* are all validated before the facade reads anything. The facade re-wraps a
 * sealed source (one backend copy, no body rewrite). The answer is S3's CopyObjectResult with the
 * destination's SSE echo, as S3 sends it (context included); the source's SSE-C key is not echoed.
 * x-amz-tagging-directive COPY (the default) keeps the source's tags, as the backend copy does;
 * REPLACE would need tags s3seal does not pass on, and is refused rather than ignored. The ETag is
 * in the document and, as MinIO sends it, in an ETag header (minio-js reads it from there).
 */
export const copyObject: S3Operation = async (ctx, req) => {
  const o = objectOf(req);
  refuseUnsupportedWriteHeaders(req.headers, 'object');
  const source = parseCopySource(req.headers['x-amz-copy-source'] ?? '');
  const directive = parseMetadataDirective(req.headers);
  if (parseTaggingDirective(req.headers) === 'REPLACE') throw new SealError('NotImplemented', 'A header you provided implies functionality that is not implemented: x-amz-tagging-directive');
  const condition = copySourceCondition(req.headers);
  const sourceKey = parseCopySourceSse(req);
  try {
    const sse = parseSseRequest(req, 'write');
    try {
      const r = await ctx.facade.copyObject({
        principal: o.principal,
        source: { ...source, ...(sourceKey !== undefined ? { customerKey: sourceKey.key } : {}) },
        ...(condition !== undefined ? { sourceCondition: condition } : {}),
        bucket: o.bucket,
        key: o.key,
        encryption: requestedEncryptionOf(sse),
        encryptionRequested: sse.mode !== 'none',
        metadataDirective: directive,
        // on COPY S3 ignores the request's metadata and content headers
        ...(directive === 'REPLACE' ? { userMetadata: callerMetadata(req.headers), ...requestContentHeaders(req.headers) } : {}),
      });
      const body = s3Xml('CopyObjectResult', { ETag: r.etag, LastModified: (r.lastModified ?? new Date()).toISOString() });
      return {
        status: 200,
        headers: {
          ...xmlHeaders(body),
          // the ETag also as a header, as MinIO answers CopyObject: minio-js's copyObject reads the new object's ETag from there only
          etag: r.etag,
          ...(r.versionId !== undefined ? { 'x-amz-version-id': r.versionId } : {}),
          ...(r.copySourceVersionId !== undefined ? { 'x-amz-copy-source-version-id': r.copySourceVersionId } : {}),
          ...sseEchoHeaders(r.sse, 'write'),
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
