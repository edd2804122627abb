/**
 * Benchmark dispatcher: `node dist/bench/run.js <name>` (or `npm run bench -- <name>`) runs the
 * `run()` exported by bench/<name>.ts, prints its records as a table and writes them to
 * bench/results/<name>.json (DESIGN.md "Benchmarks").
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { formatTable, meetsTarget, writeRecords, type BenchRecord } from './lib/record.js';

export interface BenchModule {
  run(): Promise<BenchRecord[]>;
}

/** files in dist/bench that are not benchmarks */
const NOT_BENCHMARKS = new Set(['run', 'rss-child']);

const here = fileURLToPath(new URL('.', import.meta.url));
const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));

function available(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .filter((n) => !NOT_BENCHMARKS.has(n));
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9-]+$/.test(name) || NOT_BENCHMARKS.has(name) || !existsSync(`${here}${name}.js`)) {
    console.error(`usage: npm run bench -- <name>   (available: ${available().join(', ') || 'none'})`);
    process.exit(2);
  }
  const mod = (await import(`./${name}.js`)) as Partial<BenchModule>;
  if (typeof mod.run !== 'function') throw new Error(`bench/${name}.ts exports no run()`);
  console.log(`bench ${name}: node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model ?? '?'}), ${new Date().toISOString()}`);
  const t0 = Date.now();
  const records = await mod.run();
  const file = `${resultsDir}${name}.json`;
  writeRecords(file, records);
  console.log('\n' + formatTable(records));
  console.log(`\n${records.length} records written to bench/results/${name}.json in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const missed = records.filter((r) => meetsTarget(r) === false);
  if (missed.length > 0) console.log(`target missed: ${missed.map((r) => `${r.name} (${r.target}, got ratio ${r.ratio}, value ${r.value})`).join('; ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
