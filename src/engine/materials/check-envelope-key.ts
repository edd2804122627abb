import type { Envelope } from '../../crypto/envelope.js';
import { SealError } from '../../errors.js';

/**
 * FORMAT.md §5.5 / §11 step 2, for every keystore-backed read (with or without bucket keys): the
 * envelope's MACed mode must be the request's, and its unMACed key id must be the key this request
 * resolved to. For SSE-S3 that ties the mode to the managed key, so an envelope cannot claim SSE-S3
 * under a KMS key (or the reverse). The mode is checked first, without a keystore call.
 */
export async function checkEnvelopeKey(mode: 'SSE-S3' | 'SSE-KMS', env: Envelope, resolvedId: (fresh: boolean) => Promise<string>): Promise<void> {
  if (env.mode !== mode) throw new SealError('InvalidArgument', `object is ${env.mode}, not ${mode}`);
  // resolved ids are shared and cached for a TTL: an alias re-pointed since then makes a fresh object
  // name the new target, so a mismatch is decided only against a freshly resolved id
  if (env.keyRef === (await resolvedId(false))) return;
  if (env.keyRef !== (await resolvedId(true))) {
    throw new SealError(mode === 'SSE-S3' ? 'EnvelopeMalformed' : 'AccessDenied', `object is encrypted under ${env.keyRef ?? 'no key'}, not the key this request may use`);
  }
}
