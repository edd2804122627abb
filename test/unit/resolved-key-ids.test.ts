/** Repairs (issue 6 item 22): resolved key ids are shared by a registry's resolvers, with a TTL. */
import test from 'ava';
import { decodeEnvelope, encodeEnvelope } from '../../src/crypto/envelope.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { KeystoreRegistry } from '../../src/engine/materials/keystore-registry.js';
import { ResolvedKeyIds } from '../../src/keystores/resolved-key-ids.js';
import type { Keystore } from '../../src/keystores/keystore.js';
import { CountingKeystore } from '../helpers/counting-keystore.js';

const o = { bucket: 'b', key: 'k' };

test('item 22: a new resolver per request (as a door builds them) costs one DescribeKey, not one per read', async (t) => {
  const ks = await CountingKeystore.create(['kms']);
  const registry = new KeystoreRegistry({ file: ks }, 'file');
  const { dek, wrap } = await registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:kms' }).generate(o);
  const env = decodeEnvelope(encodeEnvelope(wrap, dek));
  for (let i = 0; i < 20; i++) await registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:kms' }).recover(o, env);
  t.is(ks.calls.describeKey, 0, 'the write taught the shared cache the resolved id: no read asks');
  registry.keyIds.clear();
  for (let i = 0; i < 20; i++) await registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:kms' }).recover(o, env);
  t.is(ks.calls.describeKey, 1, 'a process that did not write it: one DescribeKey for all reads');
  t.is(ks.calls.decryptDataKey, 40, 'without bucket keys every read unwraps');
});

test('item 22: bucket-key reads through a new resolver per request share the decrypt-side cache: one DescribeKey, one Decrypt', async (t) => {
  const ks = await CountingKeystore.create(['kms']);
  const registry = new KeystoreRegistry({ file: ks }, 'file');
  const req = { mode: 'SSE-KMS' as const, keyRef: 'file:kms', bucketKeyPrincipal: 'reader' };
  const envs = [];
  for (let i = 0; i < 20; i++) {
    const { dek, wrap } = await registry.resolver(req).generate({ bucket: 'b', key: `k${i}` }, 1);
    envs.push(decodeEnvelope(encodeEnvelope(wrap, dek)));
  }
  for (let i = 0; i < 20; i++) await registry.resolver(req).recover({ bucket: 'b', key: `k${i}` }, envs[i]!);
  t.is(ks.calls.generateDataKey, 1);
  t.is(ks.calls.decryptDataKey, 1);
  t.is(ks.calls.describeKey, 1);
});

test('item 22: resolved ids expire after the TTL; a failed lookup is not cached', async (t) => {
  const ks = await CountingKeystore.create(['kms']);
  let now = 0;
  const ids = new ResolvedKeyIds({ ttlMs: 1000 }, () => now);
  t.is(await ids.resolve(ks, 'kms'), 'file:kms');
  now = 1000;
  await ids.resolve(ks, 'kms');
  t.is(ks.calls.describeKey, 1, 'reused within the TTL');
  now = 1001;
  await ids.resolve(ks, 'kms');
  t.is(ks.calls.describeKey, 2, 'asked again after it');
  now = 5000;
  ks.describeFailure = new KeystoreError('KeyStoreUnavailable', 'outage');
  await t.throwsAsync(ids.resolve(ks, 'kms'), { instanceOf: KeystoreError });
  ks.describeFailure = undefined;
  t.is(await ids.resolve(ks, 'kms'), 'file:kms', 'the outage was not remembered');
  t.is(ks.calls.describeKey, 4);
});

test('item 22: concurrent lookups make one DescribeKey; ids are keyed with the keystore', async (t) => {
  const file = await CountingKeystore.create(['foo']);
  const kms = await CountingKeystore.create(['foo'], 'awskms');
  const ids = new ResolvedKeyIds();
  const got = await Promise.all(Array.from({ length: 10 }, () => ids.resolve(file, 'foo')));
  t.deepEqual(new Set(got), new Set(['file:foo']));
  t.is(file.calls.describeKey, 1);
  t.is(await ids.resolve(kms, 'foo'), 'arn:aws:kms:us-east-1:000000000000:key/foo');
  t.is(kms.calls.describeKey, 1);
});

test('review: an object written after its alias was re-pointed is readable at once, though the cached id is still the old target', async (t) => {
  // an alias that names one of two real file keys; re-pointing it is what an operator does with KMS aliases
  const ks = await CountingKeystore.create(['k1', 'k2']);
  let target = 'k1';
  const alias: Keystore = {
    id: 'file',
    capabilities: ks.capabilities,
    generateDataKey: (_n, c) => ks.generateDataKey(target, c),
    decryptDataKey: (_n, w, c) => ks.decryptDataKey(target, w, c),
    encryptDataKey: (_n, p, c) => ks.encryptDataKey(target, p, c),
    rewrapDataKey: (_n, w, c, to) => ks.rewrapDataKey(target, w, c, to),
    createKey: (n) => ks.createKey(n),
    rotateKey: () => ks.rotateKey(target),
    describeKey: () => ks.describeKey(target),
    deriveSecret: (_n, l) => ks.deriveSecret(target, l),
  };
  let clock = 0;
  const registry = new KeystoreRegistry({ file: alias }, 'file', undefined, new ResolvedKeyIds({}, () => clock));
  for (const bucketKeyPrincipal of [undefined, 'p']) {
    target = 'k1';
    registry.keyIds.clear();
    const req = { mode: 'SSE-KMS' as const, keyRef: 'file:alias', ...(bucketKeyPrincipal ? { bucketKeyPrincipal } : {}) };
    const first = await registry.resolver(req).generate({ bucket: 'b', key: 'before' }, 1);
    await registry.resolver(req).recover({ bucket: 'b', key: 'before' }, decodeEnvelope(encodeEnvelope(first.wrap, first.dek)));
    target = 'k2'; // re-pointed within the TTL: the registry still holds file:k1
    clock += 1000; // (a fresh lookup is not repeated within 1 s of the last answer)
    registry.bucketKeys.clear();
    const { dek, wrap } = await registry.resolver(req).generate(o, 1);
    t.is(wrap.keyRef, 'file:k2');
    const got = await registry.resolver(req).recover(o, decodeEnvelope(encodeEnvelope(wrap, dek)));
    t.true(got.equals(dek), `${bucketKeyPrincipal ? 'bucket-key' : 'direct'} read of a fresh object`);
  }
  // a key id that no fresh lookup confirms is still refused, and planted reads cannot make a lookup each
  const { dek, wrap } = await registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:alias' }).generate(o);
  const planted = decodeEnvelope(encodeEnvelope({ ...wrap, keyRef: 'file:k1' }, dek));
  clock += 1000;
  const before = ks.calls.describeKey;
  for (let i = 0; i < 20; i++) {
    clock += 10;
    await t.throwsAsync(registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:alias' }).recover(o, planted), { code: 'AccessDenied' });
  }
  t.is(ks.calls.describeKey - before, 1, '20 planted reads within 1 s: one fresh lookup');
});
