/**
 * Passthrough ranged GETs (issue 6, item 12): whether an object is s3seal ciphertext is decided by
 * the OBJECT's first bytes (FORMAT.md §11 step 1), not by the first bytes of the requested range. A
 * sealed object whose envelope was stripped is refused for every range; a genuine plaintext object
 * is served for every range, even one that happens to start with "S3SL".
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import type { KeyResolver } from '../../src/engine/key-resolver.js';
import { isSealError } from '../../src/errors.js';
import { describe, kmsFields, sealMultipart, sealSingle, seededBytes } from '../helpers/engine-fixtures.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { RecordingStore } from '../helpers/recording-store.js';

const noKeys: KeyResolver = {
  generate: () => Promise.reject(new Error('no keys in a passthrough read')),
  recover: () => Promise.reject(new Error('no keys in a passthrough read')),
};

async function drain(sealed: SealedObjects, key: string, range?: { start: number; end: number }): Promise<{ got: Buffer; err: unknown }> {
  const got: Buffer[] = [];
  try {
    for await (const c of (await sealed.get({ bucket: 'b', key }, noKeys, range)).stream) got.push(c as Buffer);
    return { got: Buffer.concat(got), err: undefined };
  } catch (err) {
    return { got: Buffer.concat(got), err };
  }
}

test('a ranged GET of a sealed object whose envelope was stripped is EnvelopeMissing for every range, with no byte served', async (t) => {
  const dek = randomBytes(32);
  const mem = new MemoryStore();
  // stored bodies of a single-part and a multipart object, with the envelope removed
  mem.set('b', 'single', (await sealSingle(dek, kmsFields(), seededBytes(200_000, 1))).body, {});
  mem.set('b', 'multi', (await sealMultipart(dek, kmsFields(), [seededBytes(70_000, 2), seededBytes(10, 3)])).body, {});
  const rec = new RecordingStore(mem);
  const sealed = new SealedObjects(rec, { uploadTokenRoot: randomBytes(32), passthrough: () => true });
  const problems: string[] = [];
  for (const key of ['single', 'multi']) {
    for (const range of [undefined, { start: 0, end: 1 }, { start: 1, end: 100 }, { start: 100, end: 60_000 }, { start: 69_000, end: 70_100 }]) {
      const { got, err } = await drain(sealed, key, range);
      if (!isSealError(err, 'EnvelopeMissing')) problems.push(`${key} ${JSON.stringify(range)}: ${describe(err)}`);
      if (got.length) problems.push(`${key} ${JSON.stringify(range)}: ${got.length} ciphertext bytes served as plaintext`);
    }
  }
  t.deepEqual(problems, []);
});

test('a ranged GET of a genuine plaintext object is served exactly, even where the range starts with an s3seal magic', async (t) => {
  const mem = new MemoryStore();
  const plain = Buffer.concat([seededBytes(100, 9), Buffer.from('S3SL'), seededBytes(100, 10), Buffer.from('S3SP'), seededBytes(50, 11)]);
  mem.set('b', 'legacy', plain, { owner: 'ada' });
  const rec = new RecordingStore(mem);
  const sealed = new SealedObjects(rec, { uploadTokenRoot: randomBytes(32), passthrough: () => true });
  const etag = (await mem.head('b', 'legacy')).etag;
  for (const range of [{ start: 100, end: 150 }, { start: 204, end: 207 }, { start: 0, end: plain.length - 1 }, { start: 3, end: 3 }]) {
    rec.gets.length = 0;
    const r = await sealed.get({ bucket: 'b', key: 'legacy' }, noKeys, range);
    t.true((await buffer(r.stream)).equals(plain.subarray(range.start, range.end + 1)), `range ${range.start}-${range.end}`);
    t.is(r.plaintextLength, plain.length);
    t.is(r.etag, etag);
  }
  // the object's magic is checked with a 4-byte read pinned to the ETag, before the range is fetched
  rec.gets.length = 0;
  await buffer((await sealed.get({ bucket: 'b', key: 'legacy' }, noKeys, { start: 10, end: 20 })).stream);
  t.deepEqual(rec.gets.map((g) => g.range), [{ start: 0, end: 3 }, { start: 10, end: 20 }]);
  // a range that starts at byte 0 carries the object's magic itself: one GET
  rec.gets.length = 0;
  await buffer((await sealed.get({ bucket: 'b', key: 'legacy' }, noKeys, { start: 0, end: 20 })).stream);
  t.deepEqual(rec.gets.map((g) => g.range), [{ start: 0, end: 20 }]);
  // whole reads and tiny objects
  t.true((await buffer((await sealed.get({ bucket: 'b', key: 'legacy' }, noKeys)).stream)).equals(plain));
  mem.set('b', 'tiny', Buffer.from('S3'), {});
  t.true((await buffer((await sealed.get({ bucket: 'b', key: 'tiny' }, noKeys, { start: 1, end: 1 })).stream)).equals(Buffer.from('3')));
});

test('a passthrough range outside the object is InvalidRange', async (t) => {
  const mem = new MemoryStore();
  mem.set('b', 'legacy', Buffer.from('0123456789'), {});
  const sealed = new SealedObjects(mem, { uploadTokenRoot: randomBytes(32), passthrough: () => true });
  for (const range of [{ start: 10, end: 10 }, { start: 5, end: 10 }, { start: 4, end: 3 }]) {
    const err = await t.throwsAsync(sealed.get({ bucket: 'b', key: 'legacy' }, noKeys, range));
    t.true(isSealError(err, 'InvalidRange'), describe(err));
  }
});
