/**
 * VerifiedLayoutCache (DESIGN.md "Multipart"): bounded LRU of verified part salts, keyed by bucket,
 * key, ETag and layout digest; concurrent first reads share one verification; failures are never
 * cached.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { VerifiedLayoutCache } from '../../src/engine/verified-layout-cache.js';

const o = { bucket: 'b', key: 'k' };
const salts = (n: number): Buffer[] => Array.from({ length: n }, () => randomBytes(16));

function counting(result: () => Promise<Buffer[]>): { verify: () => Promise<Buffer[]>; calls: () => number } {
  let calls = 0;
  return {
    verify: () => {
      calls++;
      return result();
    },
    calls: () => calls,
  };
}

test('a hit needs no verification; the ETag, the layout digest and the object are all part of the key', async (t) => {
  const cache = new VerifiedLayoutCache(1000);
  const d = randomBytes(32);
  const s = salts(3);
  const v = counting(() => Promise.resolve(s));
  t.deepEqual(await cache.for(o, '"e1"').salts(d, v.verify), s);
  t.deepEqual(await cache.for(o, '"e1"').salts(d, v.verify), s);
  t.is(v.calls(), 1);
  await cache.for(o, '"e2"').salts(d, v.verify);
  await cache.for(o, '"e1"').salts(randomBytes(32), v.verify);
  await cache.for({ bucket: 'b', key: 'other' }, '"e1"').salts(d, v.verify);
  await cache.for({ bucket: 'b2', key: 'k' }, '"e1"').salts(d, v.verify);
  t.is(v.calls(), 5);
});

test('the cache keeps its own copy of the salts', async (t) => {
  const cache = new VerifiedLayoutCache(1000);
  const d = randomBytes(32);
  const s = salts(2);
  const expected = s.map((b) => Buffer.from(b));
  await cache.for(o, 'e').salts(d, () => Promise.resolve(s));
  s[0]!.fill(0);
  t.deepEqual(await cache.for(o, 'e').salts(d, () => Promise.reject(new Error('no'))), expected);
});

test('bounded by part count, least recently used evicted first; 0 disables; oversized layouts are not kept', async (t) => {
  const cache = new VerifiedLayoutCache(3 * 11); // three 10-part layouts
  const digests = [0, 1, 2, 3].map(() => randomBytes(32));
  const v = counting(() => Promise.resolve(salts(10)));
  for (const d of digests.slice(0, 3)) await cache.for(o, 'e').salts(d, v.verify);
  t.is(cache.size, 3);
  await cache.for(o, 'e').salts(digests[0]!, v.verify); // touch 0: 1 is now the oldest
  await cache.for(o, 'e').salts(digests[3]!, v.verify); // evicts 1
  t.is(cache.size, 3);
  t.is(v.calls(), 4);
  await cache.for(o, 'e').salts(digests[0]!, v.verify);
  await cache.for(o, 'e').salts(digests[2]!, v.verify);
  t.is(v.calls(), 4);
  await cache.for(o, 'e').salts(digests[1]!, v.verify);
  t.is(v.calls(), 5);

  const off = new VerifiedLayoutCache(0);
  const w = counting(() => Promise.resolve(salts(1)));
  const d = randomBytes(32);
  await off.for(o, 'e').salts(d, w.verify);
  await off.for(o, 'e').salts(d, w.verify);
  t.is(w.calls(), 2);
  t.is(off.size, 0);

  const small = new VerifiedLayoutCache(5);
  await small.for(o, 'e').salts(d, () => Promise.resolve(salts(10)));
  t.is(small.size, 0);
  t.throws(() => new VerifiedLayoutCache(-1), { instanceOf: RangeError });
});

test('concurrent first reads share one verification; a failed one is not cached and waiters verify for themselves', async (t) => {
  const cache = new VerifiedLayoutCache(1000);
  const d = randomBytes(32);
  const s = salts(4);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const v = counting(async () => {
    await gate;
    return s;
  });
  const all = Promise.all(Array.from({ length: 8 }, () => cache.for(o, 'e').salts(d, v.verify)));
  release();
  for (const got of await all) t.deepEqual(got, s);
  t.is(v.calls(), 1);

  const d2 = randomBytes(32);
  let fail = true;
  const w = counting(() => (fail ? Promise.reject(new Error('backend down')) : Promise.resolve(s)));
  const first = cache.for(o, 'e').salts(d2, w.verify);
  fail = false;
  const second = cache.for(o, 'e').salts(d2, w.verify);
  await t.throwsAsync(first, { message: 'backend down' });
  t.deepEqual(await second, s, 'the waiter verified itself after the shared verification failed');
  t.is(w.calls(), 2);
  t.deepEqual(await cache.for(o, 'e').salts(d2, () => Promise.reject(new Error('not called'))), s);
});
