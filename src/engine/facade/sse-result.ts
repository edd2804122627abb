import { createHash } from 'node:crypto';
import { parseStoredContext } from '../../crypto/encryption-context.js';
import type { EnvelopeFields } from '../../crypto/envelope.js';
import type { SseResult } from './facade-types.js';

/**
 * The echo of an object's encryption, from the fields its envelope stores (or a write is about to
 * store): mode, resolved key id, the caller's context, bucket-key mode; for SSE-C the MD5 of the key
 * the request carried (S3 echoes it; the key itself is never stored).
 */
export function sseResultOf(f: Pick<EnvelopeFields, 'mode' | 'keyRef' | 'context' | 'bucketKey'>, customerKey?: Uint8Array): SseResult {
  const out: SseResult = { mode: f.mode, bucketKeyEnabled: f.bucketKey !== undefined };
  if (f.mode === 'SSE-C') {
    if (customerKey !== undefined) out.customerKeyMd5 = createHash('md5').update(customerKey).digest('base64');
    return out;
  }
  if (f.keyRef !== undefined) out.keyId = f.keyRef;
  if (f.context !== undefined) out.context = parseStoredContext(f.context);
  return out;
}
