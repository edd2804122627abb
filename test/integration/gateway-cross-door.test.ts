/**
 * Objects written through the gateway read back identically through the SDK v3 plugin, and the
 * other way round (issue 10 acceptance "Real clients"), in every SSE mode, single-part and multipart:
 * the doors share one S3 core and one on-object format, whatever door wrote the object. Real MinIO,
 * real file keystore; both doors over the same configuration (the SDK door acting for the gateway's
 * principal).
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createSealedS3Client } from '../../src/index.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import { freshBucket, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';
import { md5 } from '../contract/door-contract-support.js';

interface Doors {
  viaGateway: S3Client;
  sdk: S3Client;
  bucket: string;
  kmsKeyId: string;
}

let shared: Promise<Doors & { close(): Promise<void> }> | undefined;
/** one gateway and one SDK-door client over the same configuration, shared by the tests of this file */
function doors(): Promise<Doors> {
  shared ??= (async () => {
    const m = service('minio');
    const path = join(tempDir('cross-door'), 'keys.json');
    const ks = new FileKeystore({ path, create: true });
    await ks.createKey('s3-default');
    const kms = await ks.createKey(`cross-${randomBytes(4).toString('hex')}`);
    const gw = await startTestGateway({
      backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
      keystores: { file: { path } },
      defaultKmsKeystore: 'file',
      readKeys: [kms.keyId],
      uploadTokenRoot: randomBytes(32).toString('base64'),
      bucketEncryption: { reservedBucket: `s3seal-cross-${randomBytes(4).toString('hex')}` },
    });
    const sdk = createSealedS3Client(gw.config, { s3seal: { principal: 'tester' } });
    return {
      viaGateway: gw.client(),
      sdk,
      bucket: await freshBucket(m, 'cross'),
      kmsKeyId: kms.keyId,
      close: async () => {
        await sdk.close();
        await gw.close();
      },
    };
  })();
  return shared;
}
test.after.always(async () => {
  if (shared) await (await shared).close();
});

type Mode = 'SSE-S3' | 'SSE-KMS' | 'SSE-KMS bucket key' | 'SSE-C' | 'none';
const ssecKey = randomBytes(32);

function params(mode: Mode, kmsKeyId: string): { write: Record<string, unknown>; read: Record<string, unknown>; echo: Record<string, unknown> } {
  const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: ssecKey.toString('base64') };
  switch (mode) {
    case 'SSE-S3':
      return { write: { ServerSideEncryption: 'AES256' }, read: {}, echo: { ServerSideEncryption: 'AES256' } };
    case 'SSE-KMS':
      return { write: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKeyId }, read: {}, echo: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKeyId } };
    case 'SSE-KMS bucket key':
      return { write: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKeyId, BucketKeyEnabled: true }, read: {}, echo: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKeyId, BucketKeyEnabled: true } };
    case 'SSE-C':
      return { write: ssec, read: ssec, echo: { SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: md5(ssecKey) } };
    case 'none':
      return { write: {}, read: {}, echo: { ServerSideEncryption: 'AES256' } };
  }
}

for (const mode of ['SSE-S3', 'SSE-KMS', 'SSE-KMS bucket key', 'SSE-C', 'none'] as const) {
  test(`gateway ⇄ SDK plugin · ${mode}: each door reads back, byte for byte and with the same SSE echo, what the other wrote — 70 KiB single-part and 5 MiB + 3 B multipart (two parts)`, async (t) => {
    const d = await doors();
    const p = params(mode, d.kmsKeyId);
    const pairs: [string, S3Client, string, S3Client][] = [
      ['gateway', d.viaGateway, 'sdk plugin', d.sdk],
      ['sdk plugin', d.sdk, 'gateway', d.viaGateway],
    ];
    for (const [writerName, writer, readerName, reader] of pairs) {
      for (const [size, multipart] of [[70 * 1024, false], [5 * 1024 * 1024 + 3, true]] as const) {
        const key = `${writerName}/${mode}/${size}`;
        const body = randomBytes(size);
        if (multipart) await new Upload({ client: writer, params: { Bucket: d.bucket, Key: key, Body: body, ...p.write }, partSize: 5 * 1024 * 1024, queueSize: 2 }).done();
        else await writer.send(new PutObjectCommand({ Bucket: d.bucket, Key: key, Body: body, ...p.write }));
        const got = await reader.send(new GetObjectCommand({ Bucket: d.bucket, Key: key, ...p.read }));
        const what = `${size} B, written by the ${writerName}, read by the ${readerName}`;
        // Buffer.equals: AVA's deepEqual takes seconds per MiB
        t.true(Buffer.from(await got.Body!.transformToByteArray()).equals(body), what);
        const echo = got as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(p.echo)) t.is(echo[k], v, `${what}: ${k}`);
      }
    }
  });
}
