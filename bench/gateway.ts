/**
 * gateway (ISSUE10 acceptance): `s3seal serve` as its own process, HTTPS with a self-signed
 * certificate, over a plain MinIO with the file keystore — against the same @aws-sdk/client-s3
 * client (same settings, the same https Agent trusting the same certificate) talking to MinIO
 * directly. Candidate and baseline alternate (bench/lib/alternate.ts), 1 warm-up pair, ≥ 5 timed.
 *
 * - `gateway_vs_minio_native_sse`: 256 MiB PutObject then GetObject (read to the end), SSE-S3
 *   (`ServerSideEncryption: AES256`) through the gateway (default `--workers`: the host's cores) vs
 *   MinIO's native SSE-S3 (a static KMS key, as the harness's `minio-sse`) serving HTTPS itself from
 *   its `--certs-dir` with the same certificate (bench/lib/tls-minio.ts). MiB/s over PUT + GET.
 * - `gateway_workers_scaling`: 8 concurrent 64 MiB PUT+GETs, aggregate MiB/s, `--workers 2` vs
 *   `--workers 1` (each client its own connection pool, so the connections spread over the workers).
 * - `gateway_vs_direct_plain`: the gateway's SSE-S3 PUT+GET vs the same client to the plain MinIO
 *   the gateway uses (its HTTP endpoint, no SSE): what the whole gateway costs.
 * - `gateway_small_p50_overhead_ms`: 4 KiB PutObject, SSE-S3, sequential, interleaved one by one,
 *   p50(gateway) − p50(MinIO native SSE over HTTPS) per run.
 *
 *   npm run bench -- gateway   (BENCH_MIB, default 256; BENCH_RUNS, default 5; BENCH_SMALL_OPS, default 300; BENCH_CONCURRENT_MIB, default 64)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startService } from '../scripts/harness/start-service.js';
import type { RunningService } from '../scripts/harness/service-descriptor.js';
import { FileKeystore } from '../src/keystores/file-keystore.js';
import { alternate, collectGarbage } from './lib/alternate.js';
import { makeRecord, type BenchRecord } from './lib/record.js';
import { startServe, type ServeProcess } from './lib/serve-process.js';
import { median, mibPerSec } from './lib/stats.js';
import { benchCertificate, startTlsMinioSse, type BenchCertificate } from './lib/tls-minio.js';

const MIB = Number(process.env['BENCH_MIB'] ?? 256);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const SMALL_OPS = Number(process.env['BENCH_SMALL_OPS'] ?? 300);
const MiB = 1024 * 1024;
const CONCURRENT = 8;
const CONCURRENT_MIB = Number(process.env['BENCH_CONCURRENT_MIB'] ?? 64);

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** the one client configuration every side uses: path-style, keep-alive https Agent trusting the bench certificate */
function client(endpoint: string, credentials: Credentials, ca: Buffer): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca, keepAlive: true, maxSockets: 50 }) }),
  });
}

async function drain(body: unknown): Promise<number> {
  let n = 0;
  for await (const c of body as Readable) n += (c as Buffer).length;
  return n;
}

/** the gateway's configuration file: plain MinIO behind it, the file keystore, one access key in the policy document */
function gatewayConfig(dir: string, minio: RunningService, cert: BenchCertificate): { file: string; key: Credentials } {
  const key = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
  writeFileSync(join(dir, 'bench.secret'), `${key.secretAccessKey}\n`, { mode: 0o600 });
  const policy = join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    `version: 1
principals:
  bench:
    accessKeys:
      - { id: ${key.accessKeyId}, secretFile: bench.secret }
statements:
  - { effect: Allow, principals: "*", actions: "s3:*", resources: "*" }
keys:
  - { principals: "*", key: "*", permissions: [encrypt, decrypt] }
`,
  );
  const file = join(dir, 's3seal.json');
  writeFileSync(
    file,
    JSON.stringify({
      backend: { endpoint: minio.endpoint, accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
      keystores: { file: { path: join(dir, 'keys.json') } },
      defaultKmsKeystore: 'file',
      uploadTokenRoot: randomBytes(32).toString('base64'),
      policy: { file: policy, watch: false },
      audit: { destination: 'off' },
      gateway: { host: '127.0.0.1', port: 0, tls: { certFile: cert.certFile, keyFile: cert.keyFile }, metrics: true },
    }),
  );
  return { file, key };
}

export async function run(): Promise<BenchRecord[]> {
  if (RUNS < 5) throw new Error('BENCH_RUNS must be >= 5');
  const dir = mkdtempSync(join(tmpdir(), 's3seal-bench-gateway-'));
  const services: RunningService[] = [];
  const gateways: ServeProcess[] = [];
  const clients: S3Client[] = [];
  const loadAtStart = loadavg()[0] ?? 0;
  try {
    const cert = benchCertificate(dir);
    const [minio, native] = await Promise.all([startService('minio'), startTlsMinioSse(cert)]);
    services.push(minio, native);
    await new FileKeystore({ path: join(dir, 'keys.json'), create: true }).createKey('s3-default');
    const { file, key } = gatewayConfig(dir, minio, cert);
    // the default worker count (the host's cores) for the comparisons, and 1 and 2 for the scaling record
    const [gwDefault, gw1, gw2] = await Promise.all([startServe(file), startServe(file, 1), startServe(file, 2)]);
    gateways.push(gwDefault, gw1, gw2);
    const mk = (c: S3Client): S3Client => (clients.push(c), c);
    const viaGateway = mk(client(gwDefault.url, key, cert.ca));
    const toNative = mk(client(native.endpoint, { accessKeyId: native.accessKey!, secretAccessKey: native.secretKey! }, cert.ca));
    const toPlain = mk(client(minio.endpoint, { accessKeyId: minio.accessKey!, secretAccessKey: minio.secretKey! }, cert.ca));
    const bucket = 'gateway-bench';
    await toPlain.send(new CreateBucketCommand({ Bucket: bucket }));
    await toNative.send(new CreateBucketCommand({ Bucket: bucket }));
    const big = randomBytes(MIB * MiB);
    const mid = big.subarray(0, CONCURRENT_MIB * MiB);

    const putGet = (c: S3Client, key: string, sse: boolean, body: Buffer) => async (): Promise<number> => {
      const t0 = performance.now();
      await c.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length, ...(sse ? { ServerSideEncryption: 'AES256' as const } : {}) }));
      const n = await drain((await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body);
      if (n !== body.length) throw new Error(`${key}: read ${n} bytes`);
      return mibPerSec(2 * body.length, performance.now() - t0);
    };
    // 8 clients (own connection pools), each one PUT+GET of 64 MiB, all at once: aggregate MiB/s
    const concurrent = (url: string) => {
      const cs = Array.from({ length: CONCURRENT }, () => mk(client(url, key, cert.ca)));
      return async (): Promise<number> => {
        const t0 = performance.now();
        await Promise.all(cs.map(async (c, i) => {
          await c.send(new PutObjectCommand({ Bucket: bucket, Key: `concurrent-${i}`, Body: mid, ContentLength: mid.length, ServerSideEncryption: 'AES256' }));
          const n = await drain((await c.send(new GetObjectCommand({ Bucket: bucket, Key: `concurrent-${i}` }))).Body);
          if (n !== mid.length) throw new Error(`concurrent-${i}: read ${n} bytes`);
        }));
        return mibPerSec(2 * CONCURRENT * mid.length, performance.now() - t0);
      };
    };
    const progress = (what: string) => (side: 'candidate' | 'baseline', i: number, v: number): void => console.log(`${what}: ${side} run ${i + 1}: ${v.toFixed(1)}`);

    const vsNative = await alternate(putGet(viaGateway, 'gateway', true, big), putGet(toNative, 'native', true, big), { runs: RUNS, onRun: progress('gateway vs native SSE, MiB/s') });
    const vsPlain = await alternate(putGet(viaGateway, 'gateway', true, big), putGet(toPlain, 'plain', false, big), { runs: RUNS, onRun: progress('gateway vs direct plain, MiB/s') });
    const scaling = await alternate(concurrent(gw2.url), concurrent(gw1.url), { runs: RUNS, onRun: progress(`${CONCURRENT} × ${CONCURRENT_MIB} MiB, --workers 2 vs 1, MiB/s`) });

    const small = randomBytes(4096);
    const timed = async (fn: () => Promise<unknown>): Promise<number> => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    const smallRuns = { over: [] as number[], base: [] as number[], gw: [] as number[] };
    for (let r = -1; r < RUNS; r++) {
      collectGarbage();
      const gw: number[] = [];
      const nat: number[] = [];
      for (let i = 0; i < SMALL_OPS; i++) {
        gw.push(await timed(() => viaGateway.send(new PutObjectCommand({ Bucket: bucket, Key: `small-gw-${i % 20}`, Body: small, ServerSideEncryption: 'AES256' }))));
        nat.push(await timed(() => toNative.send(new PutObjectCommand({ Bucket: bucket, Key: `small-native-${i % 20}`, Body: small, ServerSideEncryption: 'AES256' }))));
      }
      if (r < 0) continue;
      smallRuns.over.push(median(gw) - median(nat));
      smallRuns.base.push(median(nat));
      smallRuns.gw.push(median(gw));
      console.log(`small run ${r + 1}: PUT p50 gateway ${median(gw).toFixed(3)} ms vs native SSE ${median(nat).toFixed(3)} ms`);
    }

    const shape = `one 2-core machine shared with other work (1-min load ${loadAtStart.toFixed(1)} at start, ${(loadavg()[0] ?? 0).toFixed(1)} at end); s3seal serve as its own process over HTTPS (self-signed P-256 certificate), plain MinIO behind it over loopback HTTP, file keystore; @aws-sdk/client-s3 with the same settings and https Agent every side; ${RUNS} runs after 1 warm-up, alternating`;
    return [
      makeRecord({ name: 'gateway_vs_minio_native_sse', unit: 'MiB/s', baselineName: 'SDK, ServerSideEncryption AES256, to MinIO native SSE-S3 over its own HTTPS', higherIsBetter: true, candidate: vsNative.candidate, baseline: vsNative.baseline, target: 'ratio >= 0.70', notes: `${shape}; ${MIB} MiB PutObject then GetObject (read to the end), SSE-S3 both sides; gateway with the default --workers (the host's cores); MinIO native SSE with MINIO_KMS_SECRET_KEY serving TLS from --certs-dir with the same certificate; warm-up ${vsNative.warmup.candidate.map((x) => x.toFixed(1)).join('/')} vs ${vsNative.warmup.baseline.map((x) => x.toFixed(1)).join('/')}` }),
      makeRecord({ name: 'gateway_workers_scaling', unit: 'MiB/s', baselineName: 's3seal serve --workers 1', higherIsBetter: true, candidate: scaling.candidate, baseline: scaling.baseline, notes: `${shape}; ${CONCURRENT} clients at once, each PutObject + GetObject of ${CONCURRENT_MIB} MiB SSE-S3 over its own connection; aggregate MiB/s, --workers 2 vs --workers 1` }),
      makeRecord({ name: 'gateway_vs_direct_plain', unit: 'MiB/s', baselineName: 'SDK to the same plain MinIO directly (HTTP, no SSE)', higherIsBetter: true, candidate: vsPlain.candidate, baseline: vsPlain.baseline, notes: `${shape}; ${MIB} MiB PutObject then GetObject; candidate SSE-S3 through the gateway over HTTPS, baseline the gateway's own backend without TLS or SSE` }),
      makeRecord({ name: 'gateway_small_p50_overhead_ms', unit: 'ms', baselineName: 'p50 of a 4 KiB SSE-S3 PutObject to MinIO native SSE over HTTPS', higherIsBetter: false, candidate: smallRuns.over, baseline: smallRuns.base, notes: `${shape}; 4 KiB bodies, ${SMALL_OPS} sequential PUTs per side per run, interleaved; value = p50(gateway) − p50(native); gateway p50s ${smallRuns.gw.map((x) => x.toFixed(2)).join('/')} ms` }),
    ];
  } finally {
    for (const c of clients) c.destroy();
    await Promise.allSettled(gateways.map((g) => g.stop()));
    await Promise.allSettled(services.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
