/**
 * A sealed S3 client (the SDK v3 door) over an S3 endpoint with a fresh file keystore: the managed
 * SSE-S3 key `s3-default` and one SSE-KMS key, which reads may use. What most SDK-door tests start from.
 */
import { randomBytes } from 'node:crypto';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { createSealedS3Client, type SealedS3Client } from '../../src/index.js';

export interface SealedFileClient {
  client: SealedS3Client;
  /** the SSE-KMS key's keyRef (`file:<name>`) */
  kmsKeyId: string;
}

export async function sealedFileClient(backend: { endpoint: string; accessKey?: string; secretKey?: string }, keyPath: string, kmsKeyName: string): Promise<SealedFileClient> {
  const ks = new FileKeystore({ path: keyPath, create: true });
  await ks.createKey('s3-default');
  const kms = await ks.createKey(kmsKeyName);
  const client = createSealedS3Client({
    backend: { endpoint: backend.endpoint, accessKeyId: backend.accessKey!, secretAccessKey: backend.secretKey! },
    keystores: { file: { path: keyPath } },
    defaultKmsKeystore: 'file',
    readKeys: [kms.keyId],
    uploadTokenRoot: randomBytes(32).toString('base64'),
  });
  return { client, kmsKeyId: kms.keyId };
}
