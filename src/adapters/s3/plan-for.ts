import { wipe } from '../../crypto/kdf.js';
import type { EncryptionPlan } from '../../engine/facade/facade-types.js';
import type { SseRequest } from './parse-sse-request.js';

/**
 * The encryption plan of a write, from what its SSE headers asked for. This is the one place bucket
 * default encryption (issue 8: the bucket's algorithm, KMS key, BucketKeyEnabled,
 * BlockedEncryptionTypes) plugs in; until then a request naming no SSE gets SSE-S3, as AWS does
 * since 2023 (DESIGN.md "Defaults"). `aws:kms` without a key id leaves the key to the materials
 * manager, which uses the configured default KMS key or answers InvalidArgument.
 *
 * An SSE-C plan holds the request's own key buffer: wipeSseRequest zeroes both.
 */
export function planFor(sse: SseRequest): EncryptionPlan {
  switch (sse.mode) {
    case 'none':
    case 'SSE-S3':
      return { mode: 'SSE-S3' };
    case 'SSE-KMS':
      return {
        mode: 'SSE-KMS',
        ...(sse.keyId !== undefined ? { keyRef: sse.keyId } : {}),
        ...(sse.context !== undefined ? { context: sse.context } : {}),
        ...(sse.bucketKeyEnabled === true ? { bucketKey: true } : {}),
      };
    case 'SSE-C':
      return { mode: 'SSE-C', customerKey: sse.key };
  }
}

/** zero the SSE-C key a parsed request holds (no-op for other modes) */
export function wipeSseRequest(sse: SseRequest): void {
  if (sse.mode === 'SSE-C') wipe(sse.key);
}
