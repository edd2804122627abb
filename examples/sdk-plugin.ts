/**
 * Example: an existing @aws-sdk/client-s3 service gets SSE by adding one line — the s3seal plugin.
 * It keeps calling PutObject / GetObject with the ordinary SSE parameters; MinIO stores ciphertext.
 *
 *   node dist/examples/sdk-plugin.js <endpoint> <accessKey> <secretKey> <bucket> <keyFile>
 *
 * The test suite runs `main` against a real MinIO (test/integration/examples.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { FileKeystore, getS3SealPlugin } from '../src/index.js';

export async function main(endpoint: string, accessKeyId: string, secretAccessKey: string, bucket: string, keyFile: string): Promise<string> {
  // keys: the managed SSE-S3 key and one named KMS-style key in a file keystore (0600, created on first use)
  const keystore = new FileKeystore({ path: keyFile, create: true });
  for (const name of ['s3-default', 'reports']) if (!(await keystore.describeKey(name).catch(() => undefined))) await keystore.createKey(name);

  // the service's own client, as it was
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  // the one added line: requests go through s3seal's S3 core, which reaches MinIO with its own client
  const plugin = getS3SealPlugin({
    backend: { endpoint, accessKeyId, secretAccessKey },
    keystores: { file: { path: keyFile } },
    defaultKmsKeystore: 'file',
    readKeys: ['file:reports'],
    // shared by every instance that continues another's multipart uploads
    uploadTokenRoot: randomBytes(32).toString('base64'),
  });
  s3.middlewareStack.use(plugin);
  try {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'q3.txt', Body: 'revenue up', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'file:reports' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'q3.txt' }));
    const text = await got.Body!.transformToString();
    // what MinIO itself holds: another client without the plugin sees the ciphertext
    const raw = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
    const stored = await (await raw.send(new GetObjectCommand({ Bucket: bucket, Key: 'q3.txt' }))).Body!.transformToByteArray();
    raw.destroy();
    return `${put.ServerSideEncryption} ${put.SSEKMSKeyId}|${text}|${Buffer.from(stored).includes(Buffer.from('revenue')) ? 'plaintext at rest' : 'ciphertext at rest'}`;
  } finally {
    s3.destroy();
    await plugin.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [endpoint, ak, sk, bucket, keyFile] = process.argv.slice(2);
  if (!endpoint || !ak || !sk || !bucket || !keyFile) throw new Error('usage: sdk-plugin.js <endpoint> <accessKey> <secretKey> <bucket> <keyFile>');
  console.log(await main(endpoint, ak, sk, bucket, keyFile));
}
