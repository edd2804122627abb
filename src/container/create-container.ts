import 'reflect-metadata';
import { Container } from 'inversify';
import { S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../backends/object-store.js';
import { S3ObjectStore } from '../backends/s3-object-store.js';
import { SealedObjects } from '../engine/sealed-objects.js';
import { readFileSync } from 'node:fs';
import { KMSClient } from '@aws-sdk/client-kms';
import { FileKeystore } from '../keystores/file-keystore.js';
import { VaultKeystore } from '../keystores/vault/vault-keystore.js';
import { AwsKmsKeystore } from '../keystores/awskms-keystore.js';
import { KeystoreRegistry } from '../keystores/keystore-registry.js';
import { BucketKeyCache } from '../keystores/bucket-key-cache.js';
import type { Keystore, KeystoreId } from '../keystores/keystore.js';
import { resolveConfig, type S3SealConfig } from './config.js';
import { TOKENS } from './tokens.js';

/** the upload-token root from a keystore key: never leaves the keystore, same on every instance */
function deriveRoot(registry: KeystoreRegistry, keyRef: string): () => Promise<Buffer> {
  return () => {
    const { keystore, name } = registry.lookup(keyRef);
    return keystore.deriveSecret(name, 'upload token');
  };
}

/**
 * The only place that knows concrete classes (DESIGN.md "Architecture"). Classes stay plain and
 * constructible by hand; bindings are factories, so no decorator metadata is needed (tsc/esbuild
 * emit none for interfaces anyway).
 */
export function createContainer(input: unknown): Container {
  const config = resolveConfig(input);
  const c = new Container({ defaultScope: 'Singleton' });
  c.bind<S3SealConfig>(TOKENS.Config).toConstantValue(config);
  c.bind<S3Client>(TOKENS.S3Client).toDynamicValue(
    () =>
      new S3Client({
        endpoint: config.backend.endpoint,
        region: config.backend.region,
        forcePathStyle: config.backend.forcePathStyle,
        credentials: { accessKeyId: config.backend.accessKeyId, secretAccessKey: config.backend.secretAccessKey },
      }),
  );
  c.bind<ObjectStore>(TOKENS.ObjectStore).toDynamicValue((ctx) => new S3ObjectStore(ctx.get<S3Client>(TOKENS.S3Client), { copyObjectLimit: config.backend.copyObjectLimit }));
  if (config.keystores.file) {
    const fileOpts = config.keystores.file;
    c.bind<FileKeystore>(TOKENS.FileKeystore).toDynamicValue(() => new FileKeystore(fileOpts));
  }
  if (config.keystores.vault) {
    const v = config.keystores.vault;
    c.bind<VaultKeystore>(TOKENS.VaultKeystore).toDynamicValue(
      () =>
        new VaultKeystore({
          address: v.address,
          auth: v.auth,
          allowInsecureHttp: v.allowInsecureHttp,
          ...(v.namespace ? { namespace: v.namespace } : {}),
          ...(v.caFile ? { caPem: readFileSync(v.caFile, 'utf8') } : {}),
        }),
    );
  }
  if (config.keystores.awskms) {
    const a = config.keystores.awskms;
    c.bind<AwsKmsKeystore>(TOKENS.AwsKmsKeystore).toDynamicValue(
      () =>
        new AwsKmsKeystore(
          new KMSClient({
            region: a.region,
            ...(a.endpoint ? { endpoint: a.endpoint } : {}),
            ...(a.accessKeyId && a.secretAccessKey ? { credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } } : {}),
            // DESIGN.md "Retries": the SDK's standard strategy (throttling, clock skew, retry quota);
            // the keystore turns it off for the calls that are not idempotent
            retryMode: 'standard',
            // a KMS that hangs is an outage (retried, then 503), not a request that never returns
            requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
          }),
          { rotateOnDemand: a.rotateOnDemand },
        ),
    );
  }
  c.bind<KeystoreRegistry>(TOKENS.KeystoreRegistry).toDynamicValue((ctx) => {
    const keystores: Partial<Record<KeystoreId, Keystore>> = {};
    if (config.keystores.file) keystores.file = ctx.get<FileKeystore>(TOKENS.FileKeystore);
    if (config.keystores.vault) keystores.vault = ctx.get<VaultKeystore>(TOKENS.VaultKeystore);
    if (config.keystores.awskms) keystores.awskms = ctx.get<AwsKmsKeystore>(TOKENS.AwsKmsKeystore);
    return new KeystoreRegistry(keystores, config.defaultKmsKeystore, new BucketKeyCache(config.bucketKeys));
  });
  c.bind<SealedObjects>(TOKENS.SealedObjects).toDynamicValue(
    (ctx) =>
      new SealedObjects(ctx.get<ObjectStore>(TOKENS.ObjectStore), {
        uploadTokenRoot: config.uploadTokenRoot !== undefined ? Buffer.from(config.uploadTokenRoot, 'base64') : deriveRoot(ctx.get<KeystoreRegistry>(TOKENS.KeystoreRegistry), config.uploadTokenKey!),
        releaseWindow: config.releaseWindow,
        minFormatVersion: config.minFormatVersion,
      }),
  );
  return c;
}
