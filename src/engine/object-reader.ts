import { Readable, type Transform } from 'node:stream';
import { BODY_HEADER_SIZE, PART_HEADER_SIZE } from '../crypto/constants.js';
import { encodeBodyHeader, parsePartHeader } from '../crypto/body-header.js';
import { verifyEnvelope, type Envelope } from '../crypto/envelope.js';
import { decodeLayout, expandLayout, layoutDigest, type Layout, type LayoutEntry } from '../crypto/layout.js';
import { deriveSegmentKeys } from '../crypto/segment-keys.js';
import { equalSecret, wipe } from '../crypto/kdf.js';
import { SealError } from '../errors.js';
import { DecryptStream } from './decrypt-stream.js';
import { MultipartDecryptStream, type PartPlan } from './multipart-decrypt-stream.js';
import { RangeDecryptStream } from './range-decrypt-stream.js';
import { checkPartHeader, partOffsets, readRawPartHeaders } from './part-headers.js';
import { chunkSpan, MAX_PART_PLAINTEXT, partCiphertextSize, singlePartPlaintextSize } from './size-math.js';
import { exactLength } from './exact-length.js';
import { chainStreams } from './chain-streams.js';
import type { VerifiedLayouts } from './verified-layout-cache.js';

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
  /** multipart: verified layouts of this object version (verified-layout-cache.ts); none = verify on every read */
  verifiedLayouts?: VerifiedLayouts;
  /** multipart: concurrent 64-byte part-header reads while verifying a layout (default 8) */
  headerReadConcurrency?: number;
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

/**
 * The plaintext parts of a multipart object as its committed layout states them (checked against
 * the stored size), in order; undefined for a single-part object. GetObjectAttributes' ObjectParts.
 */
export function plaintextPartsOf(env: Envelope, ciphertextSize: number): { partNumber: number; plaintextLength: number }[] | undefined {
  if (!env.uploadNonce) return undefined;
  return multipartGeometry(env, ciphertextSize).entries.map((e) => ({ partNumber: e.partNumber, plaintextLength: e.plaintextLength }));
}

export interface MultipartGeometry {
  layout: Layout;
  entries: LayoutEntry[];
  plaintextLength: number;
}

/** The committed layout, expanded per part, checked against the stored size (FORMAT.md §7.3). */
export function multipartGeometry(env: Envelope, ciphertextSize: number): MultipartGeometry {
  if (!env.layout) throw new SealError('MultipartIncomplete', 'multipart object has no committed layout (its upload was not completed by s3seal)');
  const layout = decodeLayout(env.layout, MAX_PART_PLAINTEXT);
  const entries = expandLayout(layout);
  const expected = entries.reduce((n, e) => n + partCiphertextSize(e.plaintextLength), 0);
  if (ciphertextSize < expected) throw new SealError('BodyTruncated', `multipart body is ${ciphertextSize} bytes, the layout needs ${expected}`);
  if (ciphertextSize > expected) throw new SealError('BodyTrailingData', `multipart body is ${ciphertextSize} bytes, the layout needs ${expected}`);
  return { layout, entries, plaintextLength: entries.reduce((n, e) => n + e.plaintextLength, 0) };
}

/**
 * Read every part header (64-byte reads, bounded concurrency) and check each against the layout
 * (number, length, commitment), then the digest over all of them; returns each position's salt.
 */
async function readVerifiedSalts(dek: Uint8Array, env: Envelope, layout: Layout, entries: LayoutEntry[], source: CiphertextSource, concurrency?: number): Promise<Buffer[]> {
  const raw = await readRawPartHeaders((r) => source.read(r), entries.map((e) => e.plaintextLength), concurrency);
  // position by position, every check of FORMAT.md §11 step 7: the first bad position decides the error
  const headers = raw.map((b, i) => {
    const h = parsePartHeader(b);
    wipe(checkPartHeader(dek, env.uploadNonce!, env, h, entries[i]!).contentKey);
    return h;
  });
  if (!equalSecret(layoutDigest(env.uploadNonce!, headers, env), layout.digest)) {
    throw new SealError('LayoutMismatch', 'parts differ from the committed layout (a part was substituted)');
  }
  return headers.map((h) => Buffer.from(h.salt));
}

/** pipe with error propagation: a failing source destroys the decryptor with the same error (chain-streams.ts) */
function chain(input: Readable, t: Transform): Transform {
  return chainStreams(input, t);
}

/** What a multipart read decrypts, and the one stored byte range (inclusive) it fetches; none = whole object. */
interface MultipartPlan<P> {
  parts: P[];
  read?: { start: number; end: number };
}

type UnsaltedPart = Omit<PartPlan, 'salt'>;

/**
 * Whole reads take every part whole. A range takes the parts from the first to the last that hold
 * range bytes (empty parts between them too: their bytes are in the fetched run), spans of chunks
 * at both ends; the first part's header is fetched only if its span starts at chunk 0, so any range
 * is one contiguous backend read. The plan depends on the layout's lengths only (no salt), so a
 * reader that knows the layout can ask for the read before it has verified anything.
 */
function planMultipart(entries: readonly LayoutEntry[], range?: PlainRange): MultipartPlan<UnsaltedPart> {
  if (!range) return { parts: entries.map((entry) => ({ entry, withHeader: true })) };
  const offsets = partOffsets(entries.map((e) => e.plaintextLength));
  const touched = entries.filter((e) => e.plaintextLength > 0 && e.plaintextOffset + e.plaintextLength - 1 >= range.start && e.plaintextOffset <= range.end);
  const first = touched[0]!.index;
  const last = touched[touched.length - 1]!.index;
  const parts = entries.slice(first, last + 1).map((entry): UnsaltedPart => {
    if (entry.index !== first && entry.index !== last) return { entry, withHeader: true };
    const partStart = entry.plaintextOffset;
    const partEnd = partStart + entry.plaintextLength - 1;
    const span = chunkSpan(Math.max(range.start, partStart) - partStart, Math.min(range.end, partEnd) - partStart, entry.plaintextLength, PART_HEADER_SIZE);
    return { entry, span, withHeader: span.firstChunk === 0 };
  });
  const head = parts[0]!;
  const tail = parts[parts.length - 1]!;
  return {
    parts,
    read: {
      start: offsets[first]! + (head.withHeader ? 0 : head.span!.cipherStart),
      end: offsets[last]! + (tail.span ? tail.span.cipherEnd : partCiphertextSize(tail.entry.plaintextLength) - 1),
    },
  };
}

/**
 * The one stored byte range (inclusive) a ranged read of a multipart object with these layout
 * entries fetches for its chunks — what openObject will ask its source for, once the headers are
 * verified. A reader that knows the layout (layout-hints.ts) asks the backend for it up front.
 */
export function multipartRangeRead(entries: readonly LayoutEntry[], range: PlainRange): { start: number; end: number } {
  return planMultipart(entries, range).read!;
}

/**
 * Open an object for reading. Preconditions are checked here, so no door can skip them: the
 * envelope MAC is verified under the DEK before anything is read, sizes must agree with the format,
 * a multipart object's part headers are all verified against its layout before any chunk, and only
 * the chunks covering a requested range are fetched (in one request). Every response must be
 * exactly as long as requested (exact-length.ts).
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
    let input: Readable;
    try {
      input = await source.read({ start: span.cipherStart, end: span.cipherEnd });
    } catch (err) {
      // the stream that would own (and wipe) the content key never exists
      wipe(keys.contentKey);
      throw err;
    }
    const bounded = exactLength(input, span.cipherEnd - span.cipherStart + 1, 'ranged read');
    return { plaintextLength, stream: chain(bounded, new RangeDecryptStream(keys.contentKey, aad, span, window)) };
  }
  const { layout, entries, plaintextLength } = multipartGeometry(env, source.size);
  if (range && (!(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end)) || range.start < 0 || range.end < range.start || range.end >= plaintextLength)) {
    throw new SealError('InvalidRange', `range ${range.start}-${range.end} not satisfiable for ${plaintextLength} bytes`);
  }
  // DESIGN.md "Multipart": no byte of an unverified part is released. The layout digest pins which
  // upload attempt of each part is committed and covers every part header, so every read — whole or
  // ranged — has all headers verified (or a verified layout from the cache) before any chunk.
  const verify = (): Promise<Buffer[]> => readVerifiedSalts(dek, env, layout, entries, source, opts.headerReadConcurrency);
  const salts = opts.verifiedLayouts ? await opts.verifiedLayouts.salts(layout.digest, verify) : await verify();
  const planned = planMultipart(entries, range);
  const plan = { ...planned, parts: planned.parts.map((p): PartPlan => ({ ...p, salt: salts[p.entry.index]! })) };
  const input = plan.read ? await source.read(plan.read) : await source.read();
  const bounded = exactLength(input, plan.read ? plan.read.end - plan.read.start + 1 : source.size, plan.read ? 'ranged read' : 'object read');
  return { plaintextLength, stream: chain(bounded, new MultipartDecryptStream(dek, env.uploadNonce, plan.parts, { id: env, releaseWindow: window })) };
}
