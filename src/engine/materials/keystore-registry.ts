import type { EncryptionContext } from '../../crypto/encryption-context.js';
import type { KeyResolver } from '../key-resolver.js';
import { BucketKeyCache } from '../../keystores/bucket-key-cache.js';
import { BucketKeyResolver } from './bucket-key-resolver.js';
import { parseKeyRef } from '../../keystores/key-ref.js';
import type { Keystore, KeystoreId } from '../../keystores/keystore.js';
import { KeystoreError } from '../../keystores/keystore-error.js';
import { KeystoreKeyResolver } from './keystore-key-resolver.js';
import { ResolvedKeyIds } from '../../keystores/resolved-key-ids.js';

export interface ResolverRequest {
  mode: 'SSE-S3' | 'SSE-KMS';
  keyRef: string;
  context?: EncryptionContext;
  /** bucket-key mode: the principal whose bucket keys are used (DESIGN.md "Bucket keys") */
  bucketKeyPrincipal?: string;
}

export type SseS3ResolverRequest = Pick<ResolverRequest, 'bucketKeyPrincipal'>;

/**
 * The configured keystores by id, and keyRef resolution across them (DESIGN.md "Modes and key
 * hierarchy"): `arn:aws:kms:…` / `alias/…` → awskms, `vault:<mount>/<name>` → vault, `file:<name>` →
 * file, a bare name → the default KMS keystore. Aliases are resolved by the keystore (describeKey) and
 * the resolved id is what envelopes store. Resolved ids and bucket keys are held here, shared by every
 * resolver the registry builds: a door builds one per request, and that must not cost a DescribeKey
 * (or, in bucket-key mode, a Decrypt) per request. The managed SSE-S3 key (config `sseS3Key`) is held
 * here too, so no door picks it on its own.
 */
export class KeystoreRegistry {
  constructor(
    private readonly keystores: Partial<Record<KeystoreId, Keystore>>,
    private readonly defaultKms: KeystoreId = 'awskms',
    readonly bucketKeys: BucketKeyCache = new BucketKeyCache(),
    readonly keyIds: ResolvedKeyIds = new ResolvedKeyIds(),
    /** the managed SSE-S3 key (FORMAT.md §5.5; config `sseS3Key`): a registry without one cannot write SSE-S3 */
    readonly sseS3Key?: string,
  ) {}

  lookup(keyRef: string): { keystore: Keystore; name: string } {
    const ref = parseKeyRef(keyRef, this.defaultKms);
    const keystore = this.keystores[ref.keystore];
    if (!keystore) throw new KeystoreError('KeyStoreMisconfigured', `key ${keyRef} needs the ${ref.keystore} keystore, which is not configured`);
    return { keystore, name: ref.name };
  }

  /**
   * the stable id a keyRef resolves to (an alias becomes its key ARN), from the shared cache;
   * `fresh` asks the keystore again (a mismatch may be an alias re-pointed within the TTL)
   */
  async resolveId(keyRef: string, fresh = false): Promise<string> {
    const { keystore, name } = this.lookup(keyRef);
    return this.keyIds.resolve(keystore, name, fresh);
  }

  resolver(r: ResolverRequest): KeyResolver {
    const { keystore, name } = this.lookup(r.keyRef);
    return r.bucketKeyPrincipal !== undefined
      ? new BucketKeyResolver(keystore, r.mode, name, r.bucketKeyPrincipal, this.bucketKeys, r.context ?? {}, this.keyIds)
      : new KeystoreKeyResolver(keystore, r.mode, name, r.context ?? {}, this.keyIds);
  }

  /** SSE-S3 under the managed key: what every SSE-S3 write and read uses, whatever the door */
  sseS3Resolver(r: SseS3ResolverRequest = {}): KeyResolver {
    if (this.sseS3Key === undefined) throw new KeystoreError('KeyStoreMisconfigured', 'no managed SSE-S3 key is configured (sseS3Key)');
    // only the principal is taken from the caller: SSE-S3 has no context, and its key is not theirs to pick
    const req: ResolverRequest = { mode: 'SSE-S3', keyRef: this.sseS3Key };
    if (r.bucketKeyPrincipal !== undefined) req.bucketKeyPrincipal = r.bucketKeyPrincipal;
    return this.resolver(req);
  }
}
