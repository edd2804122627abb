/**
 * The backend's answer to a single-request ranged read, as hostile input (issue 7 "Hostile input":
 * backend responses of the wrong length): SealedObjects reads a range of a sealed single-part object
 * over an in-memory backend that lies in its answer — another Content-Range than asked, another
 * total (object size), a body shorter or longer than the range it claims, bytes of elsewhere in
 * the object, or noise. The contract: the read yields exactly the plaintext bytes of the range, or
 * fails with a typed s3seal error (from get or from the stream) — never other bytes, never a crash.
 */
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { S3Client } from '@aws-sdk/client-s3';
import type { OpenRequest, OpenedStoredObject } from '../../src/backends/object-store.js';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { CHUNK_SIZE } from '../../src/crypto/constants.js';
import type { KeyResolver } from '../../src/engine/key-resolver.js';
import { resolveRangeRequest, type RangeRequest } from '../../src/engine/resolve-range-request.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { S3SealError } from '../../src/errors.js';
import { kmsFields, sealSingle, seededBytes } from '../helpers/engine-fixtures.js';
import { MemoryStore } from '../helpers/memory-store.js';

/** How the backend's answer to the one ranged GET differs from the truth (all zero: honest). */
export interface Lie {
  startShift: number;
  endShift: number;
  totalShift: number;
  /** bytes cut from (negative) or added to (positive) the end of the body */
  lengthShift: number;
  /** the body comes from this many bytes further into the object (0: the claimed range's own bytes) */
  bodyShift: number;
  noise: boolean;
}

const OBJECT = { bucket: 'fuzz', key: 'ranged' };
const dek = randomBytes(32);
const keys: KeyResolver = { generate: () => Promise.reject(new Error('read-only')), recover: () => Promise.resolve(Buffer.from(dek)) };

/** a few single-part objects: empty, one short chunk, exactly one chunk, and several chunks */
const objects = await Promise.all(
  [0, 1, 100, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17].map(async (n, i) => {
    const plain = seededBytes(n, 7 + i);
    const s = await sealSingle(dek, kmsFields(), plain);
    return { plain, body: s.body, envelope: s.envelope };
  }),
);

class LyingStore extends MemoryStore {
  constructor(private readonly lie: Lie) {
    super();
  }

  override async open(bucket: string, key: string, req: OpenRequest = {}): Promise<OpenedStoredObject> {
    const honest = await super.open(bucket, key, req);
    if (honest.range === undefined || honest.body === undefined) return honest;
    honest.body.destroy();
    const full = await buffer(await this.get(bucket, key));
    const l = this.lie;
    const start = Math.max(0, honest.range.start + l.startShift);
    const end = Math.max(start, honest.range.end + l.endShift);
    const from = Math.max(0, start + l.bodyShift);
    let bytes = Buffer.from(full.subarray(from, from + (end - start + 1)));
    if (l.lengthShift < 0) bytes = bytes.subarray(0, Math.max(0, bytes.length + l.lengthShift));
    else if (l.lengthShift > 0) bytes = Buffer.concat([bytes, Buffer.alloc(l.lengthShift, 0x41)]);
    if (l.noise) bytes = randomBytes(bytes.length);
    return { info: { ...honest.info, size: Math.max(0, honest.info.size + l.totalShift) }, body: Readable.from(bytes.length > 0 ? [bytes] : []), range: { start, end } };
  }
}

const shift = fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: -40, max: 40 }), weight: 2 }, { arbitrary: fc.integer({ min: -70_000, max: 70_000 }), weight: 1 });
const lie: fc.Arbitrary<Lie> = fc.record({ startShift: shift, endShift: shift, totalShift: shift, lengthShift: shift, bodyShift: shift, noise: fc.boolean() });
const rangeRequest: fc.Arbitrary<RangeRequest> = fc.oneof(
  fc.record({ first: fc.nat(4 * CHUNK_SIZE), last: fc.option(fc.nat(4 * CHUNK_SIZE), { nil: undefined }) }).map(({ first, last }) => (last === undefined ? { kind: 'from' as const, first } : { kind: 'from' as const, first: Math.min(first, last), last: Math.max(first, last) })),
  fc.record({ length: fc.nat(4 * CHUNK_SIZE) }).map(({ length }) => ({ kind: 'suffix' as const, length })),
);

export const rangedReadInput = fc.record({ object: fc.nat(objects.length - 1), range: rangeRequest, lie });

const honest = (l: Lie): boolean => !l.noise && l.startShift === 0 && l.endShift === 0 && l.totalShift === 0 && l.lengthShift === 0 && l.bodyShift === 0;

function satisfiable(r: RangeRequest, length: number): boolean {
  try {
    resolveRangeRequest(r, length);
    return true;
  } catch {
    return false;
  }
}

/** one input: throws only on a contract violation */
export async function rangedReadCase(input: { object: number; range: RangeRequest; lie: Lie }): Promise<void> {
  const { plain, body, envelope } = objects[input.object]!;
  const store = new LyingStore(input.lie);
  store.set(OBJECT.bucket, OBJECT.key, body, { s3seal: envelope });
  const sealed = new SealedObjects(store, { uploadTokenRoot: dek });
  let got: Buffer;
  try {
    const read = await sealed.get(OBJECT, keys, { range: input.range });
    got = await buffer(read.stream);
  } catch (e) {
    if (!(e instanceof S3SealError)) throw e;
    // an honest answer to a satisfiable range must be served: the refusals above are the lies'
    if (honest(input.lie) && satisfiable(input.range, plain.length)) throw new Error(`an honest backend's range ${JSON.stringify(input.range)} of ${plain.length} bytes failed: ${e.code} ${e.message}`);
    return;
  }
  if (!satisfiable(input.range, plain.length)) throw new Error(`an unsatisfiable range ${JSON.stringify(input.range)} of ${plain.length} bytes was served (${got.length} bytes)`);
  const want = resolveRangeRequest(input.range, plain.length);
  if (!got.equals(plain.subarray(want.start, want.end + 1))) throw new Error(`served ${got.length} bytes other than plaintext ${want.start}-${want.end} (lie ${JSON.stringify(input.lie)})`);
}

// ---------------------------------------------------------------- the S3 driver's reading of the answer

/** What a hostile backend answers a GET with: Content-Length, Content-Range (or none), ETag. */
export interface DriverAnswer {
  contentLength: number | undefined;
  contentRange: string | undefined;
  etag: string | undefined;
  asked: { start: number; end?: number } | { suffix: number } | undefined;
}

const count = fc.oneof(fc.nat(200), fc.maxSafeNat(), fc.constantFrom(-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53));
const anyAnswer: fc.Arbitrary<DriverAnswer> = fc.record({
  contentLength: fc.option(count, { nil: undefined }),
  contentRange: fc.option(
    fc.oneof(
      fc.tuple(count, count, count).map(([a, b, t]) => `bytes ${a}-${b}/${t}`),
      fc.tuple(fc.nat(100), fc.nat(100), fc.nat(300)).map(([a, n, t]) => `bytes ${a}-${a + n}/${t}`),
      fc.constantFrom('bytes */10', 'bytes 0-9/*', 'bytes 5-4/10', ''),
      fc.string({ maxLength: 40 }),
    ),
    { nil: undefined },
  ),
  etag: fc.option(fc.constantFrom('"e"', '"e-2"', ''), { nil: undefined }),
  asked: fc.option(fc.oneof(fc.record({ start: fc.nat(100), end: fc.option(fc.nat(200), { nil: undefined }) }, { requiredKeys: ['start'] }), fc.record({ suffix: fc.nat(100) })), { nil: undefined }),
});
/** an answer as S3 sends it, then one field off by a little: the checks must hold at the edges */
const nearAnswer: fc.Arbitrary<DriverAnswer> = fc
  .record({ start: fc.nat(1000), n: fc.nat(1000), extra: fc.nat(1000), off: fc.constantFrom(0, 0, 0, 1, -1), which: fc.constantFrom('length', 'end', 'total') })
  .map(({ start, n, extra, off, which }) => {
    const end = start + n + (which === 'end' ? off : 0);
    const total = start + n + 1 + extra + (which === 'total' ? off - extra : 0);
    return { contentLength: n + 1 + (which === 'length' ? off : 0), contentRange: `bytes ${start}-${end}/${total}`, etag: '"e"', asked: { start } };
  });
export const driverAnswerInput: fc.Arbitrary<DriverAnswer> = fc.oneof(anyAnswer, nearAnswer);

/**
 * S3ObjectStore.open over a scripted client: the answer is used only as S3 would send it — a
 * Content-Range that parses, lies inside its total and spans exactly Content-Length bytes, the
 * object's size then being the total — or refused with a typed error.
 */
export async function driverAnswerCase(a: DriverAnswer): Promise<void> {
  const client = {
    send: () =>
      Promise.resolve({
        Body: Readable.from([]),
        ...(a.contentLength !== undefined ? { ContentLength: a.contentLength } : {}),
        ...(a.contentRange !== undefined ? { ContentRange: a.contentRange } : {}),
        ...(a.etag !== undefined ? { ETag: a.etag } : {}),
        Metadata: {},
      }),
  } as unknown as S3Client;
  let opened: OpenedStoredObject;
  try {
    opened = await new S3ObjectStore(client).open('b', 'k', a.asked ? { range: a.asked } : {});
  } catch (e) {
    if (e instanceof S3SealError) return;
    throw e;
  }
  const { info, range } = opened;
  if (!Number.isSafeInteger(info.size) || info.size < 0) throw new Error(`object size ${info.size} accepted from ${JSON.stringify(a)}`);
  if (range === undefined) {
    if (a.contentRange !== undefined) throw new Error('a Content-Range was ignored');
    return;
  }
  if (!(range.start >= 0 && range.start <= range.end && range.end < info.size)) throw new Error(`range ${JSON.stringify(range)} outside ${info.size}`);
  if (range.end - range.start + 1 !== a.contentLength) throw new Error(`range of ${range.end - range.start + 1} bytes with Content-Length ${a.contentLength}`);
}
