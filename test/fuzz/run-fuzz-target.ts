import fc from 'fast-check';
import type { FuzzTarget } from './fuzz-targets.js';

export interface FuzzResult {
  name: string;
  runs: number;
  ms: number;
  slowestInputMs: number;
  seed: number;
}

/**
 * Drive `runs` generated inputs through one target; throws fast-check's report (seed, path and the
 * shrunk counterexample) on the first contract violation, so a failure is reproducible with
 * FUZZ_SEED=<seed>.
 */
export async function runFuzzTarget(target: FuzzTarget, runs: number, seed: number = Date.now() ^ (Math.random() * 0x7fffffff)): Promise<FuzzResult> {
  target.stats.inputs = 0;
  target.stats.slowestMs = 0;
  const started = performance.now();
  // an async target (the engine over a lying backend) returns a promise; a synchronous one undefined
  await fc.assert(target.property, { numRuns: runs, seed, endOnFailure: false });
  return { name: target.name, runs: target.stats.inputs, ms: performance.now() - started, slowestInputMs: target.stats.slowestMs, seed };
}
