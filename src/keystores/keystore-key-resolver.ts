import { bindingContext, canonicalContext, parseStoredContext, type EncryptionContext } from '../crypto/encryption-context.js';
import type { Envelope } from '../crypto/envelope.js';
import type { ObjectId } from '../crypto/object-id.js';
import type { KeyResolver } from '../engine/key-resolver.js';
import type { WrapFields } from '../engine/object-writer.js';
import { SealError } from '../errors.js';
import type { Keystore } from './keystore.js';

/**
 * SSE-S3 / SSE-KMS through a keystore: the DEK is wrapped by the named key with the binding context
 * (caller context ∪ object ARN). The envelope stores the resolved key id and the caller's context
 * only. `keyName` is keystore-local; `keyId` (as stored) is what describeKey resolved.
 */
export class KeystoreKeyResolver implements KeyResolver {
  constructor(
    private readonly keystore: Keystore,
    private readonly mode: 'SSE-S3' | 'SSE-KMS',
    private readonly keyName: string,
    private readonly callerContext: EncryptionContext = {},
  ) {
    if (mode === 'SSE-S3' && Object.keys(callerContext).length > 0) throw new SealError('InvalidArgument', 'SSE-S3 does not take an encryption context');
  }

  async generate(o: ObjectId): Promise<{ dek: Buffer; wrap: WrapFields }> {
    const g = await this.keystore.generateDataKey(this.keyName, bindingContext(o, this.callerContext));
    const wrap: WrapFields = { mode: this.mode, keyRef: g.keyId, wrappedKey: g.wrapped };
    if (this.mode === 'SSE-KMS' && Object.keys(this.callerContext).length > 0) wrap.context = canonicalContext(this.callerContext);
    return { dek: g.plaintext, wrap };
  }

  private resolvedId: Promise<string> | undefined;

  async recover(o: ObjectId, env: Envelope): Promise<Buffer> {
    if (env.mode !== this.mode) throw new SealError('InvalidArgument', `object is ${env.mode}, not ${this.mode}`);
    // FORMAT.md §11 step 2: the (unMACed) key id must be this resolver's key; for SSE-S3 that ties
    // the MACed mode to the managed key, so an envelope cannot claim SSE-S3 under a KMS key
    // cached once resolved; a failed lookup (outage) is not cached, so the next read asks again
    this.resolvedId ??= this.keystore.describeKey(this.keyName).then(
      (d) => d.keyId,
      (err: unknown) => {
        this.resolvedId = undefined;
        throw err;
      },
    );
    if (env.keyRef !== (await this.resolvedId)) {
      throw new SealError(this.mode === 'SSE-S3' ? 'EnvelopeMalformed' : 'AccessDenied', `object is encrypted under ${env.keyRef ?? 'no key'}, not the key this request may use`);
    }
    const ctx = env.context ? parseStoredContext(env.context) : {};
    return this.keystore.decryptDataKey(this.keyName, env.wrappedKey, bindingContext(o, ctx));
  }
}
