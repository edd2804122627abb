import type { Envelope } from '../../crypto/envelope.js';
import type { ObjectId } from '../../crypto/object-id.js';
import { SealError } from '../../errors.js';
import type { KeyResolver } from '../key-resolver.js';
import { parseStoredContext } from '../../crypto/encryption-context.js';
import type { AllowedReadKeys, KeyUseRequest } from './allowed-read-keys.js';
import type { EncryptionPlan } from './encryption-plan.js';
import { checkEnvelopeKey } from './check-envelope-key.js';
import { EnvelopeKeyResolver } from './envelope-key-resolver.js';
import type { KeystoreRegistry, ResolverRequest } from './keystore-registry.js';
import { SsecKeyResolver } from './ssec-key-resolver.js';

export type { EncryptionPlan };

export interface MaterialsManagerOptions {
  /** config `defaultKmsKey`, the analogue of `aws/s3`: the key of an SSE-KMS write that names none */
  defaultKmsKey?: string;
}

export interface ReadMaterialsRequest {
  object: ObjectId;
  /** the stored envelope as decoded (its MAC is checked with the DEK this returns a resolver for) */
  envelope: Envelope;
  principal: string;
  /** the caller's SSE-C key, if the request carried one (the caller keeps and zeroes it) */
  customerKey?: Buffer;
  /** a metadata-only re-wrap to this plan (UpdateObjectEncryption): the key use is `rewrap`, not `decrypt` */
  rewrapTo?: EncryptionPlan;
  /** the envelope is an upload token's, continued by a part or Complete: the key use is `encrypt` */
  continuesUpload?: boolean;
  /** the facade operation, for the audit trail */
  operation?: string;
}

/** how a reader uses the envelopes it is shown (ReadMaterialsRequest) */
export type ReaderOptions = Pick<ReadMaterialsRequest, 'rewrapTo' | 'continuesUpload' | 'operation'>;

/** S3's answers (observed on AWS; MinIO and Cloudian answer alike) */
const SSEC_KEY_MISSING = 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.';
const SSEC_KEY_NOT_APPLICABLE = 'The encryption parameters are not applicable to this object.';

/**
 * Picks key materials, so no door does (issue 7 item 1): on write, from the encryption plan; on
 * read, from the envelope alone — mode, bucket-key or direct, keystore and key all come from what the
 * object stores, so a GET needs no prior HEAD and no knowledge of how it was written. Before any
 * unwrap a read asks `allowed` whether the envelope's (mode, key id) may be read (DESIGN.md "Reads take
 * the key from the envelope, and check it is allowed"). The resolvers are the registry's own, with
 * their key-id checks and shared caches: bucket keys are per principal, resolved ids per TTL.
 */
export class MaterialsManager {
  constructor(
    private readonly registry: KeystoreRegistry,
    private readonly allowed: AllowedReadKeys,
    private readonly opts: MaterialsManagerOptions = {},
  ) {}

  /** the resolver a write under `plan` generates its DEK with; an SSE-C resolver holds a copy of the key until `dispose()` */
  forWrite(plan: EncryptionPlan, principal: string): Promise<KeyResolver> {
    return Promise.resolve().then(() => {
      if (plan.mode === 'SSE-C') return new SsecKeyResolver(plan.customerKey);
      const bucketKey = plan.bucketKey === true ? { bucketKeyPrincipal: principal } : {};
      if (plan.mode === 'SSE-S3') return this.registry.sseS3Resolver(bucketKey);
      const keyRef = plan.keyRef ?? this.opts.defaultKmsKey;
      if (keyRef === undefined) throw new SealError('InvalidArgument', 'aws:kms was requested without a key id, and no default KMS key is configured (defaultKmsKey)');
      const req: ResolverRequest = { mode: 'SSE-KMS', keyRef, ...bucketKey };
      if (plan.context !== undefined) req.context = plan.context;
      return this.registry.resolver(req);
    });
  }

  /**
   * the resolver that recovers `envelope`'s DEK, after the allowed-read-keys check; refused before any
   * keystore unwrap when the envelope names a key this principal may not read, or an SSE-S3 envelope
   * names another key than the managed one
   */
  async forRead(r: ReadMaterialsRequest): Promise<KeyResolver> {
    const env = r.envelope;
    const use = (mode: KeyUseRequest['mode'], keyId: string | undefined): KeyUseRequest => ({
      principal: r.principal,
      object: r.object,
      mode,
      keyId,
      context: env.context !== undefined ? parseStoredContext(env.context) : undefined,
      ...(r.rewrapTo !== undefined ? { use: 'rewrap', rewrapTo: r.rewrapTo } : { use: r.continuesUpload === true ? 'encrypt' : 'decrypt' }),
      ...(r.operation !== undefined ? { operation: r.operation } : {}),
    });
    if (env.mode === 'SSE-C') {
      if (r.customerKey === undefined) throw new SealError('InvalidRequest', SSEC_KEY_MISSING);
      await this.allowed.check(use('SSE-C', undefined));
      return new SsecKeyResolver(r.customerKey);
    }
    if (r.customerKey !== undefined) throw new SealError('InvalidRequest', SSEC_KEY_NOT_APPLICABLE);
    const bucketKey = env.bucketKey !== undefined ? { bucketKeyPrincipal: r.principal } : {};
    if (env.mode === 'SSE-S3') {
      const resolver = this.registry.sseS3Resolver(bucketKey); // throws if no managed key is configured
      const managed = this.registry.sseS3Key!;
      // FORMAT.md §5.5: SSE-S3 means the managed key; another key id is a malformed envelope, not a policy question
      await checkEnvelopeKey('SSE-S3', env, (fresh) => this.registry.resolveId(managed, fresh));
      await this.allowed.check(use('SSE-S3', env.keyRef));
      return resolver;
    }
    if (env.keyRef === undefined) throw new SealError('EnvelopeMalformed', 'envelope: SSE-KMS envelope lacks a key id');
    await this.allowed.check(use('SSE-KMS', env.keyRef));
    // the stored id is the resolved one: the registry parses it (key-ref.ts) to its keystore and key,
    // and the resolver still checks that it resolves to itself (check-envelope-key.ts)
    return this.registry.resolver({ mode: 'SSE-KMS', keyRef: env.keyRef, ...bucketKey });
  }

  /**
   * A KeyResolver for engine calls that recover an existing DEK (SealedObjects.get, and the upload
   * token's envelope on UploadPart / Complete): it picks through `forRead` from each envelope it is
   * shown, so the caller need not know how the object was written. It cannot generate.
   */
  reader(principal: string, customerKey?: Buffer, opts: ReaderOptions = {}): KeyResolver {
    return new EnvelopeKeyResolver((object, envelope) => this.forRead({ object, envelope, principal, ...(customerKey !== undefined ? { customerKey } : {}), ...opts }));
  }
}
