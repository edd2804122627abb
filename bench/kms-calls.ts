/**
 * kms-calls (issue 3, issue 6 item 22): KMS requests per 10,000 small SSE-KMS PUTs into MinIO to one
 * bucket and key, and per 10,000 GETs of SSE-KMS objects through a new resolver per request built
 * from one KeystoreRegistry (as a door builds them), with bucket keys vs without, both in the same
 * run. Requests are counted at the server: local-kms logs one line per request it serves, and we
 * count the lines each run adds to its log.
 *
 *   npm run bench -- kms-calls   (BENCH_PUTS, default 10000; BENCH_GETS, default 10000; BENCH_RUNS, default 5)
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
import { BucketKeyResolver } from '../src/engine/materials/bucket-key-resolver.js';
import { KeystoreKeyResolver } from '../src/engine/materials/keystore-key-resolver.js';
import { KeystoreRegistry, type ResolverRequest } from '../src/engine/materials/keystore-registry.js';
import type { KeyResolver } from '../src/engine/key-resolver.js';
import { makeRecord, type BenchRecord } from './lib/record.js';

const PUTS = Number(process.env['BENCH_PUTS'] ?? 10_000);
const GETS = Number(process.env['BENCH_GETS'] ?? 10_000);
/** distinct objects the GETs cycle through */
const READ_OBJECTS = 100;
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

/**
 * GETs of `prefix/0..READ_OBJECTS-1`, each through a resolver built for that request from `registry`
 * (a door builds one per request: whatever it caches must live in the registry)
 */
async function getMany(sealed: SealedObjects, bucket: string, prefix: string, registry: KeystoreRegistry, req: ResolverRequest): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < GETS) {
      const i = next++;
      const r = await sealed.get({ bucket, key: `${prefix}/${i % READ_OBJECTS}` }, registry.resolver(req));
      for await (const _ of r.stream) void _;
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
    const alias = `alias/bench-${randomBytes(4).toString('hex')}`;
    const { keyId } = await ks.createKey(alias);
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

    // reads: objects written once with and once without bucket keys; every run reads them through a
    // fresh registry (so each run pays its own first DescribeKey and Decrypt), a new resolver per GET
    const body = Buffer.from('small object body');
    const bkReq: ResolverRequest = { mode: 'SSE-KMS', keyRef: alias, bucketKeyPrincipal: 'bench' };
    const plainReq: ResolverRequest = { mode: 'SSE-KMS', keyRef: alias };
    const writer = new KeystoreRegistry({ awskms: ks });
    for (let i = 0; i < READ_OBJECTS; i++) {
      await sealed.put({ bucket, key: `bk/${i}` }, body, body.length, {}, writer.resolver(bkReq));
      await sealed.put({ bucket, key: `plain/${i}` }, body, body.length, {}, writer.resolver(plainReq));
    }
    const readsWithBk: number[] = [];
    const readsWithout: number[] = [];
    const readMillis: number[] = [];
    const measureReads = async (prefix: string, req: ResolverRequest): Promise<number> => {
      offset = requestsSince(kms.logFile, offset).offset;
      const t0 = performance.now();
      await getMany(sealed, bucket, prefix, new KeystoreRegistry({ awskms: ks }), req);
      readMillis.push(performance.now() - t0);
      const r = requestsSince(kms.logFile, offset);
      offset = r.offset;
      return r.count;
    };
    await measureReads('bk', bkReq); // warm-up
    readMillis.length = 0;
    for (let i = 0; i < RUNS; i++) {
      readsWithBk.push(await measureReads('bk', bkReq));
      readsWithout.push(await measureReads('plain', plainReq));
    }
    s3.destroy();
    const scale = 10_000 / PUTS;
    const readScale = 10_000 / GETS;
    const seconds = readMillis.map((ms) => (ms / 1000).toFixed(1)).join(', ');
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
      makeRecord({
        name: 'kms_calls_per_10k_reads',
        unit: 'KMS requests',
        baselineName: 'same GETs of objects written without bucket keys (one Decrypt per read)',
        higherIsBetter: false,
        candidate: readsWithBk.map((x) => x * readScale),
        baseline: readsWithout.map((x) => x * readScale),
        target: 'value <= 10',
        notes: `${GETS} GETs of 17-byte SSE-KMS objects (${READ_OBJECTS} objects, one bucket) per run, ${CONCURRENCY} concurrent, through SealedObjects with a new resolver per GET from one KeystoreRegistry per run (keyRef an alias); MinIO + local-kms; requests counted from local-kms's request log; wall time per run (bucket keys, without, alternating): ${seconds} s`,
      }),
    ];
  } finally {
    await Promise.allSettled(started.map((s) => s.stop()));
  }
}
