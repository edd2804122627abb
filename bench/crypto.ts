/**
 * `npm run bench -- crypto`: the streaming engine's throughput against raw node:crypto and against
 * the AWS Encryption SDK, and its peak memory (DESIGN.md "Benchmarks").
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { EncryptStream } from '../src/engine/encrypt-stream.js';
import { DecryptStream } from '../src/engine/decrypt-stream.js';
import { BODY_HEADER_SIZE, CHUNK_SIZE, TAG_SIZE } from '../src/crypto/constants.js';
import { encodeBodyHeader } from '../src/crypto/body-header.js';
import { V1 } from '../src/crypto/kdf.js';
import { deriveSegmentKeys } from '../src/crypto/segment-keys.js';
import { alternate, type Measure } from './lib/alternate.js';
import { RawDecrypt, RawEncrypt } from './lib/raw-gcm.js';
import { makeRecord, type BenchRecord } from './lib/record.js';
import { median, mibPerSec } from './lib/stats.js';
import { countingSink, poolSource, randomBuffer } from './lib/streams.js';

const MiB = 1024 * 1024;
/** plaintext size of the engine-vs-raw records */
const THROUGHPUT_BYTES = 256 * MiB;
/** plaintext size of the engine-vs-ESDK records (BENCH_ESDK_MIB=64 to shorten the run) */
const ESDK_BYTES = Number(process.env.BENCH_ESDK_MIB ?? 256) * MiB;
/** plaintext size streamed by each peak-RSS child */
const RSS_BYTES = 1024 * MiB;
/** size of each Buffer the source pushes */
const PIECE = MiB;
/** timed runs per side for the throughput records */
const RUNS = Number(process.env.BENCH_RUNS ?? 11);
/** untimed warm-up runs per side for the throughput records (JIT, heap sizing, malloc arenas) */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
/**
 * Plaintext each side of encrypt_vs_esdk streams untimed before timing starts (BENCH_ESDK_WARMUP_MIB).
 * ESDK-JS warms up slowly: its throughput climbs about 3x over its first ~400 MiB (BENCHMARKS.md), so
 * a warm-up counted in runs alone would leave it cold when BENCH_ESDK_MIB shortens the runs.
 */
const ESDK_WARMUP_BYTES = Number(process.env.BENCH_ESDK_WARMUP_MIB ?? 512) * MiB;
/** timed runs per side for peak RSS (each is a fresh 1 GiB child process, ~1-4 s); 9: the overhead is a small difference of two noisy peaks */
const RSS_RUNS = Number(process.env.BENCH_RSS_RUNS ?? 9);

/** Time one pipeline source → transform → discarding sink; returns MiB/s of `plainBytes`. */
async function timePipe(make: () => { source: NodeJS.ReadableStream; transform: Transform | NodeJS.ReadWriteStream }, plainBytes: number, expectOut?: number): Promise<number> {
  const { source, transform } = make();
  const sink = countingSink();
  const t0 = performance.now();
  await pipeline(source, transform, sink);
  const ms = performance.now() - t0;
  if (expectOut !== undefined && sink.bytes !== expectOut) throw new Error(`output ${sink.bytes} bytes, expected ${expectOut}`);
  return mibPerSec(plainBytes, ms);
}

async function collect(source: NodeJS.ReadableStream, transform: NodeJS.ReadWriteStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(source, transform, new Writable({ write(c: Buffer, _e, cb) { parts.push(c); cb(); } }));
  return Buffer.concat(parts);
}

/** The baselines must compute the same thing as the engine, or the comparison means nothing. */
async function selfCheck(pool: Buffer): Promise<void> {
  const dek = randomBytes(32);
  const keys = deriveSegmentKeys(dek, V1);
  const header = encodeBodyHeader(V1, keys.commitment);
  for (const n of [5, CHUNK_SIZE, 3 * MiB + 5]) {
    const engine = await collect(poolSource(pool, n, { pieceSize: PIECE }), new EncryptStream(dek));
    const raw = await collect(poolSource(pool, n, { pieceSize: PIECE }), new RawEncrypt(keys.contentKey, header, n));
    if (!engine.equals(raw)) throw new Error(`self-check: raw encryption differs from EncryptStream at ${n} bytes`);
    const viaRaw = await collect(poolSource(engine, engine.length, { pieceSize: PIECE }), new RawDecrypt(keys.contentKey, header, engine.length));
    const viaEngine = await collect(poolSource(engine, engine.length, { pieceSize: PIECE }), new DecryptStream(dek));
    if (!viaRaw.equals(pool.subarray(0, n)) || !viaEngine.equals(pool.subarray(0, n))) throw new Error(`self-check: decryption mismatch at ${n} bytes`);
  }
}

function progress(label: string) {
  return (side: 'candidate' | 'baseline', i: number, v: number): void => {
    console.log(`  ${label} ${side.padEnd(9)} #${i + 1}: ${v.toFixed(1)}`);
  };
}

async function engineVsRaw(pool: Buffer): Promise<BenchRecord[]> {
  const dek = randomBytes(32);
  const keys = deriveSegmentKeys(dek, V1);
  const header = encodeBodyHeader(V1, keys.commitment);
  const chunks = Math.ceil(THROUGHPUT_BYTES / CHUNK_SIZE);
  const bodyLength = BODY_HEADER_SIZE + THROUGHPUT_BYTES + chunks * TAG_SIZE;
  const src = () => poolSource(pool, THROUGHPUT_BYTES, { pieceSize: PIECE });

  console.log(`encrypt_vs_raw: ${THROUGHPUT_BYTES / MiB} MiB in ${PIECE / 1024} KiB pieces`);
  const enc = await alternate(
    () => timePipe(() => ({ source: src(), transform: new EncryptStream(dek) }), THROUGHPUT_BYTES, bodyLength),
    () => timePipe(() => ({ source: src(), transform: new RawEncrypt(keys.contentKey, header, THROUGHPUT_BYTES) }), THROUGHPUT_BYTES, bodyLength),
    { runs: RUNS, warmup: WARMUP, onRun: progress('encrypt') },
  );

  console.log('  (pre-encrypting the body for decrypt_vs_raw)');
  const body = await collect(src(), new EncryptStream(dek));
  if (body.length !== bodyLength) throw new Error('unexpected body length');
  const bsrc = () => poolSource(body, body.length, { pieceSize: PIECE });
  console.log(`decrypt_vs_raw: ${(body.length / MiB).toFixed(2)} MiB body in ${PIECE / 1024} KiB pieces`);
  const dec = await alternate(
    () => timePipe(() => ({ source: bsrc(), transform: new DecryptStream(dek) }), THROUGHPUT_BYTES, THROUGHPUT_BYTES),
    () => timePipe(() => ({ source: bsrc(), transform: new RawDecrypt(keys.contentKey, header, body.length) }), THROUGHPUT_BYTES, THROUGHPUT_BYTES),
    { runs: RUNS, warmup: WARMUP, onRun: progress('decrypt') },
  );

  return [
    makeRecord({
      name: 'encrypt_vs_raw',
      unit: 'MiB/s',
      baselineName: 'raw node:crypto aes-256-gcm per 64 KiB chunk',
      higherIsBetter: true,
      candidate: enc.candidate,
      baseline: enc.baseline,
      target: 'ratio >= 0.8',
      notes: `${THROUGHPUT_BYTES / MiB} MiB random plaintext, ${PIECE / MiB} MiB source pieces, output discarded; MiB/s of plaintext`,
    }),
    makeRecord({
      name: 'decrypt_vs_raw',
      unit: 'MiB/s',
      baselineName: 'raw node:crypto aes-256-gcm decipher per 64 KiB chunk',
      higherIsBetter: true,
      candidate: dec.candidate,
      baseline: dec.baseline,
      target: 'ratio >= 0.8',
      notes: `${THROUGHPUT_BYTES / MiB} MiB plaintext (body pre-encrypted in memory), ${PIECE / MiB} MiB source pieces of body, output discarded; MiB/s of plaintext`,
    }),
  ];
}

function esdkEncryptor(): () => NodeJS.ReadWriteStream {
  const { encryptStream } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new RawAesKeyringNode({
    keyName: 'bench-key',
    keyNamespace: 'bench',
    unencryptedMasterKey: randomBytes(32),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
  if (Number(suiteId) !== 0x0478) throw new Error('unexpected ESDK suite id');
  return () => encryptStream(keyring, { suiteId, frameLength: 65536 });
}

const ESDK_VERSION = (createRequire(import.meta.url)('@aws-crypto/client-node/package.json') as { version: string }).version;
const ESDK_BASELINE = `ESDK-JS ${ESDK_VERSION} encryptStream, suite 0x0478, 64 KiB frames, RawAesKeyringNode, warmed up`;

const fmt = (xs: readonly number[]): string => xs.map((x) => x.toFixed(0)).join(', ');

async function engineVsEsdk(pool: Buffer): Promise<BenchRecord[]> {
  const newEsdk = esdkEncryptor();
  const src = () => poolSource(pool, ESDK_BYTES, { pieceSize: PIECE });
  const esdk: Measure = () => timePipe(() => ({ source: src(), transform: newEsdk() }), ESDK_BYTES);

  // The same warm-up on both sides: alternate() runs it in candidate/baseline pairs, untimed.
  const warmup = Math.max(WARMUP, Math.ceil(ESDK_WARMUP_BYTES / ESDK_BYTES));
  console.log(`encrypt_vs_esdk: ${ESDK_BYTES / MiB} MiB, ESDK suite 0x0478, frameLength 65536, ${warmup} untimed warm-up runs per side (${(warmup * ESDK_BYTES) / MiB} MiB each)`);
  const engine: Measure = () => timePipe(() => ({ source: src(), transform: new EncryptStream(randomBytes(32)) }), ESDK_BYTES);
  const r = await alternate(engine, esdk, { runs: RUNS, warmup, onRun: progress('esdk') });
  console.log(`  warm-up MiB/s: engine ${fmt(r.warmup.candidate)}; ESDK ${fmt(r.warmup.baseline)}`);

  // The ceiling for the record above: node:crypto itself (one cipher per 64 KiB chunk, no framing)
  // against the same, by now long warmed-up, ESDK. The engine cannot beat this ratio by more than
  // noise, since both it and ESDK pay for every createCipheriv/update/final of node:crypto.
  console.log(`raw_vs_esdk: ${ESDK_BYTES / MiB} MiB (ceiling for encrypt_vs_esdk)`);
  const dek = randomBytes(32);
  const keys = deriveSegmentKeys(dek, V1);
  const header = encodeBodyHeader(V1, keys.commitment);
  const raw: Measure = () => timePipe(() => ({ source: src(), transform: new RawEncrypt(keys.contentKey, header, ESDK_BYTES) }), ESDK_BYTES);
  const c = await alternate(raw, esdk, { runs: RUNS, warmup: WARMUP, onRun: progress('ceiling') });

  const full = ESDK_BYTES === THROUGHPUT_BYTES;
  const suffix = full ? '' : `_${ESDK_BYTES / MiB}mib`;
  const size = `${ESDK_BYTES / MiB} MiB${full ? '' : ' (reduced by BENCH_ESDK_MIB)'} of random plaintext on both sides, ${PIECE / MiB} MiB source pieces, output discarded`;
  const warm = `${warmup} untimed warm-up runs per side before timing (${(warmup * ESDK_BYTES) / MiB} MiB each; ESDK warm-up MiB/s ${fmt(r.warmup.baseline)}, then timed median ${median(r.baseline).toFixed(0)})`;
  const engineRatio = median(r.candidate) / median(r.baseline);
  const ceilingRatio = median(c.candidate) / median(c.baseline);
  return [
    makeRecord({
      name: `encrypt_vs_esdk${suffix}`,
      unit: 'MiB/s',
      baselineName: ESDK_BASELINE,
      higherIsBetter: true,
      candidate: r.candidate,
      baseline: r.baseline,
      // Issue 6 item 23: >= 2 against a warmed-up ESDK. The former ">= 5" asked for twice raw
      // node:crypto's speed: a warmed ESDK runs at ~40 % of raw node:crypto (raw_vs_esdk ~2.5).
      target: 'ratio >= 2',
      notes: `${size}; ${warm}; each run includes per-message key setup on both sides (engine: fresh DEK + HKDF; ESDK: data key generation + raw AES wrap + header); target >= 2 because node:crypto itself is only ~2.5x a warmed ESDK: this run's ceiling raw_vs_esdk = ${ceilingRatio.toFixed(2)}, so the engine reached ${((100 * engineRatio) / ceilingRatio).toFixed(0)} % of it`,
    }),
    makeRecord({
      name: `raw_vs_esdk${suffix}`,
      unit: 'MiB/s',
      baselineName: ESDK_BASELINE,
      higherIsBetter: true,
      candidate: c.candidate,
      baseline: c.baseline,
      notes: `informational ceiling for encrypt_vs_esdk: the "raw" baseline of encrypt_vs_raw (node:crypto, one cipher per 64 KiB chunk, no framing) vs the same ESDK, measured right after encrypt_vs_esdk (ESDK already warm, plus ${WARMUP} warm-up runs per side); ${size}`,
    }),
  ];
}

const execFileP = promisify(execFile);
const childScript = fileURLToPath(new URL('./rss-child.js', import.meta.url));

let rssSource = 'VmHWM';

async function rssChild(mode: 'crypto' | 'bare'): Promise<number> {
  const { stdout } = await execFileP(process.execPath, [childScript, mode, String(RSS_BYTES)], { maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as { peakMiB: number; source: string; ms: number };
  rssSource = r.source;
  return r.peakMiB;
}

async function peakRss(): Promise<BenchRecord[]> {
  console.log(`peak_rss_mib, rss_overhead_mib: fresh child per run, ${RSS_BYTES / MiB} MiB generator -> encrypt -> decrypt -> sink vs generator -> sink`);
  const r = await alternate(() => rssChild('crypto'), () => rssChild('bare'), { runs: RSS_RUNS, onRun: progress('rss') });
  // Runs alternate crypto, bare, crypto, bare…: each pair ran back to back, so its difference is the
  // least disturbed by drifting machine state; the record is the median of those differences.
  const overhead = r.candidate.map((c, i) => c - r.baseline[i]!);
  const child = `a fresh node child streaming ${RSS_BYTES / MiB} MiB (64 KiB pieces, fresh Buffers) through EncryptStream then DecryptStream, pipelined`;
  const source = `peak RSS = ${rssSource} from /proc/self/status; process.resourceUsage().maxRSS is not used on Linux because it inherits the forking parent's RSS across exec`;
  return [
    makeRecord({
      name: 'peak_rss_mib',
      unit: 'MiB',
      baselineName: 'bare stream (generator -> sink, no crypto), fresh child',
      higherIsBetter: false,
      candidate: r.candidate,
      baseline: r.baseline,
      target: 'value <= 128',
      notes: `peak RSS of ${child}; ${source}`,
    }),
    makeRecord({
      name: 'rss_overhead_mib',
      unit: 'MiB',
      baselineName: 'peak RSS of the bare child: same node, same imports (engine modules loaded), same generator -> sink, no transforms',
      higherIsBetter: false,
      candidate: overhead,
      baseline: r.baseline,
      target: 'value <= 8',
      notes: `value = median over back-to-back pairs of (peak RSS of ${child}) minus (peak RSS of the bare child); ratio = that over the bare child's median peak. The bare child pipes the same source to the same sink with no transform at all (not two PassThroughs), so what the engine's transforms buffer and the garbage their output makes count as overhead, while Node's own footprint and the loaded modules cancel; ${source}`,
    }),
  ];
}

export async function run(): Promise<BenchRecord[]> {
  const t0 = performance.now();
  const pool = randomBuffer(THROUGHPUT_BYTES);
  await selfCheck(pool);
  console.log(`random plaintext ready, baselines self-checked (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const load0 = loadavg();
  const records = [...(await engineVsRaw(pool)), ...(await engineVsEsdk(pool)), ...(await peakRss())];
  const load1 = loadavg();
  const machine = `${cpus().length} cpus, node ${process.version}; load average (1 min) ${load0[0]!.toFixed(2)} at start, ${load1[0]!.toFixed(2)} at end`;
  for (const r of records) r.notes = r.notes ? `${r.notes}; ${machine}` : machine;
  return records;
}
