import { bindingContext, canonicalContext, parseStoredContext, type EncryptionContext } from '../../crypto/encryption-context.js';
import type { Envelope } from '../../crypto/envelope.js';
import type { ObjectId } from '../../crypto/object-id.js';
import type { KeyResolver } from '../key-resolver.js';
import type { WrapFields } from '../object-writer.js';
import { SealError } from '../../errors.js';
import { checkEnvelopeKey } from './check-envelope-key.js';
import type { Keystore } from '../../keystores/keystore.js';
import { ResolvedKeyIds } from '../../keystores/resolved-key-ids.js';

/**
 * SSE-S3 / SSE-KMS through a keystore: the DEK is wrapped by the named key with the binding context
 * (caller context ∪ object ARN). The envelope stores the resolved key id and the caller's context
 * only. `keyName` is keystore-local; `keyId` (as stored) is what describeKey resolved — through
 * `keyIds`, which a registry shares between its resolvers (one DescribeKey per TTL, not per request).
 */
export class KeystoreKeyResolver implements KeyResolver {
  constructor(
    private readonly keystore: Keystore,
    private readonly mode: 'SSE-S3' | 'SSE-KMS',
    private readonly keyName: string,
    private readonly callerContext: EncryptionContext = {},
    private readonly keyIds: ResolvedKeyIds = new ResolvedKeyIds(),
  ) {
    if (mode === 'SSE-S3' && Object.keys(callerContext).length > 0) throw new SealError('InvalidArgument', 'SSE-S3 does not take an encryption context');
  }

  async generate(o: ObjectId): Promise<{ dek: Buffer; wrap: WrapFields }> {
    const g = await this.keystore.generateDataKey(this.keyName, bindingContext(o, this.callerContext));
    this.keyIds.learn(this.keystore, this.keyName, g.keyId);
    const wrap: WrapFields = { mode: this.mode, keyRef: g.keyId, wrappedKey: g.wrapped };
    if (this.mode === 'SSE-KMS' && Object.keys(this.callerContext).length > 0) wrap.context = canonicalContext(this.callerContext);
    return { dek: g.plaintext, wrap };
  }

  async wrapExisting(o: ObjectId, dek: Buffer): Promise<WrapFields> {
    const e = await this.keystore.encryptDataKey(this.keyName, dek, bindingContext(o, this.callerContext));
    this.keyIds.learn(this.keystore, this.keyName, e.keyId);
    const wrap: WrapFields = { mode: this.mode, keyRef: e.keyId, wrappedKey: e.wrapped };
    if (this.mode === 'SSE-KMS' && Object.keys(this.callerContext).length > 0) wrap.context = canonicalContext(this.callerContext);
    return wrap;
  }

  async recover(o: ObjectId, env: Envelope): Promise<Buffer> {
    await checkEnvelopeKey(this.mode, env, (fresh) => this.keyIds.resolve(this.keystore, this.keyName, fresh));
    const ctx = env.context ? parseStoredContext(env.context) : {};
    return this.keystore.decryptDataKey(this.keyName, env.wrappedKey, bindingContext(o, ctx));
  }
}
