import { unhex } from './vector-model.js';

/**
 * Applies a tampered variant's `changes` to a vector (docs/FORMAT.md §12): plain values replace the
 * field; an edit object {concat: [[field, start, end), …], flip?: [offsets]} builds new hex bytes
 * from ranges of the original vector's hex fields, then flips bit 0 of the listed bytes.
 */
export function applyChanges(v: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const out = { ...v };
  for (const [field, value] of Object.entries(changes)) {
    if (value !== null && typeof value === 'object' && 'concat' in value) {
      const edit = value as { concat: [string, number, number][]; flip?: number[] };
      const bytes = Buffer.concat(edit.concat.map(([f, a, z]) => unhex(String(v[f])).subarray(a, z)));
      for (const off of edit.flip ?? []) bytes[off] = bytes[off]! ^ 0x01;
      out[field] = bytes.toString('hex');
    } else {
      out[field] = value;
    }
  }
  return out;
}
