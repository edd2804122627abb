/**
 * put-get (issue 7 acceptance): the AWS SDK v3 with the s3seal door (`createSealedS3Client`) over a
 * plain MinIO, against the same SDK talking to MinIO itself — all in one run, one machine, the same
 * client settings both sides, candidate and baseline alternating (bench/lib/alternate.ts):
 *
 * - `put_get_vs_minio_native_sse`: 256 MiB PutObject then GetObject (body read to the end), SSE-S3
 *   (`ServerSideEncryption: AES256` on both sides) vs MinIO's native SSE-S3 (`minio-sse`, with
 *   MINIO_KMS_SECRET_KEY). MiB/s over PUT + GET.
 * - `multipart_vs_minio_native_sse`: @aws-sdk/lib-storage `Upload` of 256 MiB, 8 MiB parts, queueSize 4;
 *   same comparison.
 * - `minio_put_get_vs_minio_native_sse` (issue 9): the same 256 MiB putObject (a Buffer: minio-js
 *   uploads it as multipart, 64 MiB parts, one after the other) then getObject (read to the end),
 *   SSE-S3 (`X-Amz-Server-Side-Encryption: AES256` as metadata) through `createSealedMinioClient`
 *   over the plain MinIO vs a plain `minio.Client` to MinIO's native SSE-S3 — both minio-js clients
 *   built with the same options (endpoint, port, useSSL false, credentials), the sealed one with the
 *   door's transport. MiB/s over PUT + GET. `BENCH_ONLY=minio` runs this record alone.
 * - `put_get_vs_plain`: the sealed PUT + GET vs the plain SDK against the plain MinIO, no SSE (reported).
 * - `small_put_p50_overhead_ms`, `small_get_p50_overhead_ms`: 4 KiB objects, 500 sequential operations
 *   per side per run (interleaved one by one), p50 of the sealed client minus p50 of the plain SDK to
 *   the plain MinIO; target ≤ 0.5 ms.
 * - `backend_requests_per_get`: HTTP requests the sealed client's backend S3Client sends (counted by a
 *   middleware below its retries) per GetObject of a single-part object, whole and ranged in every
 *   Range form; baseline: a plain GET is one request. Target ≤ 1.0.
 * - `backend_requests_per_multipart_range`: per 1-byte ranged GetObject, 100 random ranges of one
 *   20-part object (5 MiB parts, the smallest S3 allows), read by a fresh sealed client after its
 *   first read (which learns the layout; its cost is in the notes). Target ≤ 1.1.
 *
 *   npm run bench -- put-get    (BENCH_MIB, default 256; BENCH_RUNS, default 5; BENCH_SMALL_OPS, default 500)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Client as MinioClient, type ClientOptions as MinioClientOptions } from 'minio';
import { startService } from '../scripts/harness/start-service.js';
import type { RunningService } from '../scripts/harness/service-descriptor.js';
import { createSealedMinioClient, createSealedS3Client, getService, TOKENS, type SealedMinioClient, type SealedS3Client } from '../src/index.js';
import { alternate, collectGarbage } from './lib/alternate.js';
import { makeRecord, type BenchRecord } from './lib/record.js';
import { median, mibPerSec } from './lib/stats.js';

const MIB = Number(process.env['BENCH_MIB'] ?? 256);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const SMALL_OPS = Number(process.env['BENCH_SMALL_OPS'] ?? 500);
/** `minio`: only minio_put_get_vs_minio_native_sse (the other records are not measured, nor written) */
const ONLY = process.env['BENCH_ONLY'];
const MiB = 1024 * 1024;

/** the client settings both sides share (the sealed client only adds the door) */
const CLIENT: S3ClientConfig = { region: 'us-east-1', forcePathStyle: true };

function plainClient(s: RunningService): S3Client {
  return new S3Client({ ...CLIENT, endpoint: s.endpoint, credentials: { accessKeyId: s.accessKey!, secretAccessKey: s.secretKey! } });
}

/** reads a GetObject body to its end without keeping it (both sides alike) */
async function drain(body: unknown): Promise<number> {
  let n = 0;
  for await (const c of body as Readable) n += (c as Buffer).length;
  return n;
}

/** counts the HTTP requests a client sends: one per attempt, below the SDK's retries */
function countRequests(client: S3Client): { n: number } {
  const count = { n: 0 };
  client.middlewareStack.add(
    (next) => (args) => {
      count.n++;
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'benchCountBackendRequests' },
  );
  return count;
}

/** the minio-js options both sides share: the server's endpoint as users configure it (the sealed client only adds the door's transport) */
function minioOptions(s: RunningService): MinioClientOptions {
  const url = new URL(s.endpoint);
  return { endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey: s.accessKey!, secretKey: s.secretKey!, region: 'us-east-1' };
}

/** 256 MiB putObject then getObject through minio-js, SSE-S3; MiB/s over both */
function minioPutGet(client: MinioClient, bucket: string, key: string, big: Buffer) {
  return async (): Promise<number> => {
    const t0 = performance.now();
    await client.putObject(bucket, key, big, big.length, { 'X-Amz-Server-Side-Encryption': 'AES256' });
    const n = await drain(await client.getObject(bucket, key));
    if (n !== big.length) throw new Error(`${key}: read ${n} bytes`);
    return mibPerSec(2 * big.length, performance.now() - t0);
  };
}

function p50(xs: number[]): number {
  return median(xs);
}

export async function run(): Promise<BenchRecord[]> {
  if (RUNS < 5) throw new Error('BENCH_RUNS must be >= 5');
  const started: RunningService[] = [];
  const dir = mkdtempSync(join(tmpdir(), 's3seal-bench-put-get-'));
  const sealedClients: (SealedS3Client | SealedMinioClient)[] = [];
  const loadAtStart = loadavg()[0] ?? 0;
  try {
    const [minio, minioSse] = await Promise.all([startService('minio'), startService('minio-sse')]);
    started.push(minio, minioSse);
    const config = {
      backend: { endpoint: minio.endpoint, accessKeyId: minio.accessKey!, secretAccessKey: minio.secretKey! },
      keystores: { file: { path: join(dir, 'keys.json'), create: true } },
      uploadTokenRoot: randomBytes(32).toString('base64'),
    };
    const newSealed = async (): Promise<{ client: SealedS3Client; backend: { n: number } }> => {
      const client = createSealedS3Client(config, CLIENT);
      sealedClients.push(client);
      const files = getService(client.container, TOKENS.FileKeystore);
      if (!(await files.describeKey('s3-default').then(() => true, () => false))) await files.createKey('s3-default');
      return { client, backend: countRequests(getService(client.container, TOKENS.S3Client)) };
    };
    const shapeOf = (what: string): string =>
      `one machine (${MIB} MiB bodies; 1-min load ${loadAtStart.toFixed(1)} at start, ${(loadavg()[0] ?? 0).toFixed(1)} at end), ${what} both sides with the same settings, ${RUNS} runs after 1 warm-up, alternating`;
    const bigBody = randomBytes(MIB * MiB);
    const minioRecord = async (): Promise<BenchRecord> => {
      const sealedMinio = createSealedMinioClient(config, minioOptions(minio));
      sealedClients.push(sealedMinio);
      const files = getService(sealedMinio.container, TOKENS.FileKeystore);
      if (!(await files.describeKey('s3-default').then(() => true, () => false))) await files.createKey('s3-default');
      const nativeMinio = new MinioClient(minioOptions(minioSse));
      const b = 'minio-put-get-bench';
      await sealedMinio.makeBucket(b);
      await nativeMinio.makeBucket(b);
      const r = await alternate(minioPutGet(sealedMinio, b, 'sealed', bigBody), minioPutGet(nativeMinio, b, 'native', bigBody), { runs: RUNS, onRun: progress('minio-js put+get vs native SSE, MiB/s') });
      return makeRecord({
        name: 'minio_put_get_vs_minio_native_sse',
        unit: 'MiB/s',
        baselineName: 'minio.Client, X-Amz-Server-Side-Encryption AES256, MinIO native SSE-S3',
        higherIsBetter: true,
        candidate: r.candidate,
        baseline: r.baseline,
        target: 'ratio >= 0.85',
        notes: `${shapeOf('minio-js 8.0.7')}; putObject of a Buffer (minio-js: multipart, 64 MiB parts, sequential; SHA-256 of each part, as it signs over plain HTTP) then getObject read to the end; candidate: createSealedMinioClient over plain MinIO, SSE-S3 (file keystore)`,
      });
    };
    const progress = (what: string) => (side: 'candidate' | 'baseline', i: number, v: number): void => console.log(`${what}: ${side} run ${i + 1}: ${v.toFixed(1)}`);
    if (ONLY === 'minio') return [await minioRecord()];
    if (ONLY !== undefined) throw new Error(`BENCH_ONLY=${ONLY}: only "minio" is known`);
    const { client: sealed, backend } = await newSealed();
    const plain = plainClient(minio);
    const native = plainClient(minioSse);
    const bucket = 'put-get-bench';
    await plain.send(new CreateBucketCommand({ Bucket: bucket }));
    await native.send(new CreateBucketCommand({ Bucket: bucket }));
    const big = bigBody;

    const putGet = (client: S3Client, key: string, sse: boolean) => async (): Promise<number> => {
      const t0 = performance.now();
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: big, ContentLength: big.length, ...(sse ? { ServerSideEncryption: 'AES256' as const } : {}) }));
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const n = await drain(got.Body);
      if (n !== big.length) throw new Error(`${key}: read ${n} bytes`);
      return mibPerSec(2 * big.length, performance.now() - t0);
    };
    const upload = (client: S3Client, key: string, sse: boolean) => async (): Promise<number> => {
      const t0 = performance.now();
      await new Upload({ client, params: { Bucket: bucket, Key: key, Body: big, ...(sse ? { ServerSideEncryption: 'AES256' as const } : {}) }, partSize: 8 * MiB, queueSize: 4 }).done();
      return mibPerSec(big.length, performance.now() - t0);
    };
    const vsNative = await alternate(putGet(sealed, 'sealed', true), putGet(native, 'native', true), { runs: RUNS, onRun: progress('put+get vs native SSE, MiB/s') });
    const vsPlain = await alternate(putGet(sealed, 'sealed', true), putGet(plain, 'plain', false), { runs: RUNS, onRun: progress('put+get vs plain, MiB/s') });
    const multipart = await alternate(upload(sealed, 'sealed-mp', true), upload(native, 'native-mp', true), { runs: RUNS, onRun: progress('lib-storage Upload vs native SSE, MiB/s') });
    const minioPutGetRecord = await minioRecord();

    // small objects: one sealed op, one plain op, in turn; p50 per run
    const small = randomBytes(4096);
    await sealed.send(new PutObjectCommand({ Bucket: bucket, Key: 'small-sealed', Body: small, ServerSideEncryption: 'AES256' }));
    await plain.send(new PutObjectCommand({ Bucket: bucket, Key: 'small-plain', Body: small }));
    const timed = async (fn: () => Promise<unknown>): Promise<number> => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    const smallRuns = { put: { over: [] as number[], base: [] as number[] }, get: { over: [] as number[], base: [] as number[] } };
    for (let run = -1; run < RUNS; run++) {
      collectGarbage();
      const lat = { sp: [] as number[], pp: [] as number[], sg: [] as number[], pg: [] as number[] };
      for (let i = 0; i < SMALL_OPS; i++) {
        lat.sp.push(await timed(() => sealed.send(new PutObjectCommand({ Bucket: bucket, Key: `small-put-sealed-${i % 20}`, Body: small, ServerSideEncryption: 'AES256' }))));
        lat.pp.push(await timed(() => plain.send(new PutObjectCommand({ Bucket: bucket, Key: `small-put-plain-${i % 20}`, Body: small }))));
      }
      for (let i = 0; i < SMALL_OPS; i++) {
        lat.sg.push(await timed(async () => drain((await sealed.send(new GetObjectCommand({ Bucket: bucket, Key: 'small-sealed' }))).Body)));
        lat.pg.push(await timed(async () => drain((await plain.send(new GetObjectCommand({ Bucket: bucket, Key: 'small-plain' }))).Body)));
      }
      if (run < 0) continue;
      smallRuns.put.over.push(p50(lat.sp) - p50(lat.pp));
      smallRuns.put.base.push(p50(lat.pp));
      smallRuns.get.over.push(p50(lat.sg) - p50(lat.pg));
      smallRuns.get.base.push(p50(lat.pg));
      console.log(`small run ${run + 1}: PUT p50 ${p50(lat.sp).toFixed(3)} vs ${p50(lat.pp).toFixed(3)} ms, GET p50 ${p50(lat.sg).toFixed(3)} vs ${p50(lat.pg).toFixed(3)} ms`);
    }

    // backend requests per GET of a single-part object: whole and every Range form
    const one = randomBytes(MiB + 5);
    await sealed.send(new PutObjectCommand({ Bucket: bucket, Key: 'requests-single', Body: one, ServerSideEncryption: 'AES256' }));
    const forms = [undefined, 'bytes=0-0', 'bytes=65530-65545', 'bytes=700000-', 'bytes=10-99999999', 'bytes=-1', 'bytes=-200000', 'bytes=-3000000'];
    const perGet: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const before = backend.n;
      for (const Range of forms) await drain((await sealed.send(new GetObjectCommand({ Bucket: bucket, Key: 'requests-single', ...(Range ? { Range } : {}) }))).Body);
      perGet.push((backend.n - before) / forms.length);
    }

    // backend requests per 1-byte range of a 20-part object, read by a fresh client after its first read
    const parts = 20;
    const mp = randomBytes(parts * 5 * MiB);
    await new Upload({ client: sealed, params: { Bucket: bucket, Key: 'requests-multipart', Body: mp, ServerSideEncryption: 'AES256' }, partSize: 5 * MiB, queueSize: 4 }).done();
    const reader = await newSealed();
    const firstBefore = reader.backend.n;
    await drain((await reader.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'requests-multipart', Range: 'bytes=7-7' }))).Body);
    const firstCost = reader.backend.n - firstBefore;
    const perRange: number[] = [];
    let seed = 2026;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < RUNS; run++) {
      const before = reader.backend.n;
      for (let i = 0; i < 100; i++) {
        const at = Math.floor(rand() * mp.length);
        const got = await reader.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'requests-multipart', Range: `bytes=${at}-${at}` }));
        const b = Buffer.from(await got.Body!.transformToByteArray());
        if (b.length !== 1 || b[0] !== mp[at]) throw new Error(`wrong byte at ${at}`);
      }
      perRange.push((reader.backend.n - before) / 100);
    }
    plain.destroy();
    native.destroy();
    const ones = (n: number): number[] => Array.from({ length: n }, () => 1);
    // the machine may be shared: its load says how much the absolute numbers mean
    const shape = `one machine (${MIB} MiB bodies; 1-min load ${loadAtStart.toFixed(1)} at start, ${(loadavg()[0] ?? 0).toFixed(1)} at end), @aws-sdk/client-s3 both sides with the same settings, ${RUNS} runs after 1 warm-up, alternating`;
    return [
      makeRecord({ name: 'put_get_vs_minio_native_sse', unit: 'MiB/s', baselineName: 'SDK, ServerSideEncryption AES256, MinIO native SSE-S3', higherIsBetter: true, candidate: vsNative.candidate, baseline: vsNative.baseline, target: 'ratio >= 0.85', notes: `${shape}; PutObject then GetObject (read to the end); candidate: createSealedS3Client over plain MinIO, SSE-S3 (file keystore)` }),
      makeRecord({ name: 'multipart_vs_minio_native_sse', unit: 'MiB/s', baselineName: 'lib-storage Upload to MinIO native SSE-S3', higherIsBetter: true, candidate: multipart.candidate, baseline: multipart.baseline, target: 'ratio >= 0.85', notes: `${shape}; @aws-sdk/lib-storage Upload, 8 MiB parts, queueSize 4` }),
      minioPutGetRecord,
      makeRecord({ name: 'put_get_vs_plain', unit: 'MiB/s', baselineName: 'SDK to plain MinIO, no SSE', higherIsBetter: true, candidate: vsPlain.candidate, baseline: vsPlain.baseline, notes: `${shape}; PutObject then GetObject` }),
      makeRecord({ name: 'small_put_p50_overhead_ms', unit: 'ms', baselineName: 'p50 of a plain SDK 4 KiB PutObject to plain MinIO', higherIsBetter: false, candidate: smallRuns.put.over, baseline: smallRuns.put.base, target: 'value <= 0.5', notes: `${shape}; 4 KiB bodies, ${SMALL_OPS} sequential PUTs per side per run, interleaved; value = p50(sealed) − p50(plain)` }),
      makeRecord({ name: 'small_get_p50_overhead_ms', unit: 'ms', baselineName: 'p50 of a plain SDK 4 KiB GetObject from plain MinIO', higherIsBetter: false, candidate: smallRuns.get.over, baseline: smallRuns.get.base, target: 'value <= 0.5', notes: `${shape}; 4 KiB objects, ${SMALL_OPS} sequential GETs per side per run, interleaved; value = p50(sealed) − p50(plain)` }),
      makeRecord({ name: 'backend_requests_per_get', unit: 'requests', baselineName: 'a plain GetObject', higherIsBetter: false, candidate: perGet, baseline: ones(perGet.length), target: 'value <= 1.0', notes: `single-part object of 1 MiB + 5; per run ${forms.length} GETs: whole, ${forms.filter(Boolean).join(', ')}; counted at the backend S3Client` }),
      makeRecord({ name: 'backend_requests_per_multipart_range', unit: 'requests', baselineName: 'a plain ranged GetObject', higherIsBetter: false, candidate: perRange, baseline: ones(perRange.length), target: 'value <= 1.1', notes: `${parts} parts of 5 MiB (lib-storage Upload through the sealed client); per run 100 random 1-byte ranges by a fresh sealed client after its first read, which cost ${firstCost} requests (single-part guess, ${parts} part headers, the chunk run)` }),
    ];
  } finally {
    await Promise.allSettled(sealedClients.map((c) => c.close()));
    await Promise.allSettled(started.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
