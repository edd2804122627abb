import type { S3Request } from './s3-request.js';
import { parseSseCustomerKey, type SseCustomerKey } from './sse-customer-key.js';

/**
 * The copy source's SSE-C key (CopyObject, UploadPartCopy:
 * `x-amz-copy-source-server-side-encryption-customer-{algorithm,key,key-MD5}`), validated exactly as
 * the object's own SSE-C headers are. S3 has no copy-source form of the other modes: an SSE-S3 or
 * SSE-KMS source is read with the key its envelope names. undefined = no copy-source SSE-C headers.
 */
export function parseCopySourceSse(req: S3Request): SseCustomerKey | undefined {
  return parseSseCustomerKey(req.headers, 'copy-source', req.secureTransport);
}
