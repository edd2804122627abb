/**
 * multipart (issue 6, item 7): what a multipart upload costs through s3seal against MinIO itself,
 * all on one MinIO (the one with native SSE-S3 configured), one client, one machine, in one run:
 *
 * - `complete_ms`: CompleteMultipartUpload through s3seal (ListParts, backend Complete, one 64-byte
 *   GET per part header, HEAD, the layout commit) vs a plain MinIO Complete of the same parts. The
 *   commit is a self-CopyObject with replaced metadata; it stays metadata-only only if the object has
 *   a checksum MinIO keeps (see src/backends/s3-object-store.ts), otherwise MinIO rewrites it.
 * - `multipart_upload_vs_native_sse`: throughput of the whole upload (create, parts, complete)
 *   through s3seal (SSE-S3, file keystore) vs MinIO native SSE-S3 (`ServerSideEncryption: AES256`).
 *
 * Each round runs s3seal, native SSE and plain once, alternating, after one warm-up round; values
 * are medians of the rounds. Parts are sent one after another.
 *
 *   npm run bench -- multipart     (BENCH_PARTS, default 8; BENCH_PART_MIB, default 32; BENCH_RUNS, default 5)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { startService } from '../scripts/harness/start-service.js';
import type { RunningService } from '../scripts/harness/service-descriptor.js';
import { S3ObjectStore } from '../src/backends/s3-object-store.js';
import { SealedObjects } from '../src/engine/sealed-objects.js';
import { FileKeystore } from '../src/keystores/file-keystore.js';
import { KeystoreKeyResolver } from '../src/engine/materials/keystore-key-resolver.js';
import { collectGarbage } from './lib/alternate.js';
import { makeRecord, type BenchRecord } from './lib/record.js';
import { mibPerSec } from './lib/stats.js';

const PARTS = Number(process.env['BENCH_PARTS'] ?? 8);
const PART_MIB = Number(process.env['BENCH_PART_MIB'] ?? 32);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);

interface Sample {
  totalMs: number;
  completeMs: number;
}

export async function run(): Promise<BenchRecord[]> {
  if (RUNS < 5) throw new Error('BENCH_RUNS must be >= 5');
  const started: RunningService[] = [];
  const dir = mkdtempSync(join(tmpdir(), 's3seal-bench-multipart-'));
  try {
    const minio = await startService('minio-sse');
    started.push(minio);
    const s3 = new S3Client({ endpoint: minio.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: minio.accessKey!, secretAccessKey: minio.secretKey! } });
    const bucket = 'multipart-bench';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const ks = new FileKeystore({ path: join(dir, 'keys.json'), create: true });
    await ks.createKey('s3-default');
    const keys = new KeystoreKeyResolver(ks, 'SSE-S3', 's3-default');
    const sealed = new SealedObjects(new S3ObjectStore(s3), { uploadTokenRoot: randomBytes(32) });
    const part = randomBytes(PART_MIB * 1024 * 1024);
    const totalBytes = PARTS * part.length;

    const viaS3seal = async (): Promise<Sample> => {
      const o = { bucket, key: 'through-s3seal' };
      const t0 = performance.now();
      const token = await sealed.createMultipart(o, {}, keys);
      const etags: { partNumber: number; etag: string }[] = [];
      for (let n = 1; n <= PARTS; n++) etags.push({ partNumber: n, etag: await sealed.uploadPart(o, token, n, part, part.length, keys) });
      const t1 = performance.now();
      await sealed.completeMultipart(o, token, etags, keys);
      const t2 = performance.now();
      return { totalMs: t2 - t0, completeMs: t2 - t1 };
    };
    const direct = (key: string, sse: boolean) => async (): Promise<Sample> => {
      const t0 = performance.now();
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...(sse ? { ServerSideEncryption: 'AES256' as const } : {}) }));
      const parts: CompletedPart[] = [];
      for (let n = 1; n <= PARTS; n++) {
        const r = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: part, ContentLength: part.length }));
        parts.push({ PartNumber: n, ETag: r.ETag, ...(r.ChecksumCRC32 ? { ChecksumCRC32: r.ChecksumCRC32 } : {}) });
      }
      const t1 = performance.now();
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
      const t2 = performance.now();
      return { totalMs: t2 - t0, completeMs: t2 - t1 };
    };
    const nativeSse = direct('native-sse', true);
    const plain = direct('plain', false);

    const samples = { s3seal: [] as Sample[], native: [] as Sample[], plain: [] as Sample[] };
    for (let round = -1; round < RUNS; round++) {
      collectGarbage();
      const a = await viaS3seal();
      collectGarbage();
      const b = await nativeSse();
      collectGarbage();
      const c = await plain();
      if (round < 0) continue; // warm-up: connections, JIT, MinIO's first writes
      samples.s3seal.push(a);
      samples.native.push(b);
      samples.plain.push(c);
      console.log(`round ${round + 1}/${RUNS}: s3seal ${a.totalMs.toFixed(0)} ms (complete ${a.completeMs.toFixed(1)} ms), native SSE ${b.totalMs.toFixed(0)} ms, plain complete ${c.completeMs.toFixed(1)} ms`);
    }
    s3.destroy();
    const shape = `${PARTS} x ${PART_MIB} MiB parts, sent one after another, one MinIO (native SSE-S3 configured), @aws-sdk/client-s3, ${RUNS} rounds after 1 warm-up`;
    return [
      makeRecord({
        name: 'complete_ms',
        unit: 'ms',
        baselineName: 'plain MinIO CompleteMultipartUpload of the same parts',
        higherIsBetter: false,
        candidate: samples.s3seal.map((s) => s.completeMs),
        baseline: samples.plain.map((s) => s.completeMs),
        notes: `${shape}; s3seal Complete = ListParts + backend Complete + ${PARTS} part-header GETs + HEAD + metadata-only self-CopyObject`,
      }),
      makeRecord({
        name: 'multipart_upload_vs_native_sse',
        unit: 'MiB/s',
        baselineName: 'MinIO native SSE-S3 multipart upload',
        higherIsBetter: true,
        candidate: samples.s3seal.map((s) => mibPerSec(totalBytes, s.totalMs)),
        baseline: samples.native.map((s) => mibPerSec(totalBytes, s.totalMs)),
        notes: `${shape}; s3seal SSE-S3 with the file keystore; create + parts + complete`,
      }),
    ];
  } finally {
    await Promise.allSettled(started.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
