import test from 'ava';

import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';
import { randomBytes } from 'node:crypto';
import { BucketKeyCache } from '../../src/keystores/bucket-key-cache.js';
import { BucketKeyResolver } from '../../src/engine/materials/bucket-key-resolver.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { encodeEnvelope, decodeEnvelope, verifyEnvelope } from '../../src/crypto/envelope.js';
import { SealError } from '../../src/errors.js';

async function keystore(): Promise<FileKeystore> {
  const ks = new FileKeystore({ path: join(tempDir('bk'), 'keys.json'), create: true });
  await ks.createKey('kms');
  return ks;
}

/** one key's cache identity (keystore + resolved id) */
const K = { keystore: 'file', keyId: 'file:k' };

const gen = () => ({ plaintext: randomBytes(32), wrapped: randomBytes(60), keyId: 'k' });

test('encrypt side: one KMS call serves many objects; DEKs stay fresh per object', async (t) => {
  const ks = await keystore();
  const cache = new BucketKeyCache();
  const r = new BucketKeyResolver(ks, 'SSE-KMS', 'kms', 'alice', cache, { team: 'a' });
  const deks = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const o = { bucket: 'b', key: `k${i}` };
    const { dek, wrap } = await r.generate(o, 10);
    deks.add(dek.toString('hex'));
    t.truthy(wrap.bucketKey);
    t.is(wrap.wrappedKey.length, 60);
    const env = decodeEnvelope(encodeEnvelope(wrap, dek));
    t.true((await r.recover(o, env)).equals(dek));
    verifyEnvelope(env, dek);
  }
  t.is(deks.size, 50);
  t.is(cache.stats.encryptMisses, 1);
  t.is(cache.stats.encryptHits, 49);
  t.is(cache.stats.decryptMisses, 1);
  t.is(cache.stats.kmsCalls, 2, 'one generate, one unwrap for 50 objects');
});

test('limits: max objects, max bytes and max age each force a new bucket key; evicted keys are zeroed', async (t) => {
  let now = 0;
  const cache = new BucketKeyCache({ maxObjects: 3, maxBytes: 100, maxAgeMs: 1000 }, () => now);
  const handed: Buffer[] = [];
  const generate = async () => {
    const g = gen();
    handed.push(g.plaintext);
    return g;
  };
  for (let i = 0; i < 3; i++) await cache.forEncrypt('b', K, 'p', 1, generate);
  t.is(cache.stats.kmsCalls, 1);
  await cache.forEncrypt('b', K, 'p', 1, generate); // 4th object
  t.is(cache.stats.kmsCalls, 2);
  t.true(handed[0]!.equals(Buffer.alloc(32)), 'the evicted bucket key was zeroed');
  await cache.forEncrypt('b', K, 'p', 100, generate); // 1 + 100 bytes: over 100
  t.is(cache.stats.kmsCalls, 3);
  now = 2000;
  await cache.forEncrypt('b', K, 'p', 1, generate); // too old
  t.is(cache.stats.kmsCalls, 4);
  cache.clear();
  t.true(handed.every((k) => k.equals(Buffer.alloc(32))), 'clear() zeroes every cached key');
});

test('separate sides: a generated bucket key never serves a decrypt; decrypts are cached per principal', async (t) => {
  const cache = new BucketKeyCache();
  const g = await cache.forEncrypt('b', K, 'alice', 1, async () => gen());
  let unwraps = 0;
  const denied = async (): Promise<Buffer> => {
    unwraps++;
    throw new SealError('AccessDenied', 'keystore refused decrypt for this principal');
  };
  // alice generated it, but reading needs the keystore to unwrap it for alice
  await t.throwsAsync(cache.forDecrypt(K, 'alice', g.wrapped, denied), { instanceOf: SealError });
  t.is(unwraps, 1);
  await cache.forDecrypt(K, 'bob', g.wrapped, async () => Buffer.from(g.key));
  // bob's cached unwrap does not serve alice
  await t.throwsAsync(cache.forDecrypt(K, 'alice', g.wrapped, denied));
  t.is(unwraps, 2);
  t.true((await cache.forDecrypt(K, 'bob', g.wrapped, denied)).equals(g.key), 'bob is served from his cache entry');
});

test('bucket-key envelopes bind the object: a wrapped DEK moved to another key fails', async (t) => {
  const ks = await keystore();
  const r = new BucketKeyResolver(ks, 'SSE-S3', 'kms', 'p', new BucketKeyCache());
  const { dek, wrap } = await r.generate({ bucket: 'b', key: 'one' });
  const env = decodeEnvelope(encodeEnvelope(wrap, dek));
  const err = await t.throwsAsync(r.recover({ bucket: 'b', key: 'two' }, env), { instanceOf: SealError });
  t.is(err?.code, 'EnvelopeAuthFailed');
});

test('single flight: concurrent misses for one bucket key make one KMS call', async (t) => {
  const cache = new BucketKeyCache();
  let calls = 0;
  const slow = async () => {
    calls++;
    await new Promise((r) => setTimeout(r, 20));
    return gen();
  };
  const keys = await Promise.all(Array.from({ length: 16 }, () => cache.forEncrypt('b', K, 'p', 1, slow)));
  t.is(calls, 1);
  t.is(new Set(keys.map((k) => k.key.toString('hex'))).size, 1);
  let unwraps = 0;
  const unwrap = async () => {
    unwraps++;
    await new Promise((r) => setTimeout(r, 20));
    return randomBytes(32);
  };
  await Promise.all(Array.from({ length: 16 }, () => cache.forDecrypt(K, 'p', keys[0]!.wrapped, unwrap)));
  t.is(unwraps, 1);
});

test('repairs: expired keys are zeroed without being touched, by any cache operation or by the timer', async (t) => {
  let now = 0;
  const cache = new BucketKeyCache({ maxAgeMs: 1000, sweepIntervalMs: 0 }, () => now);
  const handed: Buffer[] = [];
  const generate = async () => {
    const g = gen();
    handed.push(g.plaintext);
    return g;
  };
  await cache.forEncrypt('b', K, 'p', 1, generate);
  const unwrapped = randomBytes(32);
  await cache.forDecrypt(K, 'p', randomBytes(60), async () => unwrapped);
  now = 500;
  await cache.forEncrypt('other', K, 'p', 1, generate);
  t.false(handed[0]!.equals(Buffer.alloc(32)), 'not yet expired: kept');
  now = 1001;
  // an operation on another entry sweeps the expired ones (both sides)
  await cache.forDecrypt({ keystore: 'file', keyId: 'file:other' }, 'p', randomBytes(60), async () => randomBytes(32));
  t.true(handed[0]!.equals(Buffer.alloc(32)), 'the expired encrypt-side key was zeroed by the sweep');
  t.is(cache.stats.evictions, 2, 'and the expired decrypt-side key');
  t.false(handed[1]!.equals(Buffer.alloc(32)), 'the younger key stays');

  // with nothing touching the cache, the unref'd timer sweeps
  let clock = 0;
  const idle = new BucketKeyCache({ maxAgeMs: 1000, sweepIntervalMs: 10 }, () => clock);
  const g = gen();
  await idle.forEncrypt('b', K, 'p', 1, async () => g);
  clock = 5000;
  await new Promise((r) => setTimeout(r, 60));
  t.true(g.plaintext.equals(Buffer.alloc(32)), 'the timer zeroed the idle expired key');
});

test('repairs: charge() counts multipart bytes against the encrypt-side key and retires it past maxBytes', async (t) => {
  const cache = new BucketKeyCache({ maxBytes: 100 });
  const handed: Buffer[] = [];
  const generate = async () => {
    const g = gen();
    handed.push(g.plaintext);
    return g;
  };
  const upload = await cache.forEncrypt('b', K, 'p', 0, generate); // CreateMultipartUpload: size unknown
  cache.charge('b', K, 'p', upload.wrapped, 60);
  await cache.forEncrypt('b', K, 'p', 0, generate);
  t.is(cache.stats.kmsCalls, 1, '60 of 100 bytes: the key still serves');
  cache.charge('b', { keystore: 'awskms', keyId: 'file:k' }, 'p', upload.wrapped, 1000);
  cache.charge('b', K, 'p', randomBytes(60), 1000);
  await cache.forEncrypt('b', K, 'p', 0, generate);
  t.is(cache.stats.kmsCalls, 1, 'charges for another keystore or another wrap do not count');
  cache.charge('b', K, 'p', upload.wrapped, 60); // 120 > 100
  t.true(handed[0]!.equals(Buffer.alloc(32)), 'retired and zeroed as soon as the limit is passed');
  await cache.forEncrypt('b', K, 'p', 0, generate);
  t.is(cache.stats.kmsCalls, 2, 'the next object gets a new bucket key');
});

test('repairs: cache ids include the keystore: the same key id in two keystores never shares an entry', async (t) => {
  const cache = new BucketKeyCache();
  const a = await cache.forEncrypt('b', { keystore: 'file', keyId: 'foo' }, 'p', 1, async () => gen());
  const b = await cache.forEncrypt('b', { keystore: 'awskms', keyId: 'foo' }, 'p', 1, async () => gen());
  t.false(a.key.equals(b.key));
  t.is(cache.stats.kmsCalls, 2);
  const wrapped = randomBytes(60);
  await cache.forDecrypt({ keystore: 'file', keyId: 'foo' }, 'p', wrapped, async () => randomBytes(32));
  await t.throwsAsync(
    cache.forDecrypt({ keystore: 'awskms', keyId: 'foo' }, 'p', wrapped, async () => {
      throw new SealError('AccessDenied', 'not this keystore');
    }),
  );
});

test('repairs: a key evicted before its own request resumes is never handed out (zeroed) — the request asks again', async (t) => {
  const cache = new BucketKeyCache({ maxEntries: 1 });
  const got = await Promise.all(['x', 'y', 'z'].map((bucket) => cache.forEncrypt(bucket, K, 'p', 1, async () => gen())));
  for (const g of got) t.false(g.key.equals(Buffer.alloc(32)), 'a live key, not a zeroed one');
});
