import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { median } from './stats.js';

/** One line of bench/results/<name>.json (DESIGN.md "Benchmarks"). */
export interface BenchRecord {
  name: string;
  unit: string;
  value: number;
  baseline_name: string;
  baseline_value: number;
  ratio: number;
  higher_is_better: boolean;
  runs: number;
  date: string;
  /** optional free text (sizes, caveats); not part of the required schema */
  notes?: string;
  /** optional target the ratio is checked against, e.g. ">= 0.80" */
  target?: string;
  /** optional raw samples, candidate and baseline, in run order */
  samples?: { value: number[]; baseline: number[] };
}

export interface RecordInput {
  name: string;
  unit: string;
  baselineName: string;
  higherIsBetter: boolean;
  candidate: number[];
  baseline: number[];
  notes?: string;
  target?: string;
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

/** Builds a record from the two samples: value and baseline_value are medians, ratio = value / baseline. */
export function makeRecord(r: RecordInput): BenchRecord {
  if (r.candidate.length !== r.baseline.length) throw new Error(`${r.name}: unequal sample sizes`);
  const value = median(r.candidate);
  const baselineValue = median(r.baseline);
  const rec: BenchRecord = {
    name: r.name,
    unit: r.unit,
    value: round(value, 2),
    baseline_name: r.baselineName,
    baseline_value: round(baselineValue, 2),
    // significant digits, not decimals: a ratio like 1 / 10000 must not round to 0
    ratio: Number((value / baselineValue).toPrecision(4)),
    higher_is_better: r.higherIsBetter,
    runs: r.candidate.length,
    date: new Date().toISOString(),
  };
  if (r.target !== undefined) rec.target = r.target;
  if (r.notes !== undefined) rec.notes = r.notes;
  rec.samples = { value: r.candidate.map((x) => round(x, 2)), baseline: r.baseline.map((x) => round(x, 2)) };
  return rec;
}

/** "ratio >= 0.8" / "ratio <= 2" style target check; undefined when the record has no target. */
export function meetsTarget(rec: BenchRecord): boolean | undefined {
  if (!rec.target) return undefined;
  const m = /^\s*(value|ratio)\s*(>=|<=)\s*([0-9.]+)\s*$/.exec(rec.target);
  if (!m) return undefined;
  const x = m[1] === 'value' ? rec.value : rec.ratio;
  const t = Number(m[3]);
  return m[2] === '>=' ? x >= t : x <= t;
}

export function writeRecords(file: string, records: readonly BenchRecord[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(records, null, 2) + '\n');
}

/** A fixed-width text table (also valid Markdown). */
export function formatTable(records: readonly BenchRecord[]): string {
  const head = ['name', 'value', 'unit', 'baseline', 'baseline value', 'ratio', 'better', 'target', 'ok', 'runs'];
  const rows = records.map((r) => {
    const ok = meetsTarget(r);
    return [
      r.name,
      r.value.toFixed(2),
      r.unit,
      r.baseline_name,
      r.baseline_value.toFixed(2),
      r.ratio.toFixed(3),
      r.higher_is_better ? 'higher' : 'lower',
      r.target ?? '',
      ok === undefined ? '' : ok ? 'yes' : 'NO',
      String(r.runs),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}
