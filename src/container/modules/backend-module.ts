import { S3Client } from '@aws-sdk/client-s3';
import { ContainerModule } from 'inversify';
import { S3ObjectStore } from '../../backends/s3-object-store.js';
import type { S3SealConfig } from '../config.js';
import { bindService, getService, TOKENS } from '../tokens.js';

/**
 * The backend: the S3 client to the object server and the ObjectStore port over it. Closing the
 * container destroys the client, so its sockets do not keep a process alive.
 */
export function backendModule(backend: S3SealConfig['backend']): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bindService(bind, TOKENS.S3Client)
      .toDynamicValue(
        () =>
          new S3Client({
            endpoint: backend.endpoint,
            region: backend.region,
            forcePathStyle: backend.forcePathStyle,
            credentials: { accessKeyId: backend.accessKeyId, secretAccessKey: backend.secretAccessKey },
          }),
      )
      .onDeactivation((client) => client.destroy());
    bindService(bind, TOKENS.ObjectStore).toDynamicValue((ctx) => new S3ObjectStore(getService(ctx, TOKENS.S3Client), { copyObjectLimit: backend.copyObjectLimit }));
  });
}
