import type { SseResult } from '../../engine/facade/facade-types.js';

/**
 * Which echo headers an S3 response carries (S3 API reference, response headers of each operation):
 * - `write`: PutObject, CreateMultipartUpload, CopyObject — all of them, the KMS context included;
 * - `object`: GetObject, HeadObject, UploadPart, UploadPartCopy — no context;
 * - `complete`: CompleteMultipartUpload — no context and no SSE-C headers (S3 returns neither there).
 */
export type SseEcho = 'write' | 'object' | 'complete';

/**
 * The SSE echo headers of a response, from the facade's SseResult (never the envelope): SSE-S3
 * `x-amz-server-side-encryption: AES256`; SSE-KMS `aws:kms` with the resolved key id, the caller's
 * context as base64 JSON (write responses) and `-bucket-key-enabled: true` in bucket-key mode;
 * SSE-C the algorithm and the MD5 of the key the request carried. Nothing for a passthrough object.
 */
export function sseEchoHeaders(sse: SseResult | undefined, echo: SseEcho): Record<string, string> {
  const h: Record<string, string> = {};
  if (sse === undefined) return h;
  switch (sse.mode) {
    case 'SSE-C':
      if (echo === 'complete') return h;
      h['x-amz-server-side-encryption-customer-algorithm'] = 'AES256';
      if (sse.customerKeyMd5 !== undefined) h['x-amz-server-side-encryption-customer-key-md5'] = sse.customerKeyMd5;
      return h;
    case 'SSE-S3':
      h['x-amz-server-side-encryption'] = 'AES256';
      break;
    case 'SSE-KMS':
      h['x-amz-server-side-encryption'] = 'aws:kms';
      if (sse.keyId !== undefined) h['x-amz-server-side-encryption-aws-kms-key-id'] = sse.keyId;
      if (echo === 'write' && sse.context !== undefined) h['x-amz-server-side-encryption-context'] = Buffer.from(JSON.stringify(sse.context), 'utf8').toString('base64');
      break;
  }
  if (sse.bucketKeyEnabled) h['x-amz-server-side-encryption-bucket-key-enabled'] = 'true';
  return h;
}
