/**
 * `npm run fuzz`: ≥ 100,000 generated inputs through every target (issue 7 "Hostile input").
 * FUZZ_RUNS overrides the count per target, FUZZ_SEED replays a run, FUZZ_ONLY=<substring> picks
 * targets. Prints one line per target and the process's peak RSS; exit code 1 on any violation.
 */
import { resourceUsage } from 'node:process';
import { FUZZ_TARGETS, INPUT_TIME_BOUND_MS } from './fuzz-targets.js';
import { runFuzzTarget } from './run-fuzz-target.js';

const runs = Number(process.env['FUZZ_RUNS'] ?? 100_000);
const seedEnv = process.env['FUZZ_SEED'];
const only = process.env['FUZZ_ONLY'];
let failed = false;
const started = performance.now();
for (const target of FUZZ_TARGETS) {
  if (only !== undefined && !target.name.includes(only)) continue;
  try {
    const r = await runFuzzTarget(target, runs, seedEnv === undefined ? undefined : Number(seedEnv));
    process.stdout.write(`ok   ${r.name.padEnd(20)} ${r.runs} inputs in ${(r.ms / 1000).toFixed(1)} s, slowest input ${r.slowestInputMs.toFixed(2)} ms (bound ${INPUT_TIME_BOUND_MS}), seed ${r.seed}\n`);
  } catch (e) {
    failed = true;
    process.stdout.write(`FAIL ${target.name}\n${e instanceof Error ? e.message : String(e)}\n`);
  }
}
process.stdout.write(`total ${((performance.now() - started) / 1000).toFixed(1)} s, peak RSS ${(resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`);
process.exitCode = failed ? 1 : 0;
