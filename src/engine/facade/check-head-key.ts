import { verifyEnvelope } from '../../crypto/envelope.js';
import { wipe } from '../../crypto/kdf.js';
import type { ObjectId } from '../../crypto/object-id.js';
import { SealError } from '../../errors.js';
import type { ObjectHead } from '../sealed-objects.js';
import type { FacadeContext } from './facade-types.js';

/**
 * What HEAD-like reads (HeadObject, GetObjectAttributes) check, as S3 does: an SSE-C object needs its
 * key — checked against the envelope's check value and the envelope MAC under the DEK it unwraps, so
 * a wrong key is AccessDenied —; an SSE-C key on another object, or on a plaintext one, is
 * InvalidRequest. No keystore key is used otherwise (DESIGN.md permission matrix).
 */
export async function checkHeadKey(ctx: FacadeContext, o: ObjectId, head: ObjectHead, principal: string, customerKey: Buffer | undefined): Promise<void> {
  const env = head.envelope;
  if (env === undefined && customerKey !== undefined) throw new SealError('InvalidRequest', 'The encryption parameters are not applicable to this object.');
  if (env?.mode === 'SSE-C' || (env !== undefined && customerKey !== undefined)) {
    // forRead refuses a missing key (SSE-C) or a key on a non-SSE-C object before anything is unwrapped
    const keys = await ctx.materials.forRead({ object: o, envelope: env, principal, ...(customerKey !== undefined ? { customerKey } : {}) });
    try {
      const dek = await keys.recover(o, env);
      try {
        verifyEnvelope(env, dek);
      } finally {
        wipe(dek);
      }
    } finally {
      keys.dispose?.();
    }
  }
}
