/** Repairs (issue 6 items 10, 11, 14): bucket-key resolvers keyed by keystore + resolved id, key-id checks, sweeps. */
import test from 'ava';
import { decodeEnvelope, encodeEnvelope, verifyEnvelope } from '../../src/crypto/envelope.js';
import { SealError } from '../../src/errors.js';
import { BucketKeyCache } from '../../src/keystores/bucket-key-cache.js';
import { BucketKeyResolver } from '../../src/engine/materials/bucket-key-resolver.js';
import { KeystoreKeyResolver } from '../../src/engine/materials/keystore-key-resolver.js';
import { KeystoreRegistry } from '../../src/engine/materials/keystore-registry.js';
import { CountingKeystore } from '../helpers/counting-keystore.js';

const o = { bucket: 'b', key: 'k' };
const ARN = 'arn:aws:kms:us-east-1:000000000000:key/foo';

test('item 10: AWS KMS key foo is never served the bucket key of file:foo (encrypt side)', async (t) => {
  const file = await CountingKeystore.create(['foo']);
  const kms = await CountingKeystore.create(['foo'], 'awskms');
  const registry = new KeystoreRegistry({ file, awskms: kms });
  await registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:foo', bucketKeyPrincipal: 'p' }).generate(o, 1);
  const { wrap } = await registry.resolver({ mode: 'SSE-KMS', keyRef: 'foo', bucketKeyPrincipal: 'p' }).generate(o, 1);
  t.is(kms.calls.generateDataKey, 1, 'the AWS KMS request asked AWS KMS for its bucket key');
  t.is(wrap.keyRef, ARN, 'and its envelope names the AWS KMS key');
});

test('item 10: a bucket key unwrapped for file:foo never serves a read that resolves to AWS KMS key foo (decrypt side)', async (t) => {
  const file = await CountingKeystore.create(['foo']);
  const kms = await CountingKeystore.create(['foo'], 'awskms');
  const registry = new KeystoreRegistry({ file, awskms: kms });
  const viaFile = registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:foo', bucketKeyPrincipal: 'p' });
  const { dek, wrap } = await viaFile.generate(o, 1);
  await viaFile.recover(o, decodeEnvelope(encodeEnvelope(wrap, dek))); // cached on the decrypt side
  // the same blobs under an envelope that names the AWS KMS key: only AWS KMS may unwrap them
  const planted = decodeEnvelope(encodeEnvelope({ ...wrap, keyRef: ARN }, dek));
  await t.throwsAsync(registry.resolver({ mode: 'SSE-KMS', keyRef: 'foo', bucketKeyPrincipal: 'p' }).recover(o, planted));
  t.is(kms.calls.decryptDataKey, 1, 'AWS KMS was asked (and refused), not the cache of file:foo');
});

for (const bucketKeys of [true, false]) {
  const path = bucketKeys ? 'bucket-key' : 'direct';
  const resolver = (ks: CountingKeystore, mode: 'SSE-S3' | 'SSE-KMS', name: string) =>
    bucketKeys ? new BucketKeyResolver(ks, mode, name, 'p', new BucketKeyCache()) : new KeystoreKeyResolver(ks, mode, name);

  test(`item 11 (${path}): an SSE-S3 envelope whose key id was rewritten to a KMS ARN is refused before any unwrap`, async (t) => {
    const ks = await CountingKeystore.create(['s3-default']);
    const r = resolver(ks, 'SSE-S3', 's3-default');
    const { dek, wrap } = await r.generate(o, 1);
    const env = decodeEnvelope(encodeEnvelope(wrap, dek));
    verifyEnvelope(env, await r.recover(o, env));
    const unwraps = ks.calls.decryptDataKey;
    const rewritten = decodeEnvelope(encodeEnvelope({ ...wrap, keyRef: ARN }, dek));
    const err = await t.throwsAsync(r.recover(o, rewritten), { instanceOf: SealError });
    t.is(err?.code, 'EnvelopeMalformed');
    t.is(ks.calls.decryptDataKey, unwraps, 'no keystore unwrap for a refused envelope');
  });

  test(`item 11 (${path}): an SSE-KMS envelope naming another key is AccessDenied`, async (t) => {
    const ks = await CountingKeystore.create(['a', 'b']);
    const { dek, wrap } = await resolver(ks, 'SSE-KMS', 'a').generate(o, 1);
    const err = await t.throwsAsync(resolver(ks, 'SSE-KMS', 'b').recover(o, decodeEnvelope(encodeEnvelope(wrap, dek))), { instanceOf: SealError });
    t.is(err?.code, 'AccessDenied');
  });
}

test('item 14: an expired bucket key is zeroed by the next use of the cache, though nobody touches it', async (t) => {
  const ks = await CountingKeystore.create(['a', 'b']);
  let now = 0;
  const cache = new BucketKeyCache({ maxAgeMs: 1000 }, () => now);
  await new BucketKeyResolver(ks, 'SSE-KMS', 'a', 'p', cache).generate(o, 1);
  const bucketKeyOfA = ks.handedOut[0]!;
  now = 5000;
  await new BucketKeyResolver(ks, 'SSE-KMS', 'b', 'p', cache).generate(o, 1);
  t.true(bucketKeyOfA.equals(Buffer.alloc(32)), "key a's expired bucket key was zeroed");
  t.false(ks.handedOut[1]!.equals(Buffer.alloc(32)), "key b's fresh one was not");
});
