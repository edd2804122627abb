/**
 * ListedSizes (engine/listed-sizes.ts) over MemoryStore: when the size formula is used (encrypted-only
 * prefix, plain ETag, a size a single-part body can have) and when a HEAD is (everywhere else, a
 * multipart ETag, an impossible size); the (bucket, key, ETag) cache and its bound; the HEAD
 * concurrency bound; objects overwritten or deleted between LIST and HEAD.
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackendRequestError } from '../../src/backends/backend-request-error.js';
import type { StoredObjectInfo } from '../../src/backends/object-store.js';
import { ListedSizes } from '../../src/engine/listed-sizes.js';
import { singlePartCiphertextSize } from '../../src/engine/size-math.js';
import { MemoryStore } from '../helpers/memory-store.js';

/** MemoryStore whose HEAD of a missing key is the backend's 404, and which can be slow */
class Store extends MemoryStore {
  inFlight = 0;
  maxInFlight = 0;
  delayMs = 0;
  override async head(bucket: string, key: string, versionId?: string): Promise<StoredObjectInfo> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await sleep(this.delayMs);
      if (!this.has(bucket, key)) throw new BackendRequestError('NotFound', 404, 'HeadObject');
      return await super.head(bucket, key, versionId);
    } finally {
      this.inFlight--;
    }
  }
}

const place = (s: Store, key: string, size: number, etag?: string): { key: string; etag: string; size: number } => ({ key, size, etag: s.set('b', key, Buffer.alloc(size), {}, {}, etag) });

test('formula only in an encrypted-only prefix, for plain ETags and sizes a single-part body can have; everything else is HEADed (stored size for objects without an envelope)', async (t) => {
  const s = new Store();
  const sizes = new ListedSizes(s, { encryptedOnly: [{ bucket: 'b', prefix: 'enc/' }] });
  const single = place(s, 'enc/one', singlePartCiphertextSize(1000));
  const multi = place(s, 'enc/multi', singlePartCiphertextSize(1000), '"0123456789abcdef0123456789abcdef-3"');
  const tiny = place(s, 'enc/tiny', 10);
  const outside = place(s, 'plain/one', singlePartCiphertextSize(1000));
  const r = await sizes.sizes('b', [single, multi, tiny, outside]);
  t.deepEqual(r.map((x) => x?.size), [1000, singlePartCiphertextSize(1000), 10, singlePartCiphertextSize(1000)]);
  t.is(s.heads, 3, 'the multipart ETag, the impossible size and the object outside the prefix');
  // another bucket with the same prefix is not encrypted-only
  s.set('other', 'enc/one', Buffer.alloc(single.size), {});
  s.heads = 0;
  await sizes.sizes('other', [{ key: 'enc/one', etag: single.etag, size: single.size }]);
  t.is(s.heads, 1);
});

test('the (bucket, key, ETag) cache: a second listing HEADs nothing; a new ETag is HEADed; a HEAD that finds another object reports it; a deleted one is dropped; the cache is bounded', async (t) => {
  const s = new Store();
  const sizes = new ListedSizes(s, { cacheEntries: 2 });
  const a = place(s, 'a', 5);
  const b = place(s, 'b', 6);
  await sizes.sizes('b', [a, b]);
  t.is(s.heads, 2);
  await sizes.sizes('b', [a, b]);
  t.is(s.heads, 2, 'cached');
  // overwritten after the LIST: the HEAD's object is reported, whole
  const listedA = a;
  const newA = place(s, 'a', 50);
  const [seen] = await sizes.sizes('b', [{ ...listedA, etag: '"stale"' }]);
  t.deepEqual([seen?.size, seen?.etag], [50, newA.etag]);
  t.is(s.heads, 3);
  // deleted after the LIST
  const gone = await sizes.sizes('b', [{ key: 'nope', etag: '"x"', size: 3 }]);
  t.deepEqual(gone, [undefined]);
  // bound: a, b, c → the least recently used is HEADed again
  const c = place(s, 'c', 7);
  s.heads = 0;
  await sizes.sizes('b', [c]);
  await sizes.sizes('b', [newA, c]);
  t.is(s.heads, 1, 'c HEADed, then a (stored under its new ETag) and c hit');
  await sizes.sizes('b', [b]);
  t.is(s.heads, 2, 'b was evicted');
  sizes.clear();
  t.is(sizes.cached, 0);
});

test('HEADs run at most headConcurrency at once, across concurrent listings', async (t) => {
  const s = new Store();
  s.delayMs = 5;
  const sizes = new ListedSizes(s, { headConcurrency: 3 });
  const entries = Array.from({ length: 30 }, (_, i) => place(s, `k${i}`, i));
  const [x, y] = await Promise.all([sizes.sizes('b', entries.slice(0, 15)), sizes.sizes('b', entries.slice(15))]);
  t.deepEqual([...x, ...y].map((e) => e?.size), entries.map((e) => e.size));
  t.is(s.maxInFlight, 3);
  t.throws(() => new ListedSizes(s, { headConcurrency: 0 }), { instanceOf: RangeError });
});
