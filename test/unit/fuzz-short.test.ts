/**
 * The short pass of `npm run fuzz` that CI runs with every unit test (issue 7 "Hostile input"):
 * FUZZ_RUNS inputs (default 2,000) through each target; the full ≥ 100,000 run is `npm run fuzz`.
 */
import test from 'ava';
import { FUZZ_TARGETS } from '../fuzz/fuzz-targets.js';
import { runFuzzTarget } from '../fuzz/run-fuzz-target.js';

const runs = Number(process.env['FUZZ_RUNS'] ?? 2000);

for (const target of FUZZ_TARGETS) {
  test(`fuzz ${target.name}: ${runs} generated inputs, only typed errors, bounded time per input`, async (t) => {
    const r = await runFuzzTarget(target, runs);
    t.is(r.runs, runs);
    t.log(`${r.runs} inputs in ${r.ms.toFixed(0)} ms, slowest ${r.slowestInputMs.toFixed(2)} ms, seed ${r.seed}`);
  });
}
