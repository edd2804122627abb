/**
 * DESIGN.md "Multipart": no byte of an unverified part is released. Every part header a read uses is
 * checked against the committed layout (its digest over every (number, length, salt)) before that
 * part's plaintext goes out — whole reads too, whatever the release window — and the verified
 * layout is cached per (bucket, key, ETag, layout digest), so repeated ranged GETs of one object
 * version cost one backend GET each (issue 6, items 5 and 6).
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { CHUNK_SIZE, PART_HEADER_SIZE } from '../../src/crypto/constants.js';
import { decodeEnvelope } from '../../src/crypto/envelope.js';
import type { Envelope } from '../../src/crypto/envelope.js';
import { encryptPart } from '../../src/engine/object-writer.js';
import { openObject, type CiphertextSource } from '../../src/engine/object-reader.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import type { KeyResolver } from '../../src/engine/key-resolver.js';
import { isSealError } from '../../src/errors.js';
import { describe, kmsFields, readObject, runTransform, sealMultipart, seededBytes, tamperProblem, type SealedMultipart } from '../helpers/engine-fixtures.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { RecordingStore } from '../helpers/recording-store.js';

/** A 3-part object and, for each part, another UploadPart attempt of it (same upload, number, length). */
async function withReplacedAttempts(lengths: number[]): Promise<{ dek: Buffer; m: SealedMultipart; plain: Buffer; replaced: (n: number) => Promise<{ body: Buffer; plain: Buffer }> }> {
  const dek = randomBytes(32);
  const parts = lengths.map((n, i) => seededBytes(n, 10 + i));
  const m = await sealMultipart(dek, kmsFields(), parts);
  const replaced = async (n: number): Promise<{ body: Buffer; plain: Buffer }> => {
    const other = seededBytes(lengths[n - 1]!, 50 + n);
    const attempt = await runTransform(encryptPart(dek, m.tokenEnvelope, n, other.length), other);
    const bodies = [...m.partBodies];
    bodies[n - 1] = attempt;
    return { body: Buffer.concat(bodies), plain: other };
  };
  return { dek, m, plain: Buffer.concat(parts), replaced };
}

test('whole read: a replaced attempt of any part releases no byte at all, with release windows smaller than the object', async (t) => {
  const { dek, m, replaced } = await withReplacedAttempts([65537, 65537, 10]);
  const problems: string[] = [];
  for (const n of [1, 2, 3]) {
    const { body } = await replaced(n);
    for (const releaseWindow of [0, 1000, CHUNK_SIZE]) {
      const p = tamperProblem(await readObject(dek, m.envelope, body, { releaseWindow }), 'LayoutMismatch');
      if (p) problems.push(`part ${n}, window ${releaseWindow}: ${p}`);
    }
  }
  t.deepEqual(problems, []);
});

test('whole read: past the default 1 MiB window, a replaced part 2 still releases no byte', async (t) => {
  const big = 1024 * 1024 + 100_000;
  const { dek, m, replaced } = await withReplacedAttempts([big, big, 10]);
  const { body, plain: other } = await replaced(2);
  const o = await readObject(dek, m.envelope, body);
  t.is(tamperProblem(o, 'LayoutMismatch'), undefined);
  t.is(o.emitted.indexOf(other.subarray(0, 64)), -1, 'nothing of the replaced attempt');
});

test('whole read: a part swapped after its header was verified is refused at its header, before any of its bytes', async (t) => {
  // the header reads see the committed parts; the body read sees another attempt of part 2
  const { dek, m, plain, replaced } = await withReplacedAttempts([65537, 65537, 10]);
  const { body: swapped } = await replaced(2);
  const requests: ({ start: number; end: number } | undefined)[] = [];
  const source: CiphertextSource = {
    size: m.body.length,
    read: (r) => {
      requests.push(r);
      const b = r ? (r.end - r.start + 1 === PART_HEADER_SIZE ? m.body : swapped).subarray(r.start, r.end + 1) : swapped;
      return Readable.from([Buffer.from(b)]);
    },
  };
  const pushed: Buffer[] = [];
  const opened = await openObject(dek, decodeEnvelope(m.envelope), source, { releaseWindow: 0 });
  const push = opened.stream.push.bind(opened.stream);
  opened.stream.push = (c: unknown, e?: BufferEncoding): boolean => {
    if (c) pushed.push(Buffer.from(c as Buffer));
    return push(c, e);
  };
  const err = await t.throwsAsync(buffer(opened.stream));
  t.true(isSealError(err, 'LayoutMismatch'), describe(err));
  const emitted = Buffer.concat(pushed);
  t.true(emitted.length <= 65537, `${emitted.length} bytes released: no byte of part 2`);
  t.true(emitted.equals(plain.subarray(0, emitted.length)), 'only verified bytes of part 1');
  t.is(requests.filter((r) => r === undefined).length, 1);
});

/** A resolver for a known DEK (the engine wipes what it is handed, so hand out copies). */
function fixedKey(dek: Buffer): KeyResolver {
  return {
    generate: () => Promise.reject(new Error('read-only resolver')),
    recover: () => Promise.resolve(Buffer.from(dek)),
  };
}

interface Fifty {
  dek: Buffer;
  plain: Buffer;
  lengths: number[];
  m: SealedMultipart;
  env: Envelope;
}

let fifty: Promise<Fifty> | undefined;
/** 50 small parts (tiny parts are fine below S3: the engine has no minimum), some of several chunks */
function fiftyParts(): Promise<Fifty> {
  fifty ??= (async () => {
    const dek = randomBytes(32);
    const lengths = Array.from({ length: 50 }, (_, i) => (i % 7 === 3 ? 2 * CHUNK_SIZE + 17 : 1000 + i));
    const parts = lengths.map((n, i) => seededBytes(n, 100 + i));
    const m = await sealMultipart(dek, kmsFields(), parts);
    return { dek, plain: Buffer.concat(parts), lengths, m, env: decodeEnvelope(m.envelope) };
  })();
  return fifty;
}

function setup(f: Fifty, opts: { verifiedLayoutCacheParts?: number } = {}): { rec: RecordingStore; mem: MemoryStore; sealed: SealedObjects; o: { bucket: string; key: string } } {
  const mem = new MemoryStore();
  const o = { bucket: 'b', key: 'fifty-parts' };
  mem.set(o.bucket, o.key, f.m.body, { s3seal: f.m.envelope });
  const rec = new RecordingStore(mem);
  return { rec, mem, o, sealed: new SealedObjects(rec, { uploadTokenRoot: randomBytes(32), ...opts }) };
}

/** one ranged read; the backend requests it cost: GETs with the object's info (`opens`), other GETs, HEADs */
async function rangedGet(s: ReturnType<typeof setup>, f: Fifty, range: { start: number; end: number }): Promise<{ opens: number; gets: number; heads: number }> {
  s.rec.opens.length = 0;
  s.rec.gets.length = 0;
  s.rec.heads.length = 0;
  const r = await s.sealed.get(s.o, fixedKey(f.dek), range);
  const got = await buffer(r.stream);
  if (!got.equals(f.plain.subarray(range.start, range.end + 1))) throw new Error(`wrong bytes for ${range.start}-${range.end}`);
  return { opens: s.rec.opens.length, gets: s.rec.gets.length, heads: s.rec.heads.length };
}

const requests = (n: { opens: number; gets: number; heads: number }): number => n.opens + n.gets + n.heads;

test('50-part object: the first ranged GET costs 1 GET (single-part guess) + 50 header reads + 1, every later range 1 GET (no HEAD), a whole read 1 GET', async (t) => {
  const f = await fiftyParts();
  const s = setup(f);
  const total = f.plain.length;
  const off = (i: number): number => f.lengths.slice(0, i).reduce((a, b) => a + b, 0);
  t.deepEqual(await rangedGet(s, f, { start: 10, end: 20 }), { opens: 1, gets: 51, heads: 0 });
  for (const range of [
    { start: 10, end: 20 },
    { start: off(3) + CHUNK_SIZE + 5, end: off(3) + CHUNK_SIZE + 50 }, // inside a part, not in its first chunk
    { start: off(3) + 2 * CHUNK_SIZE + 3, end: off(9) + 5 }, // across six parts, starting in a final chunk
    { start: 0, end: total - 1 },
    { start: total - 1, end: total - 1 },
  ]) {
    t.deepEqual(await rangedGet(s, f, range), { opens: 1, gets: 0, heads: 0 }, `range ${range.start}-${range.end}: one GET, asked where the known layout puts it`);
  }
  s.rec.opens.length = 0;
  s.rec.gets.length = 0;
  s.rec.heads.length = 0;
  t.true((await buffer((await s.sealed.get(s.o, fixedKey(f.dek))).stream)).equals(f.plain));
  // the whole GET's response carries the envelope (ObjectStore.open): no HEAD, no other read
  t.deepEqual([s.rec.opens, s.rec.gets, s.rec.heads], [[{ key: s.o.key }], [], []], 'a whole read of a verified layout is one GET');
});

test('50-part object: a whole read first verifies the 50 headers (50 + 1 GETs, no HEAD), then ranges cost 1 GET (no HEAD)', async (t) => {
  const f = await fiftyParts();
  const s = setup(f);
  t.true((await buffer((await s.sealed.get(s.o, fixedKey(f.dek))).stream)).equals(f.plain));
  t.deepEqual([s.rec.opens.length, s.rec.gets.length, s.rec.heads.length], [1, 50, 0], 'the whole GET (no HEAD) and 50 header reads');
  t.deepEqual(await rangedGet(s, f, { start: 5000, end: 90000 }), { opens: 1, gets: 0, heads: 0 });
});

test('50-part object: concurrent first ranged GETs share one verification (50 header reads in all)', async (t) => {
  const f = await fiftyParts();
  const s = setup(f);
  const ranges = Array.from({ length: 8 }, (_, i) => ({ start: i * 9000, end: i * 9000 + 8999 }));
  await Promise.all(
    ranges.map(async (r) => {
      const got = await buffer((await s.sealed.get(s.o, fixedKey(f.dek), r)).stream);
      if (!got.equals(f.plain.subarray(r.start, r.end + 1))) throw new Error('wrong bytes');
    }),
  );
  t.is(s.rec.gets.length, 50 + ranges.length);
});

test('the verified layout is per object version: a new ETag, or a cache of size 0, verifies again', async (t) => {
  const f = await fiftyParts();
  const s = setup(f);
  t.is(requests(await rangedGet(s, f, { start: 1, end: 2 })), 52);
  // same bytes stored again under new metadata: a new ETag. The GET pinned to the old one fails (412), one
  // unpinned GET finds the new version, whose 50 headers are verified before its chunk is read
  s.mem.set(s.o.bucket, s.o.key, f.m.body, { s3seal: f.m.envelope, note: 'rewritten' });
  t.deepEqual(await rangedGet(s, f, { start: 1, end: 2 }), { opens: 2, gets: 51, heads: 0 });
  t.is(requests(await rangedGet(s, f, { start: 1, end: 2 })), 1);
  // without the verified-layout cache every read verifies the 50 headers; the chunk run is asked for up front
  const off = setup(f, { verifiedLayoutCacheParts: 0 });
  t.is(requests(await rangedGet(off, f, { start: 1, end: 2 })), 52);
  t.deepEqual(await rangedGet(off, f, { start: 1, end: 2 }), { opens: 1, gets: 50, heads: 0 });
});

test('a cached layout never vouches for bytes: a part replaced later under the same ETag (lying backend) is refused', async (t) => {
  const f = await fiftyParts();
  const s = setup(f);
  t.is(requests(await rangedGet(s, f, { start: 1, end: 2 })), 52);
  // the backend now serves another attempt of part 4 (3 chunks) and keeps the ETag
  const other = seededBytes(f.lengths[3]!, 7);
  const attempt = await runTransform(encryptPart(f.dek, f.m.tokenEnvelope, 4, other.length), other);
  const bodies = [...f.m.partBodies];
  bodies[3] = attempt;
  s.mem.replaceBodyKeepingEtag(s.o.bucket, s.o.key, Buffer.concat(bodies));
  const off3 = f.lengths.slice(0, 3).reduce((a, b) => a + b, 0);
  for (const [range, code] of [
    [{ start: off3, end: off3 + 10 }, 'LayoutMismatch'], // its stored header is read: the salt differs
    [{ start: off3 + CHUNK_SIZE, end: off3 + CHUNK_SIZE + 10 }, 'BodyAuthFailed'], // header rebuilt from the verified salt
    [{ start: 0, end: f.plain.length - 1 }, 'LayoutMismatch'],
  ] as const) {
    s.rec.gets.length = 0;
    s.rec.opens.length = 0;
    const got: Buffer[] = [];
    const err = await t.throwsAsync(async () => {
      for await (const c of (await s.sealed.get(s.o, fixedKey(f.dek), range)).stream) got.push(c as Buffer);
    });
    t.true(isSealError(err, code), `${range.start}-${range.end}: ${describe(err)}`);
    t.is(s.rec.gets.length + s.rec.opens.length, 1, 'served from the cached layout');
    t.is(Buffer.concat(got).indexOf(other.subarray(0, 32)), -1, 'nothing of the replaced attempt');
    if (range.start === off3 || range.start === off3 + CHUNK_SIZE) t.is(Buffer.concat(got).length, 0);
  }
});
