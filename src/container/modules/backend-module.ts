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
            // no `Expect: 100-continue` (the SDK adds it to bodies of 2 MiB and more): the Node handler
            // sends such a request on a fresh connection without keep-alive and waits for the 100
            // before the body, a connection set-up and a round trip per part or large PUT. It only
            // saves sending a body the server refuses at once; s3seal's own backend requests are
            // made with its own credentials to its own bucket, so that is rare, and a refused body
            // is simply discarded.
            expectContinueHeader: false,
            // no x-amz-checksum-mode on backend reads, so no CRC32 pass over every ciphertext body
            // read: each 64 KiB ciphertext chunk is authenticated by its AES-GCM tag (and the header
            // by the envelope MAC) before any of its plaintext is released, which catches whatever a
            // CRC32 would, and earlier than one checked at the end of the body. Backend writes still
            // send CRC32s (s3-object-store.ts explains why).
            responseChecksumValidation: 'WHEN_REQUIRED',
          }),
      )
      .onDeactivation((client) => client.destroy());
    bindService(bind, TOKENS.ObjectStore).toDynamicValue((ctx) => new S3ObjectStore(getService(ctx, TOKENS.S3Client), { copyObjectLimit: backend.copyObjectLimit }));
  });
}
