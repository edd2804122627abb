/**
 * Child process of test/integration/no-plaintext-at-rest.test.ts: writes canary objects through the
 * SDK door (a sealed S3Client over the real MinIO of this run, file keystore in a temp dir) in every
 * mode, at every size the acceptance names, plus a 3-part multipart object; reads each back through
 * the door and checks it byte for byte. Its stdout and stderr are the "log output" the test scans,
 * so it prints only object names and lengths, never a body or a key.
 *
 * argv: bucket, canary token (hex), SSE-C key (base64), keystore path
 */
import { Readable } from 'node:stream';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, PutObjectCommand, UploadPartCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { sealedFileClient } from './sealed-file-client.js';
import { service } from './services.js';

const [bucket, tokenHex, ssecKeyB64, keyPath] = process.argv.slice(2) as [string, string, string, string];
const token = Buffer.from(tokenHex, 'hex');
const MiB = 1024 * 1024;

/** `n` bytes of the canary token repeated: any leaked run of 16 or more plaintext bytes contains it */
export function canaryBody(token: Buffer, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += token.length) token.copy(out, i, 0, Math.min(token.length, n - i));
  return out;
}

async function main(): Promise<void> {
  const { client, kmsKeyId } = await sealedFileClient(service('minio'), keyPath, 'canary-kms');
  const kms = { keyId: kmsKeyId };
  // a base64 string of 32 bytes is taken as the key itself (middleware-ssec: isValidBase64EncodedSSECustomerKey)
  const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: ssecKeyB64 };
  const modes: Record<string, { write: Partial<PutObjectCommandInput>; read: object }> = {
    'sse-s3': { write: { ServerSideEncryption: 'AES256' }, read: {} },
    'sse-kms': { write: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kms.keyId }, read: {} },
    'sse-kms-bk': { write: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kms.keyId, BucketKeyEnabled: true }, read: {} },
    'sse-c': { write: ssec, read: ssec },
    none: { write: {}, read: {} },
  };
  const written: { key: string; length: number }[] = [];
  try {
    for (const [mode, p] of Object.entries(modes)) {
      for (const n of [0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1]) {
        for (const shape of ['buffer', 'stream'] as const) {
          const key = `${mode}/${shape}-${n}`;
          const body = canaryBody(token, n);
          // a stream body goes up aws-chunked with a CRC32 trailer (the SDK's default for streams)
          const Body = shape === 'buffer' ? body : Readable.from([body]);
          await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body, ContentLength: n, ...p.write }));
          written.push({ key, length: n });
        }
      }
      const key = `${mode}/multipart`;
      const up = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...p.write }));
      const sizes = [5 * MiB, 5 * MiB + 1, 1 * MiB];
      const whole = canaryBody(token, sizes.reduce((a, b) => a + b, 0));
      const parts = [];
      let at = 0;
      for (const [i, size] of sizes.entries()) {
        const r = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: up.UploadId!, PartNumber: i + 1, Body: whole.subarray(at, at + size), ...p.read }));
        at += size;
        parts.push({ PartNumber: i + 1, ETag: r.ETag! });
      }
      await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: up.UploadId!, MultipartUpload: { Parts: parts }, ...p.read }));
      written.push({ key, length: whole.length });
    }
    for (const w of written) {
      const mode = w.key.split('/')[0]!;
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: w.key, ...modes[mode]!.read }));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      if (!bytes.equals(canaryBody(token, w.length))) throw new Error(`read back of ${w.key} differs`);
    }
    process.stdout.write(`${JSON.stringify({ written })}\n`);
  } finally {
    await client.close();
  }
}

await main();
