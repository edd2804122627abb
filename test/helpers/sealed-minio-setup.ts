/**
 * A container over the real MinIO with a file keystore (the managed SSE-S3 key and one SSE-KMS
 * key), for the minio door's own tests and the cross-door test.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Container } from 'inversify';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3SealConfigInput } from '../../src/container/config.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { closeContainer, createContainer } from '../../src/index.js';
import { freshBucket, s3Client, service } from './services.js';
import { tempDir } from './temp-dir.js';

export interface SealedMinioSetup {
  config: S3SealConfigInput;
  container: Container;
  /** the SSE-KMS key id (file keystore) */
  kmsKey: string;
  /** MinIO with its own credentials, past every door */
  raw: S3Client;
  freshBucket(prefix: string): Promise<string>;
  close(): Promise<void>;
}

export async function sealedMinioSetup(): Promise<SealedMinioSetup> {
  const m = service('minio');
  const path = join(tempDir('minio-door'), 'keys.json');
  const ks = new FileKeystore({ path, create: true });
  await ks.createKey('s3-default');
  const kms = await ks.createKey(`minio-door-${randomBytes(4).toString('hex')}`);
  const config: S3SealConfigInput = {
    backend: { endpoint: m.endpoint, region: m.region ?? 'us-east-1', accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    keystores: { file: { path } },
    defaultKmsKeystore: 'file',
    readKeys: [kms.keyId],
    uploadTokenRoot: randomBytes(32).toString('base64'),
    bucketEncryption: { reservedBucket: `s3seal-minio-${randomBytes(4).toString('hex')}` },
  };
  const container = createContainer(config);
  const raw = s3Client(m);
  return {
    config,
    container,
    kmsKey: kms.keyId,
    raw,
    freshBucket: (prefix) => freshBucket(m, prefix),
    close: async () => {
      raw.destroy();
      await closeContainer(container);
    },
  };
}
