import { ContainerModule } from 'inversify';
import pino from 'pino';
import { ConfiguredReadKeys } from '../../engine/materials/configured-read-keys.js';
import { AuditLog } from '../../policies/audit-log.js';
import { BucketEncryptionStore } from '../../policies/bucket-encryption-store.js';
import { HighWaterFile } from '../../policies/high-water-file.js';
import { PolicyDecisions } from '../../policies/policy-decisions.js';
import { PolicySource } from '../../policies/policy-source.js';
import type { S3SealConfig } from '../config.js';
import { bindService, getService, TOKENS, type UploadTokenRoot } from '../tokens.js';

/** the upload-token root as a function: the bucket-configuration MAC key derives from it (FORMAT.md §13) */
function rootOf(root: UploadTokenRoot): () => Promise<Buffer> {
  return Buffer.isBuffer(root) ? () => Promise.resolve(root) : root;
}

/**
 * The policy layer (src/policies; DESIGN.md "Policies, permissions and role separation"): the policy
 * document — read and validated HERE, while the container is created, so a malformed one fails at
 * startup with its line and field, not at the first request —, the audit log, the bucket-encryption
 * store in the reserved bucket, and PolicyDecisions bound as the three ports the facade asks
 * (ObjectActionPolicy, AllowedReadKeys, WritePlanner). Closing the container stops the document's
 * watcher and SIGHUP handler, closes an audit file and zeroes the store's MAC key.
 */
export function policiesModule(config: Pick<S3SealConfig, 'policy' | 'audit' | 'bucketEncryption' | 'passthrough' | 'defaultKmsKey' | 'readKeys' | 'defaultKmsKeystore'>): ContainerModule {
  const policy = config.policy;
  // loading and reload failures are operational messages, not audit events: the service's own log (standard error)
  const source = policy !== undefined ? PolicySource.openSync(policy.file, config.defaultKmsKeystore, pino({ base: { log: 's3seal' } }, pino.destination({ fd: 2, sync: true }))) : undefined;
  return new ContainerModule(({ bind }) => {
    if (policy !== undefined && source !== undefined) {
      bindService(bind, TOKENS.PolicySource)
        .toDynamicValue(() => {
          if (policy.watch) source.watch();
          return source;
        })
        .onDeactivation((s) => s.close());
    }
    bindService(bind, TOKENS.AuditLog)
      .toDynamicValue(() => new AuditLog(config.audit.destination ?? (policy !== undefined ? 'stderr' : 'off')))
      .onDeactivation((audit) => audit.close());
    bindService(bind, TOKENS.BucketEncryptionSettings)
      .toDynamicValue((ctx) => new BucketEncryptionStore(getService(ctx, TOKENS.ObjectStore), rootOf(getService(ctx, TOKENS.UploadTokenRoot)), {
          bucket: config.bucketEncryption.reservedBucket,
          ttlMs: config.bucketEncryption.ttlMs,
          ...(config.bucketEncryption.stateFile !== undefined ? { highWater: new HighWaterFile(config.bucketEncryption.stateFile, config.bucketEncryption.reservedBucket) } : {}),
        }))
      .onDeactivation((store) => (store as BucketEncryptionStore).close());
    bindService(bind, TOKENS.PolicyDecisions).toDynamicValue((ctx) => {
      const registry = getService(ctx, TOKENS.KeystoreRegistry);
      const materials = config.defaultKmsKey !== undefined ? { defaultKmsKey: config.defaultKmsKey } : {};
      return new PolicyDecisions(registry, new ConfiguredReadKeys(registry, { ...materials, readKeys: config.readKeys }), getService(ctx, TOKENS.AuditLog), {
        ...(policy !== undefined ? { document: getService(ctx, TOKENS.PolicySource) } : {}),
        bucketEncryption: getService(ctx, TOKENS.BucketEncryptionSettings),
        ...materials,
        passthrough: config.passthrough,
      });
    });
    bindService(bind, TOKENS.ObjectActionPolicy).toDynamicValue((ctx) => getService(ctx, TOKENS.PolicyDecisions));
    bindService(bind, TOKENS.AllowedReadKeys).toDynamicValue((ctx) => getService(ctx, TOKENS.PolicyDecisions));
    bindService(bind, TOKENS.WritePlanner).toDynamicValue((ctx) => getService(ctx, TOKENS.PolicyDecisions));
  });
}
