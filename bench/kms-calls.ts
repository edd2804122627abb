/**
 * kms-calls (issue 3): KMS requests per 10,000 small SSE-KMS PUTs into MinIO to one bucket and key,
 * with bucket keys vs without, both in the same run. Requests are counted at the server: local-kms
 * logs one line per request it serves, and we count the lines each run adds to its log.
 *
 *   npm run bench -- kms-calls        (BENCH_PUTS, default 10000; BENCH_RUNS, default 5)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { startService } from '../scripts/harness/start-service.js';
import type { RunningService } from '../scripts/harness/service-descriptor.js';
import { S3ObjectStore } from '../src/backends/s3-object-store.js';
import { SealedObjects } from '../src/engine/sealed-objects.js';
import { AwsKmsKeystore } from '../src/keystores/awskms-keystore.js';
import { BucketKeyCache } from '../src/keystores/bucket-key-cache.js';
import { BucketKeyResolver } from '../src/keystores/bucket-key-resolver.js';
import { KeystoreKeyResolver } from '../src/keystores/keystore-key-resolver.js';
import type { KeyResolver } from '../src/engine/key-resolver.js';
import { makeRecord, type BenchRecord } from './lib/record.js';

const PUTS = Number(process.env['BENCH_PUTS'] ?? 10_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const CONCURRENCY = 16;

/** lines local-kms appended to its log since `offset` (one per request served) */
function requestsSince(logFile: string, offset: number): { count: number; offset: number } {
  const size = statSync(logFile).size;
  const added = readFileSync(logFile).subarray(offset, size).toString('utf8');
  return { count: added.split('\n').filter((l) => l.trim().length > 0).length, offset: size };
}

async function putMany(sealed: SealedObjects, bucket: string, keys: KeyResolver): Promise<void> {
  let next = 0;
  const body = Buffer.from('small object body');
  const worker = async (): Promise<void> => {
    while (next < PUTS) {
      next++;
      // one bucket, one object key, as the issue asks: every PUT overwrites it
      await sealed.put({ bucket, key: 'object' }, body, body.length, {}, keys);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

export async function run(): Promise<BenchRecord[]> {
  const started: RunningService[] = [];
  try {
    const minio = await startService('minio');
    started.push(minio);
    const kms = await startService('localkms');
    started.push(kms);
    const s3 = new S3Client({ endpoint: minio.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: minio.accessKey!, secretAccessKey: minio.secretKey! } });
    const bucket = 'kms-calls';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const client = new KMSClient({ endpoint: kms.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const ks = new AwsKmsKeystore(client);
    const { keyId } = await ks.createKey(`alias/bench-${randomBytes(4).toString('hex')}`);
    const sealed = new SealedObjects(new S3ObjectStore(s3), { uploadTokenRoot: randomBytes(32) });

    let offset = statSync(kms.logFile).size;
    const withBk: number[] = [];
    const without: number[] = [];
    const measure = async (keys: KeyResolver): Promise<number> => {
      offset = requestsSince(kms.logFile, offset).offset;
      await putMany(sealed, bucket, keys);
      const r = requestsSince(kms.logFile, offset);
      offset = r.offset;
      return r.count;
    };
    // warm-up (connections, first describe), then alternate; each bucket-key run gets a fresh cache,
    // so every run pays its own first KMS call
    await measure(new BucketKeyResolver(ks, 'SSE-KMS', keyId, 'bench', new BucketKeyCache()));
    for (let i = 0; i < RUNS; i++) {
      withBk.push(await measure(new BucketKeyResolver(ks, 'SSE-KMS', keyId, 'bench', new BucketKeyCache())));
      without.push(await measure(new KeystoreKeyResolver(ks, 'SSE-KMS', keyId)));
    }
    s3.destroy();
    const scale = 10_000 / PUTS;
    return [
      makeRecord({
        name: 'kms_calls_per_10k_writes',
        unit: 'KMS requests',
        baselineName: 'same PUTs without bucket keys (one GenerateDataKey per object)',
        higherIsBetter: false,
        candidate: withBk.map((x) => x * scale),
        baseline: without.map((x) => x * scale),
        target: 'value <= 100',
        notes: `${PUTS} PUTs of 17 bytes per run, ${CONCURRENCY} concurrent, SSE-KMS, one bucket and key, MinIO + local-kms; requests counted from local-kms's request log`,
      }),
    ];
  } finally {
    await Promise.allSettled(started.map((s) => s.stop()));
  }
}
