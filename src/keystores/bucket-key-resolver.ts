import { randomBytes } from 'node:crypto';
import { bucketKeyUnwrap, bucketKeyWrap } from '../crypto/bucket-key-wrap.js';
import { canonicalContext, type EncryptionContext } from '../crypto/encryption-context.js';
import type { Envelope } from '../crypto/envelope.js';
import type { ObjectId } from '../crypto/object-id.js';
import type { KeyResolver } from '../engine/key-resolver.js';
import type { WrapFields } from '../engine/object-writer.js';
import { SealError } from '../errors.js';
import type { BucketKeyCache } from './bucket-key-cache.js';
import type { Keystore } from './keystore.js';

/** The bucket key's binding context: the bucket ARN, as S3 uses for bucket keys (FORMAT.md §9). */
export function bucketKeyContext(bucket: string): string {
  return canonicalContext({ 'aws:s3:arn': `arn:aws:s3:::${bucket}` });
}

/**
 * SSE-S3 / SSE-KMS in bucket-key mode: per-object DEKs stay fresh and are wrapped locally under a
 * cached bucket key (AAD = object ARN); the KMS is asked only when the cache misses. The caller's
 * context is stored in the envelope and covered by its MAC.
 */
export class BucketKeyResolver implements KeyResolver {
  constructor(
    private readonly keystore: Keystore,
    private readonly mode: 'SSE-S3' | 'SSE-KMS',
    private readonly keyName: string,
    private readonly principal: string,
    private readonly cache: BucketKeyCache,
    private readonly callerContext: EncryptionContext = {},
  ) {
    if (mode === 'SSE-S3' && Object.keys(callerContext).length > 0) throw new SealError('InvalidArgument', 'SSE-S3 does not take an encryption context');
  }

  async generate(o: ObjectId, plaintextLength = 0): Promise<{ dek: Buffer; wrap: WrapFields }> {
    const bk = await this.cache.forEncrypt(o.bucket, this.keyName, this.principal, plaintextLength, () => this.keystore.generateDataKey(this.keyName, bucketKeyContext(o.bucket)));
    const dek = randomBytes(32);
    const wrappedKey = bucketKeyWrap(bk.key, dek, o);
    bk.key.fill(0);
    const wrap: WrapFields = { mode: this.mode, keyRef: bk.keyId, wrappedKey, bucketKey: bk.wrapped };
    if (this.mode === 'SSE-KMS' && Object.keys(this.callerContext).length > 0) wrap.context = canonicalContext(this.callerContext);
    return { dek, wrap };
  }

  async recover(o: ObjectId, env: Envelope): Promise<Buffer> {
    if (env.mode !== this.mode) throw new SealError('InvalidArgument', `object is ${env.mode}, not ${this.mode}`);
    if (!env.bucketKey) throw new SealError('InvalidArgument', 'object was not written in bucket-key mode');
    const blob = env.bucketKey;
    const bk = await this.cache.forDecrypt(this.keyName, this.principal, blob, () => this.keystore.decryptDataKey(this.keyName, blob, bucketKeyContext(o.bucket)));
    try {
      return bucketKeyUnwrap(bk, env.wrappedKey, o);
    } finally {
      bk.fill(0);
    }
  }
}
