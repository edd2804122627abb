import type { SseMode } from '../../crypto/envelope.js';

/**
 * The read-side pin (DESIGN.md "Reads take the key from the envelope, and check it is allowed"): an
 * envelope's key id is unMACed and a key that unwraps proves nothing — someone who can encrypt under
 * *some* key could plant objects readers would accept. So before any unwrap, the (mode, key id) an
 * envelope names must be one this principal may read `bucket`/`key` under; otherwise `check` throws
 * SealError `AccessDenied`. It may also fail with a keystore outage (fail closed, retryable).
 *
 * This is a port: ConfiguredReadKeys is the rule for "no policy document loaded"; the policy layer
 * (issue 8: key grants per principal, bucket/prefix rules, context conditions) replaces it.
 */
export interface AllowedReadKeys {
  /** `keyId`: the envelope's resolved key id as stored; undefined for SSE-C (no keystore key) */
  check(principal: string, bucket: string, key: string, mode: SseMode, keyId: string | undefined): Promise<void>;
}
