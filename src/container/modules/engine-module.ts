import { ContainerModule } from 'inversify';
import type { KeystoreRegistry } from '../../engine/materials/keystore-registry.js';
import { SealedObjects } from '../../engine/sealed-objects.js';
import { ObjectFacade } from '../../engine/facade/object-facade.js';
import { ListedSizes } from '../../engine/listed-sizes.js';
import type { S3SealConfig } from '../config.js';
import { bindService, getService, TOKENS, type UploadTokenRoot } from '../tokens.js';

/** the upload-token root from a keystore key: never leaves the keystore, same on every instance */
function deriveRoot(registry: KeystoreRegistry, keyRef: string): () => Promise<Buffer> {
  return () => {
    const { keystore, name } = registry.lookup(keyRef);
    return keystore.deriveSecret(name, 'upload token');
  };
}

/**
 * The engine: SealedObjects over the ObjectStore, with the upload-token root (configured bytes, or
 * derived from `uploadTokenKey` through the registry). Closing the container zeroes both the
 * configured root (decoded here, so the container owns it) and a derived one (SealedObjects.close).
 * The facade over it takes its keys from the MaterialsManager, asks ObjectActionPolicy first and
 * plans writes through the WritePlanner (both the policies module's); passthrough is the policy
 * layer's call too (never under a floor).
 */
export function engineModule(config: Pick<S3SealConfig, 'uploadTokenRoot' | 'uploadTokenKey' | 'releaseWindow' | 'minFormatVersion' | 'multipartReads' | 'listing'>): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bindService(bind, TOKENS.UploadTokenRoot)
      .toDynamicValue((ctx): UploadTokenRoot => (config.uploadTokenRoot !== undefined ? Buffer.from(config.uploadTokenRoot, 'base64') : deriveRoot(getService(ctx, TOKENS.KeystoreRegistry), config.uploadTokenKey!)))
      .onDeactivation((root) => {
        if (Buffer.isBuffer(root)) root.fill(0);
      });
    bindService(bind, TOKENS.SealedObjects)
      .toDynamicValue(
        (ctx) =>
          new SealedObjects(getService(ctx, TOKENS.ObjectStore), {
            uploadTokenRoot: getService(ctx, TOKENS.UploadTokenRoot),
            releaseWindow: config.releaseWindow,
            minFormatVersion: config.minFormatVersion,
            verifiedLayoutCacheParts: config.multipartReads.verifiedLayoutCacheParts,
            headerReadConcurrency: config.multipartReads.headerReadConcurrency,
            passthrough: (o) => getService(ctx, TOKENS.PolicyDecisions).passthrough(o),
          }),
      )
      .onDeactivation((objects) => objects.close());
    bindService(bind, TOKENS.ListedSizes)
      .toDynamicValue(
        (ctx) =>
          new ListedSizes(getService(ctx, TOKENS.ObjectStore), {
            encryptedOnly: config.listing.encryptedOnly,
            headConcurrency: config.listing.headConcurrency,
            cacheEntries: config.listing.sizeCacheEntries,
          }),
      )
      .onDeactivation((sizes) => sizes.clear());
    bindService(bind, TOKENS.ObjectFacade).toDynamicValue(
      (ctx) =>
        new ObjectFacade(getService(ctx, TOKENS.SealedObjects), getService(ctx, TOKENS.MaterialsManager), getService(ctx, TOKENS.ObjectStore), getService(ctx, TOKENS.ObjectActionPolicy), {
          sizes: getService(ctx, TOKENS.ListedSizes),
          planner: getService(ctx, TOKENS.WritePlanner),
          bucketEncryption: getService(ctx, TOKENS.BucketEncryptionSettings),
        }),
    );
  });
}
