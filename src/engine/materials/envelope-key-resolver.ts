import type { Envelope } from '../../crypto/envelope.js';
import type { ObjectId } from '../../crypto/object-id.js';
import { SealError } from '../../errors.js';
import type { KeyResolver } from '../key-resolver.js';
import type { WrapFields } from '../object-writer.js';

/**
 * A read-only KeyResolver that picks the real one from each envelope it is shown (MaterialsManager.
 * reader): engine calls that take a resolver up front can then read objects whatever their mode.
 * The picked resolver lives for one call and is disposed after it (an SSE-C copy of the key is zeroed).
 */
export class EnvelopeKeyResolver implements KeyResolver {
  constructor(private readonly pick: (o: ObjectId, env: Envelope) => Promise<KeyResolver>) {}

  generate(): Promise<{ dek: Buffer; wrap: WrapFields }> {
    return Promise.reject(new SealError('InvalidArgument', 'a read resolver cannot encrypt: writes take their materials from MaterialsManager.forWrite'));
  }

  async recover(o: ObjectId, env: Envelope): Promise<Buffer> {
    const r = await this.pick(o, env);
    try {
      return await r.recover(o, env);
    } finally {
      r.dispose?.();
    }
  }

  async charge(o: ObjectId, env: Envelope, plaintextBytes: number): Promise<void> {
    const r = await this.pick(o, env);
    try {
      await r.charge?.(o, env, plaintextBytes);
    } finally {
      r.dispose?.();
    }
  }
}
