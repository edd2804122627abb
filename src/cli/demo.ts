import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Container } from 'inversify';
import { closeContainer } from '../container/close-container.js';
import { createContainer } from '../container/create-container.js';
import { getService, TOKENS } from '../container/tokens.js';
import { FileKeystore } from '../keystores/file-keystore.js';
import { KeystoreKeyResolver } from '../engine/materials/keystore-key-resolver.js';
import { SsecKeyResolver } from '../engine/materials/ssec-key-resolver.js';
import { startEmbeddedMinio } from './embedded-minio.js';
import { embeddedState } from './embedded-state.js';

/**
 * End-to-end demo on embedded defaults (until the gateway exists): a local MinIO, the file keystore
 * with demo keys, then SSE-S3, SSE-KMS-style (named file key + context) and SSE-C objects written
 * through the engine, read back whole and by range, and the raw backend bytes shown to be ciphertext.
 * Prints one machine-readable result line: `s3seal demo ok …`.
 */
export async function runDemo(dataDir: string, log: (line: string) => void = console.log): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const state = embeddedState(dataDir);
  const minio = await startEmbeddedMinio(dataDir, state.accessKey, state.secretKey);
  const raw = new S3Client({ endpoint: minio.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: state.accessKey, secretAccessKey: state.secretKey } });
  let container: Container | undefined;
  try {
    const keyFile = join(dataDir, 'keys.json');
    const ks = new FileKeystore({ path: keyFile, create: true });
    for (const name of ['s3-default', 'demo-kms']) if (!(await ks.describeKey(name).catch(() => undefined))) await ks.createKey(name);

    container = createContainer({
      backend: { endpoint: minio.endpoint, accessKeyId: state.accessKey, secretAccessKey: state.secretKey },
      keystores: { file: { path: keyFile } },
      uploadTokenRoot: state.uploadTokenRoot,
    });
    const sealed = getService(container, TOKENS.SealedObjects);
    const bucket = 'demo';
    await raw.send(new CreateBucketCommand({ Bucket: bucket })).catch((e: { name?: string }) => {
      if (e.name !== 'BucketAlreadyOwnedByYou' && e.name !== 'BucketAlreadyExists') throw e;
    });

    const plain = Buffer.from('Hello from s3seal: this sentence is stored only as ciphertext in MinIO.\n'.repeat(3000));
    const modes = [
      { key: 'hello-sse-s3.txt', keys: getService(container, TOKENS.KeystoreRegistry).sseS3Resolver() },
      { key: 'hello-sse-kms.txt', keys: new KeystoreKeyResolver(ks, 'SSE-KMS', 'demo-kms', { project: 'demo' }) },
      { key: 'hello-sse-c.txt', keys: new SsecKeyResolver(randomBytes(32)) },
    ];
    for (const m of modes) {
      const o = { bucket, key: m.key };
      await sealed.put(o, plain, plain.length, { demo: 'true' }, m.keys);
      const stored = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: m.key }));
      const atRest = Buffer.from(await stored.Body!.transformToByteArray());
      const leaked = atRest.includes(Buffer.from('Hello from s3seal'));
      const back = await buffer((await sealed.get(o, m.keys)).stream);
      const range = await buffer((await sealed.get(o, m.keys, { start: 100000, end: 100099 })).stream);
      const env = (await sealed.head(o)).envelope!;
      const ok = back.equals(plain) && range.equals(plain.subarray(100000, 100100)) && !leaked;
      log(`${m.key}: mode=${env.mode}${env.keyRef ? ` key=${env.keyRef}` : ''} plaintext=${plain.length}B stored=${atRest.length}B at-rest-magic=${atRest.subarray(0, 4).toString('ascii')} plaintext-at-rest=${leaked ? 'YES' : 'no'} round-trip=${back.equals(plain) ? 'ok' : 'FAILED'} range=${range.equals(plain.subarray(100000, 100100)) ? 'ok' : 'FAILED'}`);
      if (!ok) throw new Error(`demo failed for ${m.key}`);
    }
    log(`s3seal demo ok backend=${minio.endpoint} bucket=${bucket} data_dir=${dataDir} key_file=${keyFile}`);
  } finally {
    if (container) await closeContainer(container);
    raw.destroy();
    await minio.stop();
  }
}
