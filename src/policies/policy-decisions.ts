import type { ObjectId } from '../crypto/object-id.js';
import { SealError, isSealError } from '../errors.js';
import type { BucketEncryption, BucketEncryptionSettings } from '../engine/facade/bucket-encryption.js';
import type { ActionConditions, ObjectAction, ObjectActionPolicy } from '../engine/facade/object-action-policy.js';
import type { AllowedReadKeys, KeyUseRequest } from '../engine/materials/allowed-read-keys.js';
import type { ConfiguredReadKeys } from '../engine/materials/configured-read-keys.js';
import type { EncryptionPlan } from '../engine/materials/encryption-plan.js';
import type { KeystoreRegistry } from '../engine/materials/keystore-registry.js';
import type { WritePlanner, WritePlanRequest } from '../engine/materials/write-planner.js';
import type { AuditEvent, AuditLog } from './audit-log.js';
import { evaluateAction } from './evaluate-action.js';
import { bucketFloors, floorsFor, type Floor } from './floors.js';
import { KeyGrants } from './key-grants.js';
import type { PolicyDocument } from './policy-document.js';
import { planWrite, type FinalPlan } from './plan-write.js';

/** where the document in force comes from (PolicySource), or none: DESIGN.md "Defaults" */
export interface CurrentDocument {
  readonly current: PolicyDocument;
}

export interface PolicyDecisionsOptions {
  /** the loaded policy document; absent: the process principal may do everything with the configured keys */
  document?: CurrentDocument;
  /** bucket default encryption (the reserved-bucket store); absent: no bucket has one */
  bucketEncryption?: BucketEncryptionSettings;
  /** config `defaultKmsKey` */
  defaultKmsKey?: string;
  /** config `passthrough`: buckets/prefixes whose plaintext objects may be served (a bucket with a configuration or a floor never is) */
  passthrough?: readonly { bucket: string; prefix: string }[];
}

/**
 * The policy layer (DESIGN.md "Policies, permissions and role separation"; issue 8), as the three
 * ports the facade asks — ObjectActionPolicy (may this principal do this S3 action here: the
 * document's statements with their SSE conditions; the facade itself refuses the reserved bucket
 * before asking, reserved-bucket-guard.ts),
 * AllowedReadKeys (a read's key use: the principal's decrypt or rewrap grant on the envelope's key
 * and context, the floors' read pin) and WritePlanner (the plan: bucket default, floors, the
 * principal's encrypt grant). Without a document the process principal may act and use every
 * configured key (ConfiguredReadKeys pins reads to them, plus each bucket's own default KMS key), as
 * DESIGN.md "Defaults" says; bucket defaults and the reserved bucket apply either way.
 *
 * Every key-use decision and every denied action is one audit event.
 */
export class PolicyDecisions implements ObjectActionPolicy, AllowedReadKeys, WritePlanner {
  /** grants are rebuilt when the document object changes (a reload), so their resolved-id throttle starts afresh */
  private grantsFor: { doc: PolicyDocument; grants: KeyGrants } | undefined;
  /** passthrough buckets: whether each has a default encryption configuration, as last read (primePassthrough) */
  private readonly configuredBuckets = new Map<string, boolean>();

  constructor(
    private readonly registry: KeystoreRegistry,
    private readonly configured: ConfiguredReadKeys,
    private readonly audit: AuditLog,
    private readonly opts: PolicyDecisionsOptions = {},
  ) {}

  // ---- ObjectActionPolicy ------------------------------------------------------------------

  authorize(principal: string, action: ObjectAction, object: ObjectId, conditions: ActionConditions = {}): Promise<void> {
    return Promise.resolve().then(() => {
      // the facade refuses the reserved bucket before asking (reserved-bucket-guard.ts); asked here
      // anyway — e.g. by a hand-built facade — it is refused and, like every denied action, audited
      const reserved = this.opts.bucketEncryption?.reservedBucket;
      if (reserved !== undefined && object.bucket === reserved) this.deny({ principal, action, bucket: object.bucket, key: object.key, allowed: false, reason: 'the reserved configuration bucket is not reachable through any door' });
      const doc = this.opts.document?.current;
      if (doc !== undefined) {
        const d = evaluateAction(doc, principal, action, object.bucket, object.key, conditions);
        if (!d.allowed) this.deny({ principal, action, bucket: object.bucket, key: object.key, allowed: false, reason: d.reason });
      }
      return this.primePassthrough(object);
    });
  }

  /**
   * Passthrough is never served in a bucket with a default encryption configuration, but SealedObjects
   * asks synchronously (passthrough()) and the configuration is read asynchronously: so every action
   * on an object inside a listed passthrough prefix — the facade always asks authorize before it
   * reads — first refreshes whether the bucket has one. Anything but a verified "none" (a
   * configuration, a tampered document, an outage) counts as configured: no plaintext is served.
   * Objects outside the listed prefixes cost nothing here.
   */
  private async primePassthrough(o: ObjectId): Promise<void> {
    const store = this.opts.bucketEncryption;
    if (store === undefined || !this.listedForPassthrough(o)) return;
    const configured = await store.get(o.bucket).then(
      (cfg) => cfg !== undefined,
      () => true,
    );
    this.configuredBuckets.set(o.bucket, configured);
  }

  // ---- AllowedReadKeys -----------------------------------------------------------------------

  async check(req: KeyUseRequest): Promise<void> {
    const action = req.operation ?? (req.use === 'rewrap' ? 'UpdateObjectEncryption' : req.use === 'encrypt' ? 'UploadPart' : 'GetObject');
    const event = { principal: req.principal, action, bucket: req.object.bucket, key: req.object.key, use: req.use, mode: req.mode, ...(req.keyId !== undefined ? { keyRef: req.keyId } : {}) };
    const doc = this.opts.document?.current;
    if (req.mode === 'SSE-C') {
      // DESIGN.md permission matrix: SSE-C is governed by bucket/prefix rules only (the action
      // statements, already asked); the customer key itself is checked against the envelope
      this.audit.record({ ...event, allowed: true, reason: 'SSE-C: no keystore key is used' });
      return;
    }
    if (req.keyId === undefined) throw new SealError('EnvelopeMalformed', 'envelope: no key id');
    if (doc === undefined) return this.checkConfigured(req, event);
    // floors pin reads (and the parts of an upload) too: an object planted in a floor's prefix under
    // any other key is refused, even if this principal may decrypt that key elsewhere. The
    // envelope's key id is compared as stored — it is never itself resolved, so a planted id costs no
    // KMS call. A re-wrap is exempt: it is how objects written before the floor move under the
    // floor's key (its target is checked by planWrite).
    if (req.use !== 'rewrap') {
      const broken = await this.breaksFloors(floorsFor(doc, req.object.bucket, req.object.key), req.mode === 'SSE-S3' ? { mode: 'SSE-S3' } : { mode: 'SSE-KMS', keyRef: req.keyId }, true);
      if (broken !== undefined) this.deny({ ...event, allowed: false, reason: `the object breaks a floor: ${broken}` });
    }
    const grants = this.grants(doc);
    const d = await grants.check(req.principal, req.use, req.keyId, req.context);
    if (!d.allowed) this.deny({ ...event, allowed: false, reason: d.reason });
    if (req.use === 'rewrap') {
      const to = req.rewrapTo;
      const toId = to === undefined || to.mode === 'SSE-C' ? undefined : await this.resolvedIdOf(to);
      // DESIGN.md permission matrix: a re-wrap to a more widely readable key also needs decrypt(source);
      // the same key (only BucketKeyEnabled changes) is as readable as before
      if (toId !== req.keyId && (toId === undefined || (await grants.widensReaders(req.keyId, toId)))) {
        const dec = await grants.check(req.principal, 'decrypt', req.keyId, req.context);
        if (!dec.allowed) this.deny({ ...event, allowed: false, reason: `the target is more widely readable than the source, and ${dec.reason}` });
      }
    }
    this.audit.record({ ...event, allowed: true, reason: d.reason });
  }

  // ---- WritePlanner --------------------------------------------------------------------------

  async planWrite(req: WritePlanRequest): Promise<EncryptionPlan> {
    const { bucket, key } = req.object;
    const doc = this.opts.document?.current;
    const cfg = await this.opts.bucketEncryption?.get(bucket);
    const floors = doc !== undefined ? floorsFor(doc, bucket, key) : [];
    const event = { principal: req.principal, action: req.operation, bucket, key, use: 'encrypt' as const };
    let plan: FinalPlan;
    try {
      plan = await planWrite(req.requested, cfg, floors, this.opts.defaultKmsKey, (p) => this.breaksFloors(floors, p));
    } catch (err) {
      if (isSealError(err, 'EncryptionPolicyDenied')) this.audit.record({ ...event, ...(req.requested.mode !== 'none' ? { mode: req.requested.mode } : {}), allowed: false, reason: err.message });
      throw err;
    }
    if (plan.mode === 'SSE-C') {
      this.audit.record({ ...event, mode: 'SSE-C', allowed: true, reason: 'SSE-C: no keystore key is used' });
      return plan;
    }
    // without a document the resolved id serves only the audit line: not looked up when nothing is logged
    if (doc === undefined && !this.audit.enabled) return plan;
    const keyId = await this.resolvedIdOf(plan);
    const keyEvent = { ...event, mode: plan.mode, keyRef: keyId };
    if (doc !== undefined) {
      const d = await this.grants(doc).check(req.principal, 'encrypt', keyId, plan.mode === 'SSE-KMS' ? plan.context : undefined);
      if (!d.allowed) this.deny({ ...keyEvent, allowed: false, reason: d.reason });
      this.audit.record({ ...keyEvent, allowed: true, reason: d.reason });
    } else {
      this.audit.record({ ...keyEvent, allowed: true, reason: 'no policy document: the process may use every configured key' });
    }
    return plan;
  }

  async checkBucketEncryption(principal: string, bucket: string, configuration: BucketEncryption): Promise<void> {
    const event = { principal, action: 'PutBucketEncryption', bucket, key: '' };
    if (configuration.algorithm === 'aws:kms' && configuration.kmsKeyId === undefined && this.opts.defaultKmsKey === undefined) {
      // every write naming no SSE would then fail: refuse the configuration, not each write later
      throw new SealError('InvalidArgument', 'aws:kms without a KMSMasterKeyID needs a configured default KMS key (defaultKmsKey)');
    }
    if (this.opts.passthrough?.some((p) => p.bucket === bucket) === true) {
      this.deny({ ...event, allowed: false, reason: 'the bucket has passthrough prefixes (configuration `passthrough`): a bucket with default encryption never passes plaintext through' }, 'EncryptionPolicyDenied');
    }
    const doc = this.opts.document?.current;
    if (doc === undefined) return;
    const floors = bucketFloors(doc, bucket);
    if (floors.length === 0) return;
    const asDefault: FinalPlan | undefined =
      configuration.algorithm === 'AES256'
        ? { mode: 'SSE-S3' }
        : configuration.kmsKeyId !== undefined || this.opts.defaultKmsKey !== undefined
          ? { mode: 'SSE-KMS', keyRef: configuration.kmsKeyId ?? this.opts.defaultKmsKey! }
          : undefined;
    const broken = asDefault === undefined ? 'aws:kms without a key id and no default KMS key' : await this.breaksFloors(floors, asDefault);
    if (broken !== undefined) this.deny({ ...event, allowed: false, reason: `the configuration would lower a floor: ${broken}` }, 'EncryptionPolicyDenied');
  }

  /**
   * config `passthrough`, never where a floor covers the object nor in a bucket with a default
   * encryption configuration (as last seen by primePassthrough; unseen counts as configured).
   * SealedObjects asks this synchronously, when an object has no envelope.
   */
  passthrough(o: ObjectId): boolean {
    if (!this.listedForPassthrough(o)) return false;
    if (this.opts.bucketEncryption !== undefined && this.configuredBuckets.get(o.bucket) !== false) return false;
    const doc = this.opts.document?.current;
    return doc === undefined || floorsFor(doc, o.bucket, o.key).length === 0;
  }

  private listedForPassthrough(o: ObjectId): boolean {
    return this.opts.passthrough?.some((p) => p.bucket === o.bucket && o.key.startsWith(p.prefix)) === true;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private async checkConfigured(req: KeyUseRequest, event: Omit<AuditEvent, 'allowed' | 'reason'>): Promise<void> {
    try {
      await this.configured.check(req);
    } catch (err) {
      // the bucket's own default KMS key is one "the bucket/prefix allows" (DESIGN.md "Reads take the key from the envelope…")
      if (!(isSealError(err, 'AccessDenied') && req.mode === 'SSE-KMS' && (await this.isBucketDefaultKey(req.object.bucket, req.keyId!)))) {
        if (isSealError(err, 'AccessDenied')) this.audit.record({ ...event, allowed: false, reason: err.message });
        throw err;
      }
    }
    this.audit.record({ ...event, allowed: true, reason: 'no policy document: a configured key' });
  }

  private async isBucketDefaultKey(bucket: string, keyId: string): Promise<boolean> {
    // the bucket's configuration can only widen what is readable: when it cannot be read (an outage,
    // a tampered document), the narrower answer — AccessDenied — stands
    const cfg = await this.opts.bucketEncryption?.get(bucket).catch(() => undefined);
    if (cfg?.algorithm !== 'aws:kms' || cfg.kmsKeyId === undefined) return false;
    return (await this.registry.resolveId(cfg.kmsKeyId)) === keyId;
  }

  /**
   * the first floor `plan` breaks, described (undefined: it keeps them all). `resolved`: the plan's
   * keyRef is already a resolved id (an envelope's), compared as it is — only the floor's own key,
   * from the local document, is resolved
   */
  private async breaksFloors(floors: readonly Floor[], plan: FinalPlan, resolved = false): Promise<string | undefined> {
    for (const f of floors) {
      const where = `${f.bucket}/${f.prefix}*`;
      if (plan.mode === 'SSE-C' && f.blockedEncryptionTypes.includes('SSE-C')) return `${where} blocks SSE-C`;
      if (f.requireAlgorithm !== undefined && plan.mode !== (f.requireAlgorithm === 'AES256' ? 'SSE-S3' : 'SSE-KMS')) return `${where} requires ${f.requireAlgorithm}`;
      if (f.requireKey !== undefined) {
        if (plan.mode !== 'SSE-KMS') return `${where} requires the key ${f.requireKey}`;
        const planId = resolved ? plan.keyRef : await this.registry.resolveId(plan.keyRef);
        if (planId !== (await this.registry.resolveId(f.requireKey))) return `${where} requires the key ${f.requireKey}`;
      }
    }
    return undefined;
  }

  private resolvedIdOf(plan: Exclude<EncryptionPlan, { mode: 'SSE-C' }>): Promise<string> {
    if (plan.mode === 'SSE-S3') {
      if (this.registry.sseS3Key === undefined) throw new SealError('InvalidArgument', 'no managed SSE-S3 key is configured (sseS3Key)');
      return this.registry.resolveId(this.registry.sseS3Key);
    }
    const keyRef = plan.keyRef ?? this.opts.defaultKmsKey;
    if (keyRef === undefined) throw new SealError('InvalidArgument', 'aws:kms was requested without a key id, and no default KMS key is configured (defaultKmsKey)');
    return this.registry.resolveId(keyRef);
  }

  private grants(doc: PolicyDocument): KeyGrants {
    if (this.grantsFor?.doc !== doc) this.grantsFor = { doc, grants: new KeyGrants(doc, (ref, fresh) => this.registry.resolveId(ref, fresh)) };
    return this.grantsFor.grants;
  }

  /**
   * audit, then refuse. AccessDenied's message stays in logs (the S3 core answers S3's fixed text: a
   * reason may quote an envelope's unMACed key id); EncryptionPolicyDenied's — built from local
   * configuration only — reaches the caller
   */
  private deny(e: AuditEvent, code: 'AccessDenied' | 'EncryptionPolicyDenied' = 'AccessDenied'): never {
    this.audit.record(e);
    throw new SealError(code, code === 'AccessDenied' ? `Access Denied: ${e.reason}` : e.reason);
  }
}
