import { pipeline, Readable, type Transform } from 'node:stream';
import { BODY_HEADER_SIZE, PART_HEADER_SIZE } from '../crypto/constants.js';
import { encodeBodyHeader } from '../crypto/body-header.js';
import { verifyEnvelope, type Envelope } from '../crypto/envelope.js';
import { decodeLayout, expandLayout, layoutDigest, type Layout, type LayoutEntry } from '../crypto/layout.js';
import { deriveSegmentKeys } from '../crypto/segment-keys.js';
import { equalSecret, wipe } from '../crypto/kdf.js';
import { SealError } from '../errors.js';
import { DecryptStream } from './decrypt-stream.js';
import { MultipartDecryptStream, type PartPlan } from './multipart-decrypt-stream.js';
import { RangeDecryptStream } from './range-decrypt-stream.js';
import { checkPartHeader, partOffsets, readPartHeaders } from './part-headers.js';
import { chunkSpan, MAX_PART_PLAINTEXT, partCiphertextSize, singlePartPlaintextSize } from './size-math.js';

/** Where ciphertext comes from: a backend GET, a file, a buffer. `range` is inclusive. */
export interface CiphertextSource {
  /** stored (ciphertext) size in bytes */
  readonly size: number;
  read(range?: { start: number; end: number }): Promise<Readable> | Readable;
}

/** An inclusive plaintext byte range, already resolved against the plaintext length. */
export interface PlainRange {
  start: number;
  end: number;
}

export interface OpenOptions {
  range?: PlainRange;
  /** see HeldOutput; default 1 MiB */
  releaseWindow?: number;
}

export interface OpenedObject {
  plaintextLength: number;
  stream: Readable;
}

/**
 * Plaintext length of an object from its envelope and stored size (FORMAT.md §6): a pure function
 * for single-part objects; the committed layout for multipart ones. No key is needed (HEAD uses it).
 */
export function plaintextLengthOf(env: Envelope, ciphertextSize: number): number {
  return env.uploadNonce ? multipartGeometry(env, ciphertextSize).plaintextLength : singlePartPlaintextSize(ciphertextSize);
}

interface MultipartGeometry {
  layout: Layout;
  entries: LayoutEntry[];
  plaintextLength: number;
}

/** The committed layout, expanded per part, checked against the stored size (FORMAT.md §7.3). */
function multipartGeometry(env: Envelope, ciphertextSize: number): MultipartGeometry {
  if (!env.layout) throw new SealError('MultipartIncomplete', 'multipart object has no committed layout (its upload was not completed by s3seal)');
  const layout = decodeLayout(env.layout, MAX_PART_PLAINTEXT);
  const entries = expandLayout(layout);
  const expected = entries.reduce((n, e) => n + partCiphertextSize(e.plaintextLength), 0);
  if (ciphertextSize < expected) throw new SealError('BodyTruncated', `multipart body is ${ciphertextSize} bytes, the layout needs ${expected}`);
  if (ciphertextSize > expected) throw new SealError('BodyTrailingData', `multipart body is ${ciphertextSize} bytes, the layout needs ${expected}`);
  return { layout, entries, plaintextLength: entries.reduce((n, e) => n + e.plaintextLength, 0) };
}

/** Read and check every part header against the layout (number, length, commitment, digest). */
async function verifiedPartSalts(dek: Uint8Array, env: Envelope, layout: Layout, entries: LayoutEntry[], source: CiphertextSource): Promise<Buffer[]> {
  const headers = await readPartHeaders((r) => source.read(r), entries.map((e) => e.plaintextLength));
  for (const [i, h] of headers.entries()) wipe(checkPartHeader(dek, env.uploadNonce!, env, h, entries[i]!).contentKey);
  if (!equalSecret(layoutDigest(env.uploadNonce!, headers, env), layout.digest)) {
    throw new SealError('LayoutMismatch', 'parts differ from the committed layout (a part was substituted)');
  }
  return headers.map((h) => Buffer.from(h.salt));
}

/** pipe with error propagation: a failing source destroys the decryptor with the same error */
function chain(input: Readable, t: Transform): Transform {
  pipeline(input, t, () => undefined);
  return t;
}

async function concat(parts: (() => Promise<Readable> | Readable)[]): Promise<Readable> {
  return Readable.from(
    (async function* () {
      for (const open of parts) yield* await open();
    })(),
    { objectMode: false },
  );
}

/**
 * Open an object for reading. Preconditions are checked here, so no door can skip them: the
 * envelope MAC is verified under the DEK before anything is read, sizes must agree with the format,
 * and only the chunks covering a requested range are fetched.
 */
export async function openObject(dek: Uint8Array, env: Envelope, source: CiphertextSource, opts: OpenOptions = {}): Promise<OpenedObject> {
  verifyEnvelope(env, dek);
  const window = opts.releaseWindow;
  const range = opts.range;
  if (!env.uploadNonce) {
    const plaintextLength = singlePartPlaintextSize(source.size);
    if (!range) {
      const input = await source.read();
      // the body must be exactly the size the plaintext length was computed from (no cut, no extra)
      return { plaintextLength, stream: chain(input, new DecryptStream(dek, { id: env, releaseWindow: window, ciphertextLength: source.size })) };
    }
    const span = chunkSpan(range.start, range.end, plaintextLength, BODY_HEADER_SIZE);
    const keys = deriveSegmentKeys(dek, env);
    const aad = encodeBodyHeader(env, keys.commitment);
    wipe(keys.commitment);
    const input = await source.read({ start: span.cipherStart, end: span.cipherEnd });
    return { plaintextLength, stream: chain(input, new RangeDecryptStream(keys.contentKey, aad, span, window)) };
  }
  const { layout, entries, plaintextLength } = multipartGeometry(env, source.size);
  if (!range) {
    const input = await source.read();
    const whole = entries.map((entry) => ({ entry }));
    return { plaintextLength, stream: chain(input, new MultipartDecryptStream(dek, env.uploadNonce, layout, whole, true, { id: env, releaseWindow: window })) };
  }
  if (range.start < 0 || range.end < range.start || range.end >= plaintextLength) {
    throw new SealError('InvalidRange', `range ${range.start}-${range.end} not satisfiable for ${plaintextLength} bytes`);
  }
  // The layout digest pins which attempt of each part is committed; it covers every part header, so a
  // ranged read fetches all headers (64 bytes each, bounded concurrency) and checks it before any chunk.
  const salts = await verifiedPartSalts(dek, env, layout, entries, source);
  const plan: PartPlan[] = [];
  const reads: (() => Promise<Readable> | Readable)[] = [];
  const offsets = partOffsets(entries.map((e) => e.plaintextLength));
  for (const e of entries) {
    const partStart = e.plaintextOffset;
    const partEnd = e.plaintextOffset + e.plaintextLength - 1;
    if (e.plaintextLength > 0 && partEnd >= range.start && partStart <= range.end) {
      const span = chunkSpan(Math.max(range.start, partStart) - partStart, Math.min(range.end, partEnd) - partStart, e.plaintextLength, PART_HEADER_SIZE);
      plan.push({ entry: e, span, verifiedSalt: salts[e.index]! });
      const base = offsets[e.index]!;
      if (span.cipherStart === PART_HEADER_SIZE) {
        reads.push(() => source.read({ start: base, end: base + span.cipherEnd }));
      } else {
        reads.push(() => source.read({ start: base, end: base + PART_HEADER_SIZE - 1 }));
        reads.push(() => source.read({ start: base + span.cipherStart, end: base + span.cipherEnd }));
      }
    }
  }
  const input = await concat(reads);
  return { plaintextLength, stream: chain(input, new MultipartDecryptStream(dek, env.uploadNonce, layout, plan, false, { id: env, releaseWindow: window })) };
}
