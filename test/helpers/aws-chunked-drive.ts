/**
 * Drives an AwsChunkedDecoder over input cut into pieces and reports how it ended: the decoded body
 * and trailers, or the error. The fuzz runner (`npm run fuzz`) and the unit/property tests use it:
 * any outcome other than success or a SealError (another exception, a hang) is a defect.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AwsChunkedDecoder, type AwsChunkedOptions } from '../../src/adapters/s3/aws-chunked-decoder.js';
import { SealError } from '../../src/errors.js';

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

const BODY_CODES = ['InvalidChunkEncoding', 'IncompleteBody', 'MalformedTrailer', 'SignatureDoesNotMatch'] as const;

/**
 * A fuzz target for the decoder (`npm run fuzz`): the first 4 bytes of `input` choose the options
 * (byte 0: trailer announced or not; bytes 1–2: x-amz-decoded-content-length, big-endian; byte 3: how
 * many pieces the rest is cut into), the rest is the body. Unsigned variant only: a fuzzer cannot
 * produce valid chunk signatures, and the signed paths share the framing code (the property test
 * covers them with real signatures). Resolves when the outcome is a success of exactly the declared
 * length or a SealError with a body code; throws (a finding) otherwise.
 */
export async function awsChunkedFuzzTarget(input: Uint8Array): Promise<void> {
  const b = Buffer.from(input);
  const trailer = (b[0] ?? 0) & 1;
  const decodedLength = b.length >= 3 ? b.readUInt16BE(1) : 0;
  const pieces = b[3] ?? 0;
  const body = b.subarray(4);
  const splits = Array.from({ length: pieces % 16 }, (_, i) => Math.floor(((i + 1) * body.length) / ((pieces % 16) + 1)) + (pieces >> 4));
  const o = await driveAwsChunked(cut(body, splits), {
    variant: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    decodedLength,
    trailerNames: trailer ? ['x-amz-checksum-crc32'] : [],
  });
  if (o.ok) {
    if (o.body.length !== decodedLength) throw new Error(`decoded ${o.body.length} bytes, declared ${decodedLength}`);
    return;
  }
  const e = o.error;
  if (e instanceof SealError && (BODY_CODES as readonly string[]).includes(e.code)) return;
  throw e instanceof Error ? e : new Error(String(e));
}
