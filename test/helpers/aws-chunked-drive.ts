/**
 * Drives an AwsChunkedDecoder over input cut into pieces and reports how it ended: the decoded body
 * and trailers, or the error. The fuzz runner (`npm run fuzz`) and the unit/property tests use it:
 * any outcome other than success or a SealError (another exception, a hang) is a defect.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AwsChunkedDecoder, type AwsChunkedOptions } from '../../src/adapters/s3/aws-chunked-decoder.js';

export type DriveOutcome = { ok: true; body: Buffer; trailers: Map<string, string> } | { ok: false; error: unknown };

/** `input` cut at `splits` (byte offsets, any order; out-of-range ones ignored) */
export function cut(input: Buffer, splits: readonly number[]): Buffer[] {
  const at = [...new Set(splits.filter((s) => s > 0 && s < input.length))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const s of [...at, input.length]) {
    out.push(input.subarray(prev, s));
    prev = s;
  }
  return out.filter((b) => b.length > 0);
}

export async function driveAwsChunked(pieces: readonly Buffer[], opts: AwsChunkedOptions): Promise<DriveOutcome> {
  let decoder: AwsChunkedDecoder;
  try {
    decoder = new AwsChunkedDecoder(opts);
  } catch (error) {
    return { ok: false, error };
  }
  const out: Buffer[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      out.push(c);
      cb();
    },
  });
  try {
    await pipeline(Readable.from(pieces, { objectMode: false }), decoder, sink);
    return { ok: true, body: Buffer.concat(out), trailers: new Map(decoder.trailers) };
  } catch (error) {
    return { ok: false, error };
  }
}
