import { verifyEnvelope } from '../../crypto/envelope.js';
import { wipe } from '../../crypto/kdf.js';
import type { ObjectId } from '../../crypto/object-id.js';
import type { SealedChecksum } from '../../crypto/sealed-checksums.js';
import { SealError } from '../../errors.js';
import { SealedObjects, type ObjectHead } from '../sealed-objects.js';
import type { FacadeContext } from './facade-types.js';

/**
 * What HEAD-like reads (HeadObject, GetObjectAttributes) check, as S3 does: an SSE-C object needs its
 * key — checked against the envelope's check value and the envelope MAC under the DEK it unwraps, so
 * a wrong key is AccessDenied —; an SSE-C key on another object, or on a plaintext one, is
 * InvalidRequest. No keystore key is used otherwise (DESIGN.md permission matrix), except that
 * `openChecksums` on an object with sealed checksums (FORMAT.md §5.7) unwraps its DEK to open them:
 * returned then (undefined when not asked or the object has none).
 */
export async function checkHeadKey(ctx: FacadeContext, o: ObjectId, head: ObjectHead, principal: string, customerKey: Buffer | undefined, opts: { openChecksums?: boolean } = {}): Promise<SealedChecksum[] | undefined> {
  const env = head.envelope;
  if (env === undefined && customerKey !== undefined) throw new SealError('InvalidRequest', 'The encryption parameters are not applicable to this object.');
  const wantChecksums = opts.openChecksums === true && env?.sealedChecksums !== undefined;
  if (env === undefined || (env.mode !== 'SSE-C' && customerKey === undefined && !wantChecksums)) return undefined;
  // forRead refuses a missing key (SSE-C) or a key on a non-SSE-C object before anything is unwrapped
  const keys = await ctx.materials.forRead({ object: o, envelope: env, principal, ...(customerKey !== undefined ? { customerKey } : {}) });
  try {
    const dek = await keys.recover(o, env);
    try {
      verifyEnvelope(env, dek);
      return wantChecksums ? SealedObjects.openChecksums(dek, env) : undefined;
    } finally {
      wipe(dek);
    }
  } finally {
    keys.dispose?.();
  }
}
