import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One measurement: returns the metric value (e.g. MiB/s, MiB). */
export type Measure = () => Promise<number>;

export interface AlternateOptions {
  /** timed runs per side (>= 5) */
  runs?: number;
  /** untimed runs per side before the timed ones */
  warmup?: number;
  /** called after each timed run, for progress output */
  onRun?: (side: 'candidate' | 'baseline', i: number, value: number) => void;
}

export interface AlternateResult {
  candidate: number[];
  baseline: number[];
  /** the untimed warm-up values, in order: they show whether a side was still warming up */
  warmup: { candidate: number[]; baseline: number[] };
}

let gcFn: (() => void) | undefined;
/** A full GC between runs, so one run's garbage is not collected on the next run's clock. */
export function collectGarbage(): void {
  if (!gcFn) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (g) gcFn = g;
    else {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    }
  }
  gcFn();
}

/**
 * Runs candidate and baseline alternately (warm-up pairs first, untimed), so drift in machine state
 * (thermal, page cache, other load) affects both sides alike. Both samples come from the same process
 * and the same run of the benchmark.
 */
export async function alternate(candidate: Measure, baseline: Measure, opts: AlternateOptions = {}): Promise<AlternateResult> {
  const runs = opts.runs ?? 5;
  const warmup = opts.warmup ?? 1;
  if (runs < 5) throw new Error('at least 5 timed runs per side');
  const out: AlternateResult = { candidate: [], baseline: [], warmup: { candidate: [], baseline: [] } };
  for (let i = 0; i < warmup; i++) {
    collectGarbage();
    out.warmup.candidate.push(await candidate());
    collectGarbage();
    out.warmup.baseline.push(await baseline());
  }
  for (let i = 0; i < runs; i++) {
    collectGarbage();
    const c = await candidate();
    out.candidate.push(c);
    opts.onRun?.('candidate', i, c);
    collectGarbage();
    const b = await baseline();
    out.baseline.push(b);
    opts.onRun?.('baseline', i, b);
  }
  return out;
}
