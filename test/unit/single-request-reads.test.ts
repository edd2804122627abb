/**
 * Issue 7 (acceptance `backend_requests_per_get`): a ranged GET of a single-part object is ONE
 * backend request in every Range form (`a-b`, `a-`, `-n`), with no HEAD: the ciphertext range is a
 * pure function of the plaintext range (FORMAT.md §6.1), the answer's Content-Range total gives the
 * stored size, its metadata the envelope, and the envelope MAC under the recovered DEK commits the
 * key, so the body header is not fetched. Unsatisfiable ranges stay InvalidRange (also when the
 * backend itself answers 416), before any key is recovered. A multipart object's ranges cost one
 * request once its layout is known. Over an in-memory backend; real MinIO:
 * test/integration/read-requests.test.ts.
 */
import test from 'ava';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { BODY_HEADER_SIZE, CHUNK_SIZE, TAG_SIZE } from '../../src/crypto/constants.js';
import type { KeyResolver } from '../../src/engine/key-resolver.js';
import { resolveRangeRequest, type RangeRequest } from '../../src/engine/resolve-range-request.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { servedRangeFor, singlePartRangeRequest, suffixCiphertextLength } from '../../src/engine/single-part-range-request.js';
import { chunkSpan, singlePartCiphertextSize } from '../../src/engine/size-math.js';
import { isSealError } from '../../src/errors.js';
import { describe, kmsFields, sealMultipart, sealSingle, seededBytes } from '../helpers/engine-fixtures.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { RecordingStore } from '../helpers/recording-store.js';

const FULL = CHUNK_SIZE + TAG_SIZE;

/** a resolver that hands out one DEK and counts how often it was asked (no key is used for a refused read) */
function counted(dek: Buffer): KeyResolver & { recovers: number } {
  const r = {
    recovers: 0,
    generate: () => Promise.reject(new Error('read-only resolver')),
    recover: () => {
      r.recovers++;
      return Promise.resolve(Buffer.from(dek));
    },
  };
  return r;
}

function requests(rec: RecordingStore): { opens: number; gets: number; heads: number } {
  return { opens: rec.opens.length, gets: rec.gets.length, heads: rec.heads.length };
}

function reset(rec: RecordingStore): void {
  rec.opens.length = 0;
  rec.gets.length = 0;
  rec.heads.length = 0;
}

const rangeArb: fc.Arbitrary<RangeRequest> = fc.oneof(
  fc.record({ kind: fc.constant('from' as const), first: fc.nat(6 * CHUNK_SIZE), last: fc.option(fc.nat(6 * CHUNK_SIZE), { nil: undefined }) }).map((r) => (r.last !== undefined && r.last < r.first ? { kind: 'from' as const, first: r.last, last: r.first } : r.last === undefined ? { kind: 'from' as const, first: r.first } : r)),
  fc.record({ kind: fc.constant('suffix' as const), length: fc.nat(6 * CHUNK_SIZE) }),
);

test('the single GET asks for bytes that hold exactly the covering chunks (and at most one chunk more, for a suffix) — for every plaintext length', (t) => {
  fc.assert(
    fc.property(fc.nat(5 * CHUNK_SIZE + 3), rangeArb, (p, r) => {
      const s = singlePartCiphertextSize(p);
      const asked = singlePartRangeRequest(r);
      let range;
      try {
        range = resolveRangeRequest(r, p);
      } catch (err) {
        if (!isSealError(err, 'InvalidRange')) throw err;
        return; // unsatisfiable: refused once the answer (or the backend's 416) gives the size
      }
      // a satisfiable range is never one the backend refuses
      if (!('suffix' in asked)) t.true(asked.start < s);
      const served = servedRangeFor(asked, s);
      const span = chunkSpan(range.start, range.end, p, BODY_HEADER_SIZE);
      if (served.start > span.cipherStart || served.end !== span.cipherEnd) throw new Error(`p=${p} ${JSON.stringify(r)}: served ${served.start}-${served.end}, span ${span.cipherStart}-${span.cipherEnd}`);
      if (!('suffix' in asked) && served.start !== span.cipherStart) throw new Error('a from-range asks for no extra byte');
      if (span.cipherStart - served.start > FULL) throw new Error(`suffix over-fetch ${span.cipherStart - served.start}`);
    }),
    { numRuns: 20_000 },
  );
  t.pass();
});

test('suffixCiphertextLength is the exact worst case over every final-chunk length', (t) => {
  for (const n of [1, 2, 15, 16, 17, 1000, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE - 1, 2 * CHUNK_SIZE, 2 * CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 12345, 100 * CHUNK_SIZE + 7]) {
    let worst = 0;
    for (let r = 1; r <= CHUNK_SIZE; r++) worst = Math.max(worst, n <= r ? r + TAG_SIZE : r + TAG_SIZE + Math.ceil((n - r) / CHUNK_SIZE) * FULL);
    t.is(suffixCiphertextLength(n), worst, `n=${n}`);
  }
});

async function singlePart(size: number): Promise<{ rec: RecordingStore; sealed: SealedObjects; keys: ReturnType<typeof counted>; plain: Buffer; o: { bucket: string; key: string } }> {
  const dek = randomBytes(32);
  const plain = seededBytes(size, size + 1);
  const sealedBody = await sealSingle(dek, kmsFields(), plain);
  const mem = new MemoryStore();
  const o = { bucket: 'b', key: `single-${size}` };
  mem.set(o.bucket, o.key, sealedBody.body, { s3seal: sealedBody.envelope, owner: 'me' });
  const rec = new RecordingStore(mem);
  return { rec, sealed: new SealedObjects(rec, { uploadTokenRoot: randomBytes(32) }), keys: counted(dek), plain, o };
}

test('every Range form of a single-part object is one GET (no HEAD), for lengths around chunk boundaries', async (t) => {
  for (const size of [1, 17, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 100]) {
    const { rec, sealed, keys, plain, o } = await singlePart(size);
    const forms: RangeRequest[] = [
      { kind: 'from', first: 0, last: 0 },
      { kind: 'from', first: size - 1 },
      { kind: 'from', first: Math.floor(size / 2), last: size + 1000 },
      { kind: 'from', first: 0 },
      { kind: 'suffix', length: 1 },
      { kind: 'suffix', length: Math.ceil(size / 3) },
      { kind: 'suffix', length: size },
      { kind: 'suffix', length: size + 5 },
    ];
    for (const r of forms) {
      reset(rec);
      const got = await sealed.get(o, keys, { range: r });
      const want = resolveRangeRequest(r, size);
      t.deepEqual(got.range, want, `${size} ${JSON.stringify(r)}`);
      t.is(got.plaintextLength, size);
      t.is(got.userMetadata['owner'], 'me');
      t.true((await buffer(got.stream)).equals(plain.subarray(want.start, want.end + 1)), `${size} ${JSON.stringify(r)}: bytes`);
      t.deepEqual(requests(rec), { opens: 1, gets: 0, heads: 0 }, `${size} ${JSON.stringify(r)}: one GET`);
    }
  }
});

test('an unsatisfiable range is InvalidRange before any key is recovered, also when the backend answers 416 itself', async (t) => {
  const { rec, sealed, keys, o } = await singlePart(1000);
  // the ciphertext range starts inside the object: the answer's size decides (one request)
  for (const r of [{ kind: 'from', first: 1000 }, { kind: 'from', first: 5000, last: 6000 }, { kind: 'suffix', length: 0 }] as RangeRequest[]) {
    reset(rec);
    const err = await t.throwsAsync(sealed.get(o, keys, { range: r }));
    t.true(isSealError(err, 'InvalidRange'), `${JSON.stringify(r)}: ${describe(err)}`);
  }
  // past the stored object: the backend's 416, then a HEAD finds the envelope and sizes
  reset(rec);
  const err = await t.throwsAsync(sealed.get(o, keys, { range: { kind: 'from', first: 70_000 } }));
  t.true(isSealError(err, 'InvalidRange'), describe(err));
  t.deepEqual(requests(rec), { opens: 1, gets: 0, heads: 1 });
  t.is(keys.recovers, 0, 'no key recovered for any refused range');
  // an empty object has no satisfiable range
  const empty = await singlePart(0);
  for (const r of [{ kind: 'from', first: 0 }, { kind: 'suffix', length: 3 }] as RangeRequest[]) {
    const e = await t.throwsAsync(empty.sealed.get(empty.o, empty.keys, { range: r }));
    t.true(isSealError(e, 'InvalidRange'), describe(e));
  }
  t.is(empty.keys.recovers, 0);
});

/** a backend that answers a range with other bytes than asked (its Content-Range says so) */
class ShiftingStore extends MemoryStore {
  override async open(bucket: string, key: string, req: Parameters<MemoryStore['open']>[2] = {}): ReturnType<MemoryStore['open']> {
    const r = await super.open(bucket, key, req);
    if (!r.range) return r;
    r.body.destroy();
    const range = { start: r.range.start + FULL, end: r.range.end };
    return { ...r, range, body: await this.get(bucket, key, range) };
  }
}

/** a backend whose ranged answer is cut short of its Content-Range */
class CuttingStore extends MemoryStore {
  override async open(bucket: string, key: string, req: Parameters<MemoryStore['open']>[2] = {}): ReturnType<MemoryStore['open']> {
    const r = await super.open(bucket, key, req);
    const all = await buffer(r.body);
    return { ...r, body: Readable.from([all.subarray(0, all.length - 1)]) };
  }
}

test('a single-request ranged read trusts no answer: other bytes than asked (BodyMalformed), a short body (BodyTruncated), a wrong key — nothing released', async (t) => {
  const dek = randomBytes(32);
  const plain = seededBytes(3 * CHUNK_SIZE, 5);
  const s = await sealSingle(dek, kmsFields(), plain);
  for (const [store, code] of [
    [new ShiftingStore(), 'BodyMalformed'],
    [new CuttingStore(), 'BodyTruncated'],
  ] as const) {
    store.set('b', 'k', s.body, { s3seal: s.envelope });
    const sealed = new SealedObjects(store, { uploadTokenRoot: randomBytes(32) });
    const got: Buffer[] = [];
    const err = await t.throwsAsync(async () => {
      for await (const c of (await sealed.get({ bucket: 'b', key: 'k' }, counted(dek), { range: { kind: 'from', first: 10, last: 2 * CHUNK_SIZE } })).stream) got.push(c as Buffer);
    });
    t.true(isSealError(err, code), describe(err));
    t.is(Buffer.concat(got).length, 0, 'no byte released (the range is inside the release window)');
  }
  const mem = new MemoryStore();
  mem.set('b', 'k', s.body, { s3seal: s.envelope });
  const sealed = new SealedObjects(mem, { uploadTokenRoot: randomBytes(32) });
  const err = await t.throwsAsync(sealed.get({ bucket: 'b', key: 'k' }, counted(randomBytes(32)), { range: { kind: 'suffix', length: 10 } }));
  t.true(isSealError(err, 'EnvelopeAuthFailed'), `another DEK fails the envelope MAC, the key commitment of a ranged read: ${describe(err)}`);
});

async function multipart(lengths: number[]): Promise<{ rec: RecordingStore; mem: MemoryStore; sealed: SealedObjects; keys: ReturnType<typeof counted>; plain: Buffer; parts: Buffer[]; o: { bucket: string; key: string } }> {
  const dek = randomBytes(32);
  const parts = lengths.map((n, i) => seededBytes(n, 40 + i));
  const m = await sealMultipart(dek, kmsFields(), parts);
  const mem = new MemoryStore();
  const o = { bucket: 'b', key: 'multi' };
  mem.set(o.bucket, o.key, m.body, { s3seal: m.envelope });
  const rec = new RecordingStore(mem);
  return { rec, mem, sealed: new SealedObjects(rec, { uploadTokenRoot: randomBytes(32) }), keys: counted(dek), plain: Buffer.concat(parts), parts, o };
}

test('multipart: the first range costs the single-part guess, the header reads and the chunk run; then 1 GET per range, pinned to the ETag, suffix and open ranges too', async (t) => {
  const lengths = [CHUNK_SIZE + 5, 2 * CHUNK_SIZE, 1000, 77];
  const { rec, mem, sealed, keys, plain, o } = await multipart(lengths);
  const first = await sealed.get(o, keys, { range: { kind: 'from', first: 3, last: 9 } });
  t.true((await buffer(first.stream)).equals(plain.subarray(3, 10)));
  t.deepEqual(requests(rec), { opens: 1, gets: lengths.length + 1, heads: 0 });
  const { etag } = await mem.head(o.bucket, o.key);
  for (const r of [{ kind: 'from', first: CHUNK_SIZE, last: CHUNK_SIZE + 10 }, { kind: 'from', first: 100 }, { kind: 'suffix', length: 1100 }, { kind: 'suffix', length: 10 * CHUNK_SIZE }, { kind: 'from', first: 0, last: 10 * CHUNK_SIZE }] as RangeRequest[]) {
    reset(rec);
    const got = await sealed.get(o, keys, { range: r });
    const want = resolveRangeRequest(r, plain.length);
    t.true((await buffer(got.stream)).equals(plain.subarray(want.start, want.end + 1)), JSON.stringify(r));
    t.deepEqual(requests(rec), { opens: 1, gets: 0, heads: 0 }, `${JSON.stringify(r)}: one GET`);
    t.is(rec.opens[0]!.ifMatch, etag, 'asked for the version whose layout is known');
  }
});

test('partNumber: parts of a multipart object come from the committed layout (exact bytes, Content-Range, part count); one GET once the layout is known', async (t) => {
  const lengths = [CHUNK_SIZE + 5, 2 * CHUNK_SIZE, 1000, 77];
  const { rec, sealed, keys, plain, parts, o } = await multipart(lengths);
  // first read of the object: a whole GET (the guess that fits a single-part part 1), dropped once the envelope shows a layout
  const p2 = await sealed.get(o, keys, { partNumber: 2 });
  t.true((await buffer(p2.stream)).equals(parts[1]!));
  t.deepEqual(requests(rec), { opens: 1, gets: lengths.length + 1, heads: 0 });
  let off = 0;
  for (let n = 1; n <= lengths.length; n++) {
    reset(rec);
    const got = await sealed.get(o, keys, { partNumber: n });
    t.deepEqual(got.range, { start: off, end: off + lengths[n - 1]! - 1 }, `part ${n}: its place in the object`);
    t.is(got.partsCount, lengths.length);
    t.is(got.plaintextLength, plain.length);
    t.true((await buffer(got.stream)).equals(parts[n - 1]!), `part ${n}: bytes`);
    t.deepEqual(requests(rec), { opens: 1, gets: 0, heads: 0 }, `part ${n}: one GET`);
    off += lengths[n - 1]!;
  }
  for (const n of [0, 5, 10_000]) {
    const err = await t.throwsAsync(sealed.get(o, keys, { partNumber: n }));
    t.true(isSealError(err, 'InvalidPartNumber'), `part ${n}: ${describe(err)}`);
  }
  const before = keys.recovers;
  await t.throwsAsync(sealed.get(o, keys, { partNumber: 9 }));
  t.is(keys.recovers, before, 'a part the object does not have costs no key');
  // HEAD with partNumber: the same answer, no body
  const h = await sealed.head(o, { partNumber: 3 });
  t.deepEqual([h.range, h.partsCount], [{ start: lengths[0]! + lengths[1]!, end: lengths[0]! + lengths[1]! + 999 }, 4]);
  t.true(isSealError(await t.throwsAsync(sealed.head(o, { partNumber: 5 })), 'InvalidPartNumber'));
});

test('partNumber of a single-part object: part 1 is the whole object (as a range, no part count) in one GET; any other part is InvalidPartNumber', async (t) => {
  const { rec, sealed, keys, plain, o } = await singlePart(3 * CHUNK_SIZE + 7);
  const got = await sealed.get(o, keys, { partNumber: 1 });
  t.deepEqual([got.range, got.partsCount], [{ start: 0, end: plain.length - 1 }, undefined]);
  t.true((await buffer(got.stream)).equals(plain));
  t.deepEqual(requests(rec), { opens: 1, gets: 0, heads: 0 });
  const err = await t.throwsAsync(sealed.get(o, keys, { partNumber: 2 }));
  t.true(isSealError(err, 'InvalidPartNumber'), describe(err));
  t.is(keys.recovers, 1, 'only the successful read recovered a key');
  const h = await sealed.head(o, { partNumber: 1 });
  t.deepEqual([h.range, h.partsCount], [{ start: 0, end: plain.length - 1 }, undefined]);
});

test('a stale layout hint costs one refused request (412), never wrong bytes: the object rewritten as single-part is read right', async (t) => {
  const { rec, mem, sealed, keys: firstKeys, o } = await multipart([CHUNK_SIZE, 10]);
  await buffer((await sealed.get(o, firstKeys, { range: { kind: 'from', first: 1, last: 2 } })).stream);
  // the key now holds a single-part object (another DEK, another ETag)
  const dek = randomBytes(32);
  const plain = seededBytes(5000, 9);
  const s = await sealSingle(dek, kmsFields(), plain);
  mem.set(o.bucket, o.key, s.body, { s3seal: s.envelope });
  reset(rec);
  const got = await sealed.get(o, counted(dek), { range: { kind: 'suffix', length: 100 } });
  t.true((await buffer(got.stream)).equals(plain.subarray(-100)));
  t.deepEqual(requests(rec), { opens: 2, gets: 0, heads: 0 }, 'the pinned GET refused, then the single-part guess');
  reset(rec);
  await buffer((await sealed.get(o, counted(dek), { range: { kind: 'suffix', length: 100 } })).stream);
  t.deepEqual(requests(rec), { opens: 1, gets: 0, heads: 0 }, 'the hint is gone');
});
