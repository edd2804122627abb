import { randomBytes } from 'node:crypto';
import type { Envelope } from '../../crypto/envelope.js';
import type { ObjectId } from '../../crypto/object-id.js';
import { ssecUnwrap, ssecWrap } from '../../crypto/ssec-wrap.js';
import type { KeyResolver } from '../key-resolver.js';
import type { WrapFields } from '../object-writer.js';
import { SealError } from '../../errors.js';

/** SSE-C (FORMAT.md §8): the caller's 256-bit key wraps the DEK; nothing about it is stored but salt and check. */
export class SsecKeyResolver implements KeyResolver {
  private readonly k: Buffer;

  constructor(customerKey: Uint8Array) {
    if (customerKey.length !== 32) throw new SealError('InvalidArgument', 'The secret key was invalid for the specified algorithm.');
    this.k = Buffer.from(customerKey);
  }

  async generate(o: ObjectId): Promise<{ dek: Buffer; wrap: WrapFields }> {
    const dek = randomBytes(32);
    const w = ssecWrap(this.k, dek, o);
    return { dek, wrap: { mode: 'SSE-C', wrappedKey: w.wrappedKey, ssecSalt: w.salt, ssecCheck: w.check } };
  }

  /** a fresh salt for every wrap (FORMAT.md §8: the zero nonce is safe only for a wrap key used once) */
  async wrapExisting(o: ObjectId, dek: Buffer): Promise<WrapFields> {
    const w = ssecWrap(this.k, dek, o);
    return { mode: 'SSE-C', wrappedKey: w.wrappedKey, ssecSalt: w.salt, ssecCheck: w.check };
  }

  async recover(o: ObjectId, env: Envelope): Promise<Buffer> {
    if (env.mode !== 'SSE-C' || !env.ssecSalt || !env.ssecCheck) {
      throw new SealError('InvalidArgument', 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');
    }
    return ssecUnwrap(this.k, { salt: env.ssecSalt, check: env.ssecCheck, wrappedKey: env.wrappedKey }, o);
  }

  dispose(): void {
    this.k.fill(0);
  }
}
