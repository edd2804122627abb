import 'reflect-metadata';
import { Container } from 'inversify';
import { S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../backends/object-store.js';
import { S3ObjectStore } from '../backends/s3-object-store.js';
import { SealedObjects } from '../engine/sealed-objects.js';
import { FileKeystore } from '../keystores/file-keystore.js';
import { resolveConfig, type S3SealConfig } from './config.js';
import { TOKENS } from './tokens.js';

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
  c.bind<ObjectStore>(TOKENS.ObjectStore).toDynamicValue((ctx) => new S3ObjectStore(ctx.get<S3Client>(TOKENS.S3Client)));
  if (config.keystores.file) {
    const fileOpts = config.keystores.file;
    c.bind<FileKeystore>(TOKENS.FileKeystore).toDynamicValue(() => new FileKeystore(fileOpts));
  }
  c.bind<SealedObjects>(TOKENS.SealedObjects).toDynamicValue(
    (ctx) =>
      new SealedObjects(ctx.get<ObjectStore>(TOKENS.ObjectStore), {
        uploadTokenRoot: Buffer.from(config.uploadTokenRoot, 'base64'),
        releaseWindow: config.releaseWindow,
      }),
  );
  return c;
}
