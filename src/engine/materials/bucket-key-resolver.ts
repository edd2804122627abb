import { randomBytes } from 'node:crypto';
import { bucketKeyUnwrap, bucketKeyWrap } from '../../crypto/bucket-key-wrap.js';
import { canonicalContext, type EncryptionContext } from '../../crypto/encryption-context.js';
import type { Envelope } from '../../crypto/envelope.js';
import type { ObjectId } from '../../crypto/object-id.js';
import type { KeyResolver } from '../key-resolver.js';
import type { WrapFields } from '../object-writer.js';
import { SealError } from '../../errors.js';
import type { BucketKeyCache, BucketKeyOwner } from '../../keystores/bucket-key-cache.js';
import { checkEnvelopeKey } from './check-envelope-key.js';
import type { Keystore } from '../../keystores/keystore.js';
import { ResolvedKeyIds } from '../../keystores/resolved-key-ids.js';

/** The bucket key's binding context: the bucket ARN, as S3 uses for bucket keys (FORMAT.md §9). */
export function bucketKeyContext(bucket: string): string {
  return canonicalContext({ 'aws:s3:arn': `arn:aws:s3:::${bucket}` });
}

/**
 * SSE-S3 / SSE-KMS in bucket-key mode: per-object DEKs stay fresh and are wrapped locally under a
 * cached bucket key (AAD = object ARN); the KMS is asked only when the cache misses. The caller's
 * context is stored in the envelope and covered by its MAC. Cache entries are keyed by the keystore
 * and the key id `keyName` resolves to; `keyIds` is shared by a registry's resolvers, so a resolver
 * per request costs no DescribeKey per request.
 */
export class BucketKeyResolver implements KeyResolver {
  constructor(
    private readonly keystore: Keystore,
    private readonly mode: 'SSE-S3' | 'SSE-KMS',
    private readonly keyName: string,
    private readonly principal: string,
    private readonly cache: BucketKeyCache,
    private readonly callerContext: EncryptionContext = {},
    private readonly keyIds: ResolvedKeyIds = new ResolvedKeyIds(),
  ) {
    if (mode === 'SSE-S3' && Object.keys(callerContext).length > 0) throw new SealError('InvalidArgument', 'SSE-S3 does not take an encryption context');
  }

  private resolvedId(fresh = false): Promise<string> {
    return this.keyIds.resolve(this.keystore, this.keyName, fresh);
  }

  private owner(keyId: string): BucketKeyOwner {
    return { keystore: this.keystore.id, keyId };
  }

  async generate(o: ObjectId, plaintextLength = 0): Promise<{ dek: Buffer; wrap: WrapFields }> {
    const dek = randomBytes(32);
    try {
      return { dek, wrap: await this.wrapExisting(o, dek, plaintextLength) };
    } catch (err) {
      dek.fill(0);
      throw err;
    }
  }

  /** the DEK (fresh, or an existing body's on a copy) wrapped locally under the cached bucket key */
  async wrapExisting(o: ObjectId, dek: Buffer, plaintextLength = 0): Promise<WrapFields> {
    const owner = this.owner(await this.resolvedId());
    const bk = await this.cache.forEncrypt(o.bucket, owner, this.principal, plaintextLength, async () => {
      const g = await this.keystore.generateDataKey(this.keyName, bucketKeyContext(o.bucket));
      this.keyIds.learn(this.keystore, this.keyName, g.keyId);
      return g;
    });
    let wrappedKey: Buffer;
    try {
      wrappedKey = bucketKeyWrap(bk.key, dek, o);
    } finally {
      bk.key.fill(0);
    }
    const wrap: WrapFields = { mode: this.mode, keyRef: bk.keyId, wrappedKey, bucketKey: bk.wrapped };
    if (this.mode === 'SSE-KMS' && Object.keys(this.callerContext).length > 0) wrap.context = canonicalContext(this.callerContext);
    return wrap;
  }

  async recover(o: ObjectId, env: Envelope): Promise<Buffer> {
    // the same key-id check as without bucket keys (FORMAT.md §5.5, §11 step 2)
    await checkEnvelopeKey(this.mode, env, (fresh) => this.resolvedId(fresh));
    if (!env.bucketKey) throw new SealError('InvalidArgument', 'object was not written in bucket-key mode');
    const blob = env.bucketKey;
    const bk = await this.cache.forDecrypt(this.owner(env.keyRef!), this.principal, blob, () => this.keystore.decryptDataKey(this.keyName, blob, bucketKeyContext(o.bucket)));
    try {
      return bucketKeyUnwrap(bk, env.wrappedKey, o);
    } finally {
      bk.fill(0);
    }
  }

  async charge(o: ObjectId, env: Envelope, plaintextBytes: number): Promise<void> {
    if (!env.bucketKey || env.mode !== this.mode) return;
    const keyId = await this.resolvedId();
    if (env.keyRef !== keyId) return;
    this.cache.charge(o.bucket, this.owner(keyId), this.principal, env.bucketKey, plaintextBytes);
  }
}
