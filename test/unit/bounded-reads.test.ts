/**
 * Every bounded backend read is refused as soon as the response runs past what was requested, and
 * nothing past the limit is buffered (issue 6, item 13): a 64-byte part-header read answered with
 * 16 MiB, ranged-read inputs, passthrough ranges. A lying source counts how much was pulled from it.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { CHUNK_SIZE, PART_HEADER_SIZE } from '../../src/crypto/constants.js';
import { decodeEnvelope } from '../../src/crypto/envelope.js';
import { openObject, type CiphertextSource } from '../../src/engine/object-reader.js';
import { readPartHeaders } from '../../src/engine/part-headers.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { isSealError, type SealErrorCode } from '../../src/errors.js';
import { describe, kmsFields, sealMultipart, sealSingle, seededBytes } from '../helpers/engine-fixtures.js';
import { MemoryStore } from '../helpers/memory-store.js';

const PIECE = 64 * 1024;
const EXTRA = 16 * 1024 * 1024;

/** The honest bytes, then up to EXTRA bytes of junk, produced lazily; `pulled` counts pieces taken. */
function lying(honest: Buffer, counter: { pulled: number }): Readable {
  return Readable.from(
    (function* () {
      counter.pulled++;
      yield Buffer.from(honest);
      for (let sent = 0; sent < EXTRA; sent += PIECE) {
        counter.pulled++;
        yield Buffer.alloc(PIECE, 0x41);
      }
    })(),
    { objectMode: false },
  );
}

/** a source that answers requests for `lieAbout` ranges with the right bytes plus 16 MiB more */
function lyingSource(body: Buffer, lieAbout: (r: { start: number; end: number } | undefined) => boolean, counter: { pulled: number }): CiphertextSource {
  return {
    size: body.length,
    read: (r) => {
      const honest = r ? body.subarray(r.start, r.end + 1) : body;
      return lieAbout(r) ? lying(honest, counter) : Readable.from([Buffer.from(honest)]);
    },
  };
}

// a little slack for stream read-ahead: far below the 256 pieces a buffering reader would take
const STOPPED_EARLY = 8;

function isCode(err: unknown, codes: SealErrorCode[]): boolean {
  return codes.some((c) => isSealError(err, c));
}

test('a part-header read answered with more than 64 bytes is refused as soon as the excess arrives', async (t) => {
  const m = await sealMultipart(randomBytes(32), kmsFields(), [seededBytes(100, 1), seededBytes(100, 2)]);
  const counter = { pulled: 0 };
  const src = lyingSource(m.body, () => true, counter);
  const err = await t.throwsAsync(readPartHeaders((r) => src.read(r), [100, 100]));
  t.true(isCode(err, ['BodyTrailingData']), describe(err));
  t.true(counter.pulled <= STOPPED_EARLY * 2, `pulled ${counter.pulled} pieces`);
  // and one that is short is a truncation
  const short: CiphertextSource = { size: m.body.length, read: () => Readable.from([m.body.subarray(0, 10)]) };
  const e2 = await t.throwsAsync(readPartHeaders((r) => short.read(r), [100, 100]));
  t.true(isSealError(e2, 'BodyTruncated'), describe(e2));
});

test('a multipart ranged read whose header reads are answered with 16 MiB is refused, not buffered', async (t) => {
  const dek = randomBytes(32);
  const m = await sealMultipart(dek, kmsFields(), [seededBytes(70000, 1), seededBytes(70000, 2), seededBytes(50, 3)]);
  const counter = { pulled: 0 };
  const src = lyingSource(m.body, (r) => r !== undefined && r.end - r.start + 1 === PART_HEADER_SIZE, counter);
  const err = await t.throwsAsync(async () => buffer((await openObject(dek, decodeEnvelope(m.envelope), src, { range: { start: 5, end: 10 } })).stream));
  t.true(isCode(err, ['BodyTrailingData']), describe(err));
  t.true(counter.pulled <= STOPPED_EARLY * 3, `pulled ${counter.pulled} pieces`);
});

test('ranged-read inputs (single-part and multipart) longer than requested are refused without buffering, and no byte is released', async (t) => {
  const dek = randomBytes(32);
  const s = await sealSingle(dek, kmsFields(), seededBytes(3 * CHUNK_SIZE, 4));
  const m = await sealMultipart(dek, kmsFields(), [seededBytes(70000, 1), seededBytes(70000, 2)]);
  for (const [what, env, body, range] of [
    ['single-part', s.envelope, s.body, { start: CHUNK_SIZE + 1, end: CHUNK_SIZE + 9 }],
    ['multipart', m.envelope, m.body, { start: 69000, end: 71000 }],
  ] as const) {
    const counter = { pulled: 0 };
    // only the chunk read lies (header reads are 64 bytes)
    const src = lyingSource(body, (r) => r !== undefined && r.end - r.start + 1 !== PART_HEADER_SIZE, counter);
    const got: Buffer[] = [];
    const err = await t.throwsAsync(async () => {
      for await (const c of (await openObject(dek, decodeEnvelope(env), src, { range })).stream) got.push(c as Buffer);
    });
    t.true(isCode(err, ['BodyTrailingData']), `${what}: ${describe(err)}`);
    t.is(Buffer.concat(got).length, 0, what);
    t.true(counter.pulled <= STOPPED_EARLY, `${what}: pulled ${counter.pulled} pieces`);
  }
});

/** A backend that answers every ranged GET with 16 MiB more than asked. */
class LyingStore extends MemoryStore {
  readonly counter = { pulled: 0 };
  override async get(bucket: string, key: string, range?: { start: number; end: number }, ifMatch?: string): Promise<Readable> {
    const honest = await buffer(await super.get(bucket, key, range, ifMatch));
    return range ? lying(honest, this.counter) : Readable.from([honest]);
  }
}

test('a passthrough ranged GET answered with more than the range is refused; the consumer never gets more than it asked for', async (t) => {
  const store = new LyingStore();
  const plain = Buffer.from('plain text object, stored before s3seal was deployed; '.repeat(100));
  store.set('b', 'legacy', plain, {});
  const sealed = new SealedObjects(store, { uploadTokenRoot: randomBytes(32), passthrough: () => true });
  const got: Buffer[] = [];
  const err = await t.throwsAsync(async () => {
    for await (const c of (await sealed.get({ bucket: 'b', key: 'legacy' }, { generate: () => Promise.reject(new Error('x')), recover: () => Promise.reject(new Error('x')) }, { start: 10, end: 109 })).stream) got.push(c as Buffer);
  });
  t.true(isCode(err, ['BodyTrailingData']), describe(err));
  t.true(Buffer.concat(got).length <= 100, `received ${Buffer.concat(got).length} bytes for a 100-byte range`);
  t.true(Buffer.concat(got).equals(plain.subarray(10, 10 + Buffer.concat(got).length)));
  t.true(store.counter.pulled <= 2 * STOPPED_EARLY, `pulled ${store.counter.pulled} pieces`);
});
