import { wipe } from '../../crypto/kdf.js';
import type { RequestedEncryption } from '../../engine/facade/facade-types.js';
import type { SseRequest } from './parse-sse-request.js';

/**
 * What a write's SSE headers asked for, in the facade's terms. Bucket default encryption, floors and
 * key grants are the policy layer's (src/policies, behind the facade): a request naming no SSE stays
 * `none` here, so the bucket's configuration — not this door — decides. `aws:kms` without a key id
 * leaves the key to the bucket default or the configured default KMS key; an unsaid
 * BucketKeyEnabled stays unsaid, so the bucket's setting applies (as on S3).
 *
 * An SSE-C request holds the request's own key buffer: wipeSseRequest zeroes both.
 */
export function requestedEncryptionOf(sse: SseRequest): RequestedEncryption {
  switch (sse.mode) {
    case 'none':
      return { mode: 'none' };
    case 'SSE-S3':
      return { mode: 'SSE-S3' };
    case 'SSE-KMS':
      return {
        mode: 'SSE-KMS',
        ...(sse.keyId !== undefined ? { keyRef: sse.keyId } : {}),
        ...(sse.context !== undefined ? { context: sse.context } : {}),
        ...(sse.bucketKeyEnabled !== undefined ? { bucketKey: sse.bucketKeyEnabled } : {}),
      };
    case 'SSE-C':
      return { mode: 'SSE-C', customerKey: sse.key };
  }
}

/** zero the SSE-C key a parsed request holds (no-op for other modes) */
export function wipeSseRequest(sse: SseRequest): void {
  if (sse.mode === 'SSE-C') wipe(sse.key);
}
