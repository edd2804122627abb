/**
 * Fixtures for engine-level tests: seal objects in memory (single-part and multipart, through the
 * engine's own writer API), read them back through openObject from an in-memory source that records
 * every byte range requested, and collect everything the output stream emitted before an error.
 */
import { randomBytes } from 'node:crypto';
import { Readable, type Transform } from 'node:stream';
import { canonicalContext } from '../../src/crypto/encryption-context.js';
import { decodeEnvelope, type Envelope } from '../../src/crypto/envelope.js';
import type { PartRecord } from '../../src/crypto/layout.js';
import { ssecWrap } from '../../src/crypto/ssec-wrap.js';
import { completeMultipart, encryptPart, sealSinglePart, startMultipart, type WrapFields } from '../../src/engine/object-writer.js';
import { openObject, type CiphertextSource, type OpenOptions } from '../../src/engine/object-reader.js';
import { isSealError, type SealErrorCode } from '../../src/errors.js';

export const KMS_KEY_ARN = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const OBJECT = { bucket: 'tamper-bucket', key: 'dir/object.bin' };

/** Deterministic PRNG (mulberry32) so random offsets are reproducible from a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededBytes(n: number, seed: number): Buffer {
  const r = prng(seed);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** SSE-KMS envelope fields with an encryption context; the engine never unwraps wrappedKey. */
export function kmsFields(opts: { bucketKey?: boolean } = {}): WrapFields {
  return {
    mode: 'SSE-KMS',
    keyRef: KMS_KEY_ARN,
    wrappedKey: randomBytes(60),
    ...(opts.bucketKey ? { bucketKey: randomBytes(184) } : {}),
    context: canonicalContext({ department: 'finance', project: 'tamper-matrix' }),
  };
}

/** SSE-C envelope fields: salt, check value and wrapped DEK made by ssec-wrap.ts under customer key k. */
export function ssecFields(k: Uint8Array, dek: Uint8Array, o = OBJECT): WrapFields {
  const w = ssecWrap(k, dek, o);
  return { mode: 'SSE-C', wrappedKey: w.wrappedKey, ssecSalt: w.salt, ssecCheck: w.check };
}

/** Feed `input` through a transform and collect its whole output. */
export async function runTransform(t: Transform, input: Buffer, piece?: number): Promise<Buffer> {
  const out: Buffer[] = [];
  const done = (async () => {
    for await (const c of t) out.push(c as Buffer);
  })();
  if (piece !== undefined && piece > 0) {
    for (let o = 0; o < input.length; o += piece) t.write(input.subarray(o, o + piece));
    t.end();
  } else {
    t.end(input);
  }
  await done;
  return Buffer.concat(out);
}

export interface SealedSingle {
  envelope: string;
  body: Buffer;
}

export async function sealSingle(dek: Uint8Array, fields: WrapFields, plaintext: Buffer, piece?: number): Promise<SealedSingle> {
  const { envelope, stream } = sealSinglePart(dek, fields);
  return { envelope, body: await runTransform(stream, plaintext, piece) };
}

export interface SealedMultipart {
  envelope: string;
  tokenEnvelope: Buffer;
  uploadNonce: Buffer;
  records: PartRecord[];
  partBodies: Buffer[];
  body: Buffer;
}

/** CreateMultipartUpload → UploadPart (numbers 1..n) → Complete, through the engine's writer API. */
export async function sealMultipart(dek: Uint8Array, fields: WrapFields, parts: Buffer[], piece?: number): Promise<SealedMultipart> {
  const { uploadNonce, envelope: tokenEnvelope } = startMultipart(dek, fields);
  const records: PartRecord[] = [];
  const partBodies: Buffer[] = [];
  for (let i = 0; i < parts.length; i++) {
    const s = encryptPart(dek, tokenEnvelope, i + 1, parts[i]!.length);
    partBodies.push(await runTransform(s, parts[i]!, piece));
    records.push(s.record);
  }
  const envelope = completeMultipart(dek, tokenEnvelope, records);
  return { envelope, tokenEnvelope, uploadNonce, records, partBodies, body: Buffer.concat(partBodies) };
}

export type Range = { start: number; end: number };

/**
 * A backend object in memory. Records each read request (undefined = whole object) and delivers
 * data in pieces that do not line up with chunk boundaries, as a network stream would.
 */
export class MemorySource implements CiphertextSource {
  readonly requests: (Range | undefined)[] = [];
  constructor(
    readonly data: Buffer,
    private readonly piece = 7919,
  ) {}

  get size(): number {
    return this.data.length;
  }

  read(range?: Range): Readable {
    this.requests.push(range ? { ...range } : undefined);
    if (range && (range.start < 0 || range.end < range.start || range.end >= this.data.length)) {
      throw new Error(`MemorySource: unsatisfiable range ${range.start}-${range.end} of ${this.data.length}`);
    }
    const slice = range ? this.data.subarray(range.start, range.end + 1) : this.data;
    const pieces: Buffer[] = [];
    for (let o = 0; o < slice.length; o += this.piece) pieces.push(Buffer.from(slice.subarray(o, o + this.piece)));
    return Readable.from(pieces);
  }
}

export interface ReadOutcome {
  /**
   * every plaintext byte the decryptor released into its readable side (recorded at push, so bytes
   * a consumer might not get to read before the error are counted too)
   */
  emitted: Buffer;
  /** what a consumer reading the stream received */
  received: Buffer;
  error: unknown;
  source: MemorySource;
}

/** Decode the envelope (as a reader does, from user metadata), open the object and drain the stream. */
export async function readObject(dek: Uint8Array, envelope: string | Envelope, body: Buffer, opts: OpenOptions = {}, piece?: number): Promise<ReadOutcome> {
  const source = new MemorySource(body, piece);
  const pushed: Buffer[] = [];
  const received: Buffer[] = [];
  const outcome = (error: unknown): ReadOutcome => ({ emitted: Buffer.concat(pushed), received: Buffer.concat(received), error, source });
  try {
    const env = typeof envelope === 'string' ? decodeEnvelope(envelope) : envelope;
    const opened = await openObject(dek, env, source, opts);
    const stream = opened.stream;
    const push = stream.push.bind(stream);
    stream.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
      if (chunk !== null && chunk !== undefined) pushed.push(Buffer.from(chunk as Buffer));
      return push(chunk, encoding);
    };
    for await (const c of stream) received.push(Buffer.from(c as Buffer));
    return outcome(undefined);
  } catch (error) {
    return outcome(error);
  }
}

export function describe(err: unknown): string {
  if (err === undefined) return 'no error';
  if (isSealError(err)) return `SealError(${err.code})`;
  return `${(err as Error)?.name ?? typeof err}: ${(err as Error)?.message ?? JSON.stringify(err)}`;
}

/**
 * Checks the two properties a reader relies on for a tampered object: it fails with the expected
 * SealError code, and not one plaintext byte was released before the failure. Returns a problem
 * description, or undefined when both hold.
 */
export function tamperProblem(o: ReadOutcome, code: SealErrorCode | readonly SealErrorCode[]): string | undefined {
  const codes = typeof code === 'string' ? [code] : code;
  const problems: string[] = [];
  if (!codes.some((c) => isSealError(o.error, c))) problems.push(`expected ${codes.join('|')}, got ${describe(o.error)}`);
  if (o.emitted.length !== 0 || o.received.length !== 0) problems.push(`${o.emitted.length} plaintext bytes released (${o.received.length} received)`);
  return problems.length ? problems.join('; ') : undefined;
}

export function flip(b: Buffer, offset: number, mask = 0x01): Buffer {
  const c = Buffer.from(b);
  c[offset] = c[offset]! ^ mask;
  return c;
}
