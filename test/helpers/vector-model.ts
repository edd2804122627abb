/**
 * Shared shape of the JSON test vectors (docs/FORMAT.md §12) and the deterministic inputs they use.
 * The generator (scripts/gen-vectors.ts) writes them; test/unit/vectors.test.ts checks the engine
 * against them byte for byte.
 */
import { createHash } from 'node:crypto';

/** Deterministic bytes for vector inputs: SHA-256 counter stream over a label. */
export function detBytes(label: string, n: number): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  let len = 0;
  while (len < n) {
    const b = createHash('sha256').update(`s3seal test vector\0${label}\0${i++}`).digest();
    out.push(b);
    len += b.length;
  }
  return Buffer.concat(out).subarray(0, n);
}

export interface Tampered {
  name: string;
  changes: Record<string, unknown>;
  error: string;
}

export interface VectorFile {
  description: string;
  vectors: Record<string, unknown>[];
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Buffer => Buffer.from(s, 'hex');
