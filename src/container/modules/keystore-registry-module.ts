import { ContainerModule } from 'inversify';
import { KeystoreRegistry } from '../../engine/materials/keystore-registry.js';
import { MaterialsManager } from '../../engine/materials/materials-manager.js';
import { BucketKeyCache } from '../../keystores/bucket-key-cache.js';
import type { Keystore, KeystoreId } from '../../keystores/keystore.js';
import { ResolvedKeyIds } from '../../keystores/resolved-key-ids.js';
import { ConfigError, type S3SealConfig } from '../config.js';
import { bindService, getAllServices, getService, TOKENS } from '../tokens.js';

/** the registry's map: one keystore per id; two under one id is a wiring mistake, not a choice to make silently */
export function keystoresById(keystores: readonly Keystore[]): Partial<Record<KeystoreId, Keystore>> {
  const byId: Partial<Record<KeystoreId, Keystore>> = {};
  for (const ks of keystores) {
    if (byId[ks.id]) throw new ConfigError(`two keystores are bound with id ${ks.id}: rebind TOKENS.Keystore (or the keystore's own token) instead of adding one`);
    byId[ks.id] = ks;
  }
  return byId;
}

/**
 * Key materials over every bound keystore: the registry is built from the `Keystore` multi-binding
 * (so a module that binds one more keystore is all it takes), with the bucket-key cache and the
 * resolved-key-id cache it shares between requests. Closing the container zeroes every cached bucket
 * key and forgets the resolved ids. The materials manager picks resolvers from it, pinned on read by
 * `AllowedReadKeys` (the policies module: key grants, or the configured keys without a document).
 */
export function keystoreRegistryModule(config: Pick<S3SealConfig, 'bucketKeys' | 'defaultKmsKeystore' | 'sseS3Key' | 'resolvedKeyIds' | 'defaultKmsKey'>): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bindService(bind, TOKENS.BucketKeyCache)
      .toDynamicValue(() => new BucketKeyCache(config.bucketKeys))
      .onDeactivation((cache) => cache.clear());
    bindService(bind, TOKENS.ResolvedKeyIds)
      .toDynamicValue(() => new ResolvedKeyIds(config.resolvedKeyIds))
      .onDeactivation((ids) => ids.clear());
    bindService(bind, TOKENS.SseS3KeyRef).toConstantValue(config.sseS3Key);
    bindService(bind, TOKENS.KeystoreRegistry).toDynamicValue(
      (ctx) =>
        new KeystoreRegistry(
          keystoresById(getAllServices(ctx, TOKENS.Keystore)),
          config.defaultKmsKeystore,
          getService(ctx, TOKENS.BucketKeyCache),
          getService(ctx, TOKENS.ResolvedKeyIds),
          getService(ctx, TOKENS.SseS3KeyRef),
        ),
    );
    const materials = config.defaultKmsKey !== undefined ? { defaultKmsKey: config.defaultKmsKey } : {};
    bindService(bind, TOKENS.MaterialsManager).toDynamicValue((ctx) => new MaterialsManager(getService(ctx, TOKENS.KeystoreRegistry), getService(ctx, TOKENS.AllowedReadKeys), materials));
  });
}
