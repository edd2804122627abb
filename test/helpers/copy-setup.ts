/**
 * The setup of the copy tests (issue 7 item 4): a container over real MinIO (file keystore for
 * SSE-S3, local-kms for SSE-KMS with two configured keys), whose backend client goes through a
 * RecordingProxy, so a test asserts which S3 operations MinIO received (a re-wrap is one CopyObject
 * and no body upload). The SealedObjects serve plaintext objects under `plain/` (passthrough, as a
 * migration prefix is configured); `copyObjectLimit` makes copies over it go by UploadPartCopy;
 * `backend`: MinIO (default) or SeaweedFS.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { ContainerModule } from 'inversify';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import type { KeystoreRegistry } from '../../src/engine/materials/keystore-registry.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { bindService, closeContainer, createContainer, getService, TOKENS, type ObjectFacade } from '../../src/index.js';
import { RecordingProxy, type S3Operation } from './recording-proxy.js';
import { freshBucket, kmsClient, s3Client, service, type ServiceDescriptor } from './services.js';
import { tempDir } from './temp-dir.js';

export const PASSTHROUGH_PREFIX = 'plain/';

export interface CopySetup {
  m: ServiceDescriptor;
  bucket: string;
  facade: ObjectFacade;
  proxy: RecordingProxy;
  /** straight to MinIO, not recorded: raw reads and concurrent writers */
  direct: S3Client;
  /** the resolved ids (ARNs) of the two configured KMS keys (a = defaultKmsKey, b = in readKeys) and of the managed SSE-S3 key */
  kmsA: string;
  kmsB: string;
  /** a KMS key this process can use but is not configured to read */
  kmsPlanted: string;
  managedId: string;
  /** the container's SealedObjects (to plant objects under keys a facade would refuse) */
  objects: SealedObjects;
  registry: KeystoreRegistry;
  /** how many requests of each operation MinIO received since the last `clear()` */
  count: (op: S3Operation) => number;
  close: () => Promise<void>;
}

export async function copySetup(tag: string, opts: { copyObjectLimit?: number; backend?: 'minio' | 'seaweedfs' } = {}): Promise<CopySetup> {
  const m = service(opts.backend ?? 'minio');
  const kms = service('localkms');
  const admin = kmsClient(kms);
  const ks = new AwsKmsKeystore(admin);
  const rand = randomBytes(4).toString('hex');
  const [a, b, planted] = ['a', 'b', 'planted'].map((n) => `alias/copy-${tag}-${n}-${rand}`) as [string, string, string];
  const [kmsA, kmsB, kmsPlanted] = (await Promise.all([a, b, planted].map(async (x) => (await ks.createKey(x)).keyId))) as [string, string, string];
  const proxy = new RecordingProxy(new URL(m.endpoint));
  const endpoint = await proxy.start();
  const viaProxy = s3Client(m, { endpoint });
  const store = new S3ObjectStore(viaProxy, opts.copyObjectLimit !== undefined ? { copyObjectLimit: opts.copyObjectLimit } : {});
  const c = createContainer(
    {
      backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
      keystores: { file: { path: join(tempDir('copy'), 'keys.json'), create: true }, awskms: { endpoint: kms.endpoint, accessKeyId: kms.accessKey!, secretAccessKey: kms.secretKey!, rotateOnDemand: false } },
      uploadTokenRoot: randomBytes(32).toString('base64'),
      defaultKmsKey: a,
      readKeys: [b],
    },
    {
      modules: [
        new ContainerModule(({ rebind }) => {
          void bindService(rebind, TOKENS.ObjectStore).toConstantValue(store);
          void bindService(rebind, TOKENS.SealedObjects)
            .toDynamicValue((ctx) => new SealedObjects(store, { uploadTokenRoot: getService(ctx, TOKENS.UploadTokenRoot), passthrough: (o) => o.key.startsWith(PASSTHROUGH_PREFIX) }))
            .onDeactivation((o) => o.close());
        }),
      ],
    },
  );
  const managed = await getService(c, TOKENS.FileKeystore).createKey('s3-default');
  const bucket = await freshBucket(m, `copy-${tag}`);
  const direct = s3Client(m);
  return {
    m,
    bucket,
    facade: getService(c, TOKENS.ObjectFacade),
    proxy,
    direct,
    kmsA,
    kmsB,
    kmsPlanted,
    managedId: managed.keyId,
    objects: getService(c, TOKENS.SealedObjects),
    registry: getService(c, TOKENS.KeystoreRegistry),
    count: (op) => proxy.ofOperation(op).length,
    close: async () => {
      await closeContainer(c);
      viaProxy.destroy();
      direct.destroy();
      admin.destroy();
      await proxy.stop();
    },
  };
}
