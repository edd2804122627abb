/**
 * Child process for the peak-RSS records: `node dist/bench/rss-child.js <crypto|bare> <bytes>`.
 * Streams <bytes> of generated plaintext (64 KiB pieces copied out of a 1 MiB random pool, as a
 * socket or file would deliver them) either generator → EncryptStream → DecryptStream → sink
 * ('crypto') or generator → sink ('bare'), pipelined, never holding the whole body. Prints one JSON
 * line: {"mode","bytes","ms","peakMiB","source","maxRssMiB"}. Run it in a fresh process: maxRSS is per-process.
 * Both modes load the same modules (the static imports below) and use the same source and sink, so
 * 'crypto' minus 'bare' (rss_overhead_mib) is what the two transforms and their work add, nothing else.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import { EncryptStream } from '../src/engine/encrypt-stream.js';
import { DecryptStream } from '../src/engine/decrypt-stream.js';
import { countingSink, poolSource, randomBuffer } from './lib/streams.js';

function vmHwmKiB(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const total = Number(process.argv[3] ?? 1024 * 1024 * 1024);
  if ((mode !== 'crypto' && mode !== 'bare') || !Number.isSafeInteger(total) || total <= 0) {
    console.error('usage: rss-child.js <crypto|bare> <bytes>');
    process.exit(2);
  }
  const pool = randomBuffer(1024 * 1024);
  const source = poolSource(pool, total, { pieceSize: 64 * 1024, mode: 'copy' });
  const sink = countingSink();
  const t0 = performance.now();
  if (mode === 'crypto') {
    const dek = randomBytes(32);
    await pipeline(source, new EncryptStream(dek), new DecryptStream(dek), sink);
  } else {
    await pipeline(source, sink);
  }
  const ms = performance.now() - t0;
  if (sink.bytes !== total) throw new Error(`sink saw ${sink.bytes} bytes, expected ${total}`);
  // maxRSS (getrusage ru_maxrss) is in KiB. On Linux it is not reset by exec: a child forked from a
  // parent with a large RSS reports at least the parent's RSS at fork time. VmHWM (the high-water
  // mark of this process's own address space) is, so it is preferred where /proc exists.
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  const hwm = vmHwmKiB();
  const peakMiB = hwm !== undefined ? hwm / 1024 : maxRssMiB;
  process.stdout.write(JSON.stringify({ mode, bytes: total, ms, peakMiB, source: hwm !== undefined ? 'VmHWM' : 'maxRSS', maxRssMiB }) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
