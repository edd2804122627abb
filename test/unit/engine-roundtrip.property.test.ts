/**
 * Property tests of the engine's round trip and range arithmetic. Expected sizes and byte ranges
 * are computed here from the format's numbers alone (FORMAT.md §4, §6, §7: body header 38 bytes,
 * part header 64 bytes, 64 KiB chunks, 16-byte tags → a full ciphertext chunk is 65552 bytes), not
 * from the engine's own size-math, so the engine's arithmetic is checked against the spec.
 */
import test from 'ava';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { singlePartCiphertextSize, singlePartPlaintextSize } from '../../src/engine/size-math.js';
import { isSealError } from '../../src/errors.js';
import { describe, kmsFields, readObject, sealMultipart, sealSingle, seededBytes, type Range } from '../helpers/engine-fixtures.js';

const CHUNK = 65536;
const TAG = 16;
const FULL = CHUNK + TAG; // 65552
const BODY_HEADER = 38;
const PART_HEADER = 64;

const chunks = (p: number): number => Math.max(1, Math.ceil(p / CHUNK));
const segmentSize = (p: number, header: number): number => header + p + TAG * chunks(p);

/** The ciphertext range (segment-relative, inclusive) of the chunks covering plaintext [start, end]. */
function covering(start: number, end: number, p: number, header: number): { cipherStart: number; cipherEnd: number } {
  const first = Math.floor(start / CHUNK);
  const last = Math.floor(end / CHUNK);
  return { cipherStart: header + first * FULL, cipherEnd: Math.min(header + (last + 1) * FULL, segmentSize(p, header)) - 1 };
}

const BOUNDARY_SIZES = [0, 1, 65535, 65536, 65537, 131071, 131072, 131073, 196608, 196609];
const MAX_SIZE = 3 * CHUNK + 1;
const sizeArb = fc.oneof(fc.constantFrom(...BOUNDARY_SIZES), fc.integer({ min: 0, max: MAX_SIZE }));

/** A range inside [0, size): endpoints biased towards chunk boundaries, where off-by-one bugs live. */
function rangeArb(size: number): fc.Arbitrary<Range> {
  const near = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, 2 * CHUNK + 1, 3 * CHUNK - 1, 3 * CHUNK, size - 2, size - 1].filter((n) => n >= 0 && n < size);
  const point = fc.oneof(fc.constantFrom(...near), fc.integer({ min: 0, max: size - 1 }));
  return fc.tuple(point, point).map(([a, b]) => ({ start: Math.min(a, b), end: Math.max(a, b) }));
}

/** Throws (so fast-check shrinks the case) unless the source saw exactly the expected requests. */
function sameRequests(actual: (Range | undefined)[], expected: Range[], what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: requested ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

const pieceArb = fc.oneof(fc.constant(undefined), fc.integer({ min: 97, max: 100_000 }));

test('single-part: round trip, exact ranged reads, exactly the covering chunks requested, sizes match the format', async (t) => {
  const dek = randomBytes(32);
  await fc.assert(
    fc.asyncProperty(
      sizeArb.chain((size) => fc.record({ size: fc.constant(size), seed: fc.integer(), ranges: size === 0 ? fc.constant([]) : fc.array(rangeArb(size), { minLength: 1, maxLength: 3 }), writePiece: pieceArb, readPiece: pieceArb })),
      async ({ size, seed, ranges, writePiece, readPiece }) => {
        const plain = seededBytes(size, seed);
        const s = await sealSingle(dek, kmsFields(), plain, writePiece);
        // sizes: the format's formula, the engine's formula, and its inverse agree
        const expectedSize = segmentSize(size, BODY_HEADER);
        if (s.body.length !== expectedSize) return false;
        if (singlePartCiphertextSize(size) !== expectedSize) return false;
        if (singlePartPlaintextSize(expectedSize) !== size) return false;

        const whole = await readObject(dek, s.envelope, s.body, {}, readPiece);
        if (whole.error !== undefined) throw new Error(`whole read failed: ${describe(whole.error)}`);
        if (!whole.received.equals(plain)) return false;
        if (whole.source.requests.length !== 1 || whole.source.requests[0] !== undefined) return false;

        for (const range of ranges) {
          const o = await readObject(dek, s.envelope, s.body, { range }, readPiece);
          if (o.error !== undefined) throw new Error(`range ${range.start}-${range.end} of ${size}: ${describe(o.error)}`);
          if (!o.received.equals(plain.subarray(range.start, range.end + 1))) throw new Error(`range ${range.start}-${range.end} of ${size}: wrong bytes`);
          const c = covering(range.start, range.end, size, BODY_HEADER);
          sameRequests(o.source.requests, [{ start: c.cipherStart, end: c.cipherEnd }], `range ${range.start}-${range.end} of ${size}`);
        }
        return true;
      },
    ),
    { numRuns: 50 },
  );
  t.pass();
});

/** Brute force: does some plaintext length p produce a single-part body of exactly s bytes? */
function producible(s: number): boolean {
  const body = s - BODY_HEADER;
  for (let p = Math.max(0, body - TAG * 64); p <= body; p++) if (segmentSize(p, BODY_HEADER) === s) return true;
  return false;
}

test('single-part sizes: singlePartPlaintextSize inverts singlePartCiphertextSize exactly and refuses every other size', (t) => {
  const check = (s: number): boolean => {
    let p: number;
    try {
      p = singlePartPlaintextSize(s);
    } catch (e) {
      if (!isSealError(e, 'BodyMalformed') && !isSealError(e, 'BodyTruncated')) throw e;
      return !producible(s);
    }
    return p >= 0 && segmentSize(p, BODY_HEADER) === s && singlePartCiphertextSize(p) === s;
  };
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: 0, max: 10 * FULL }), fc.integer({ min: 0, max: 4 }).chain((k) => fc.integer({ min: -2, max: 2 }).map((d) => BODY_HEADER + k * FULL + TAG + d))), check),
    { numRuns: 2000 },
  );
  // exhaustively around every chunk boundary of the first few chunks
  for (let k = 0; k <= 3; k++) {
    for (let d = -20; d <= 20; d++) {
      const s = BODY_HEADER + k * FULL + d;
      if (s >= 0) t.true(check(s), `size ${s}`);
    }
  }
  t.true(check(0) && check(BODY_HEADER) && check(BODY_HEADER + TAG));
});

const partsArb = fc.array(fc.oneof(fc.constantFrom(0, 1, 65535, 65536, 65537), fc.integer({ min: 0, max: 70_000 })), { minLength: 1, maxLength: 4 });

/** Every part header, 64 bytes each: a read verifies them all against the layout digest first. */
function headerRequests(parts: number[]): Range[] {
  const out: Range[] = [];
  let h = 0;
  for (const p of parts) {
    out.push({ start: h, end: h + PART_HEADER - 1 });
    h += segmentSize(p, PART_HEADER);
  }
  return out;
}

/**
 * Expected backend requests of a ranged multipart read (FORMAT.md §7.3): first every part header
 * (the layout digest covers them all), then ONE contiguous read from the first covering chunk (or
 * the first part's header, when the range starts in its chunk 0) to the last covering chunk.
 */
function expectedMultipartRequests(parts: number[], range: Range): Range[] {
  let first: number | undefined;
  let last: number | undefined;
  let base = 0;
  let plainOff = 0;
  for (const p of parts) {
    const partStart = plainOff;
    const partEnd = plainOff + p - 1;
    if (p > 0 && partEnd >= range.start && partStart <= range.end) {
      const c = covering(Math.max(range.start, partStart) - partStart, Math.min(range.end, partEnd) - partStart, p, PART_HEADER);
      first ??= c.cipherStart === PART_HEADER ? base : base + c.cipherStart;
      last = base + c.cipherEnd;
    }
    base += segmentSize(p, PART_HEADER);
    plainOff += p;
  }
  return [...headerRequests(parts), { start: first!, end: last! }];
}

test('multipart (1..4 parts): round trip; part headers verified first, then one read of exactly the covering chunks', async (t) => {
  const dek = randomBytes(32);
  await fc.assert(
    fc.asyncProperty(
      partsArb.chain((parts) => {
        const total = parts.reduce((a, b) => a + b, 0);
        return fc.record({ parts: fc.constant(parts), seed: fc.integer(), ranges: total === 0 ? fc.constant([]) : fc.array(rangeArb(total), { minLength: 1, maxLength: 3 }), readPiece: pieceArb });
      }),
      async ({ parts, seed, ranges, readPiece }) => {
        const plainParts = parts.map((n, i) => seededBytes(n, seed + i));
        const plain = Buffer.concat(plainParts);
        const m = await sealMultipart(dek, kmsFields(), plainParts);
        if (m.body.length !== parts.reduce((n, p) => n + segmentSize(p, PART_HEADER), 0)) throw new Error('multipart body size differs from the format');

        const whole = await readObject(dek, m.envelope, m.body, {}, readPiece);
        if (whole.error !== undefined) throw new Error(`whole read of [${parts.join(',')}] failed: ${describe(whole.error)}`);
        if (!whole.received.equals(plain)) return false;
        // every part header verified first, then the object in one GET
        sameRequests(whole.source.requests, [...headerRequests(parts), undefined as unknown as Range], `whole read of [${parts.join(',')}]`);

        for (const range of ranges) {
          const o = await readObject(dek, m.envelope, m.body, { range }, readPiece);
          const what = `parts [${parts.join(',')}] range ${range.start}-${range.end}`;
          if (o.error !== undefined) throw new Error(`${what}: ${describe(o.error)}`);
          if (!o.received.equals(plain.subarray(range.start, range.end + 1))) throw new Error(`${what}: wrong bytes`);
          sameRequests(o.source.requests, expectedMultipartRequests(parts, range), what);
        }
        return true;
      },
    ),
    { numRuns: 40 },
  );
  t.pass();
});

test('ranges outside the object are InvalidRange, before anything is read', async (t) => {
  const dek = randomBytes(32);
  const plain = seededBytes(1000, 3);
  const s = await sealSingle(dek, kmsFields(), plain);
  const m = await sealMultipart(dek, kmsFields(), [plain, plain]);
  for (const [env, body, len] of [
    [s.envelope, s.body, 1000],
    [m.envelope, m.body, 2000],
  ] as const) {
    for (const range of [
      { start: len, end: len },
      { start: 5, end: len },
      { start: 10, end: 9 },
      { start: -1, end: 3 },
    ]) {
      const o = await readObject(dek, env, body, { range });
      t.true(isSealError(o.error, 'InvalidRange'), `${range.start}-${range.end}: ${describe(o.error)}`);
      t.is(o.emitted.length, 0);
      t.deepEqual(o.source.requests, []);
    }
  }
});
