/**
 * The materials manager (issue 7 item 1; DESIGN.md "Reads take the key from the envelope, and check
 * it is allowed", "Defaults"): writes pick their resolver from the encryption plan, reads from the
 * envelope alone — the reader is never told how an object was written — after the allowed-read-keys
 * check, which refuses a key this process could unwrap but is not configured to read, before any
 * keystore unwrap. Real wraps: FileKeystores (one posing as AWS KMS) through CountingKeystore.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { ContainerModule } from 'inversify';
import { buffer } from 'node:stream/consumers';
import { decodeEnvelope, encodeEnvelope, verifyEnvelope, type Envelope } from '../../src/crypto/envelope.js';
import type { ObjectId } from '../../src/crypto/object-id.js';
import { SealError } from '../../src/errors.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import type { KeyResolver } from '../../src/engine/key-resolver.js';
import type { AllowedReadKeys } from '../../src/engine/materials/allowed-read-keys.js';
import { ConfiguredReadKeys } from '../../src/engine/materials/configured-read-keys.js';
import { KeystoreKeyResolver } from '../../src/engine/materials/keystore-key-resolver.js';
import { KeystoreRegistry } from '../../src/engine/materials/keystore-registry.js';
import { MaterialsManager, type EncryptionPlan, type MaterialsManagerOptions } from '../../src/engine/materials/materials-manager.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { bindService, closeContainer, createContainer, getService, TOKENS } from '../../src/index.js';
import { CountingKeystore } from '../helpers/counting-keystore.js';
import { MemoryStore } from '../helpers/memory-store.js';

const o: ObjectId = { bucket: 'b', key: 'dir/k' };
const ARN_A = 'arn:aws:kms:us-east-1:000000000000:key/kms-a';

interface Fixture {
  file: CountingKeystore;
  kms: CountingKeystore;
  registry: KeystoreRegistry;
  manager: MaterialsManager;
}

/** file keys: the managed `s3-default`, `a` (configured) and `planted` (unwrappable, not configured); AWS KMS: `kms-a` */
async function fixture(opts: MaterialsManagerOptions & { readKeys?: string[] } = { defaultKmsKey: 'file:a', readKeys: [ARN_A] }): Promise<Fixture> {
  const file = await CountingKeystore.create(['s3-default', 'a', 'planted']);
  const kms = await CountingKeystore.create(['kms-a'], 'awskms');
  const registry = new KeystoreRegistry({ file, awskms: kms }, 'awskms', undefined, undefined, 'file:s3-default');
  const manager = new MaterialsManager(registry, new ConfiguredReadKeys(registry, opts), opts);
  return { file, kms, registry, manager };
}

/** what a write stores: the envelope as a reader decodes it, and the DEK it must recover */
async function written(keys: KeyResolver, at: ObjectId = o): Promise<{ env: Envelope; dek: Buffer }> {
  const { dek, wrap } = await keys.generate(at, 1);
  return { env: decodeEnvelope(encodeEnvelope(wrap, dek)), dek };
}

const decrypts = (f: Fixture): number => f.file.calls.decryptDataKey + f.kms.calls.decryptDataKey;
const key32 = (): Buffer => randomBytes(32);

const plans: [string, EncryptionPlan][] = [
  ['SSE-S3 direct', { mode: 'SSE-S3' }],
  ['SSE-S3 bucket-key', { mode: 'SSE-S3', bucketKey: true }],
  ['SSE-KMS direct, with context', { mode: 'SSE-KMS', keyRef: 'file:a', context: { dept: 'payroll' } }],
  ['SSE-KMS bucket-key, with context', { mode: 'SSE-KMS', keyRef: 'file:a', context: { dept: 'payroll' }, bucketKey: true }],
  ['SSE-KMS under an AWS KMS key in readKeys', { mode: 'SSE-KMS', keyRef: 'kms-a' }],
  ['SSE-KMS bucket-key under an AWS KMS key in readKeys', { mode: 'SSE-KMS', keyRef: ARN_A, bucketKey: true, context: { x: 'y' } }],
  ['SSE-KMS with no key id: the configured default', { mode: 'SSE-KMS' }],
  ['SSE-C', { mode: 'SSE-C', customerKey: Buffer.alloc(32, 7) }],
];

for (const [name, plan] of plans) {
  test(`${name}: read back through forRead from the envelope alone`, async (t) => {
    const f = await fixture();
    const { env, dek } = await written(await f.manager.forWrite(plan, 'svc'), o);
    t.is(env.mode, plan.mode);
    t.is(env.bucketKey !== undefined, plan.mode !== 'SSE-C' && plan.bucketKey === true, 'bucket-key mode as planned');
    if (plan.mode === 'SSE-S3') t.is(env.keyRef, 'file:s3-default', 'SSE-S3 is the managed key');
    if (plan.mode === 'SSE-KMS') t.is(env.keyRef, plan.keyRef === undefined ? 'file:a' : plan.keyRef === 'file:a' ? 'file:a' : ARN_A, 'the resolved id is stored');
    // the reader knows the principal and, for SSE-C, the key the request carried — nothing else
    const reader = await f.manager.forRead({ object: o, envelope: env, principal: 'svc', ...(plan.mode === 'SSE-C' ? { customerKey: Buffer.alloc(32, 7) } : {}) });
    const got = await reader.recover(o, env);
    t.true(got.equals(dek));
    t.notThrows(() => verifyEnvelope(env, got));
  });
}

test('bucket-key reads use the principal: a second read of the same bucket key asks the keystore nothing', async (t) => {
  const f = await fixture();
  const w = await f.manager.forWrite({ mode: 'SSE-KMS', keyRef: 'file:a', bucketKey: true }, 'svc');
  const one = await written(w, { bucket: 'b', key: 'one' });
  const two = await written(w, { bucket: 'b', key: 'two' });
  await (await f.manager.forRead({ object: { bucket: 'b', key: 'one' }, envelope: one.env, principal: 'svc' })).recover({ bucket: 'b', key: 'one' }, one.env);
  const before = { ...f.file.calls };
  const got = await (await f.manager.forRead({ object: { bucket: 'b', key: 'two' }, envelope: two.env, principal: 'svc' })).recover({ bucket: 'b', key: 'two' }, two.env);
  t.true(got.equals(two.dek));
  t.deepEqual(f.file.calls, before, 'no decrypt, no describeKey: bucket key and resolved ids are the shared caches');
  // another principal never reads through svc's cached bucket key (DESIGN.md "Bucket keys")
  await (await f.manager.forRead({ object: { bucket: 'b', key: 'two' }, envelope: two.env, principal: 'other' })).recover({ bucket: 'b', key: 'two' }, two.env);
  t.is(f.file.calls.decryptDataKey, before.decryptDataKey + 1);
});

for (const bucketKey of [false, true]) {
  const path = bucketKey ? 'bucket-key' : 'direct';
  test(`${path}: an envelope planted under a key this process can unwrap but may not read is AccessDenied, with no keystore unwrap`, async (t) => {
    const f = await fixture();
    // written with the registry directly: someone who may encrypt under `planted` (not a configured key)
    const planted = await written(f.registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:planted', ...(bucketKey ? { bucketKeyPrincipal: 'svc' } : {}) }));
    const unwraps = decrypts(f);
    const err = await t.throwsAsync(f.manager.forRead({ object: o, envelope: planted.env, principal: 'svc' }), { instanceOf: SealError });
    t.is(err?.code, 'AccessDenied');
    t.regex(err.message, /file:planted/);
    t.is(decrypts(f), unwraps, 'zero decrypt calls');
    // and the key really is unwrappable here: only the pin stood in the way
    t.true((await f.registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:planted', ...(bucketKey ? { bucketKeyPrincipal: 'svc' } : {}) }).recover(o, planted.env)).equals(planted.dek));
  });
}

test('the managed SSE-S3 key is not an SSE-KMS read key unless configured as one', async (t) => {
  const f = await fixture();
  const kmsUnderManaged = await written(f.registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:s3-default' }));
  const err = await t.throwsAsync(f.manager.forRead({ object: o, envelope: kmsUnderManaged.env, principal: 'svc' }), { instanceOf: SealError });
  t.is(err?.code, 'AccessDenied');
  t.is(decrypts(f), 0);
});

test('readKeys is the allow-list: a key added there becomes readable; without it and without a default, no SSE-KMS key is', async (t) => {
  const none = await fixture({});
  const obj = await written(none.registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:planted' }));
  t.is((await t.throwsAsync(none.manager.forRead({ object: o, envelope: obj.env, principal: 'svc' }), { instanceOf: SealError }))?.code, 'AccessDenied');
  const listed = await fixture({ readKeys: ['file:planted'] });
  const again = await written(listed.registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:planted' }));
  t.true((await (await listed.manager.forRead({ object: o, envelope: again.env, principal: 'svc' })).recover(o, again.env)).equals(again.dek));
});

for (const bucketKey of [false, true]) {
  const path = bucketKey ? 'bucket-key' : 'direct';
  test(`${path}: an SSE-S3 envelope naming a KMS key is refused before any unwrap`, async (t) => {
    const f = await fixture();
    const { env, dek } = await written(await f.manager.forWrite({ mode: 'SSE-S3', bucketKey }, 'svc'));
    for (const other of [ARN_A, 'file:a']) {
      const rewritten = decodeEnvelope(encodeEnvelope({ ...env, keyRef: other }, dek));
      const err = await t.throwsAsync(f.manager.forRead({ object: o, envelope: rewritten, principal: 'svc' }), { instanceOf: SealError });
      t.is(err?.code, 'EnvelopeMalformed', `SSE-S3 under ${other}`);
    }
    // an SSE-S3 object wrapped under another key of the same keystore (not the managed one) is refused too
    const elsewhere = await written(new KeystoreKeyResolver(f.file, 'SSE-S3', 'planted'));
    t.is((await t.throwsAsync(f.manager.forRead({ object: o, envelope: elsewhere.env, principal: 'svc' }), { instanceOf: SealError }))?.code, 'EnvelopeMalformed');
    t.is(decrypts(f), 0);
  });
}

test('SSE-C: no key → InvalidRequest (400), wrong key → AccessDenied (403) before any unwrap, key on a non-SSE-C object → InvalidRequest', async (t) => {
  const f = await fixture();
  const k = key32();
  const ssec = await written(await f.manager.forWrite({ mode: 'SSE-C', customerKey: k }, 'svc'));
  const missing = await t.throwsAsync(f.manager.forRead({ object: o, envelope: ssec.env, principal: 'svc' }), { instanceOf: SealError });
  t.is(missing?.code, 'InvalidRequest');
  t.is(missing?.message, 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');
  const wrong = await t.throwsAsync((await f.manager.forRead({ object: o, envelope: ssec.env, principal: 'svc', customerKey: key32() })).recover(o, ssec.env), { instanceOf: SealError });
  t.is(wrong?.code, 'AccessDenied');
  for (const plan of [{ mode: 'SSE-S3' }, { mode: 'SSE-KMS', keyRef: 'file:a' }] as const) {
    const other = await written(await f.manager.forWrite(plan, 'svc'));
    const err = await t.throwsAsync(f.manager.forRead({ object: o, envelope: other.env, principal: 'svc', customerKey: k }), { instanceOf: SealError });
    t.is(err?.code, 'InvalidRequest', `an SSE-C key on an ${plan.mode} object`);
    t.is(err?.message, 'The encryption parameters are not applicable to this object.');
  }
  t.is(decrypts(f), 0);
});

test('SSE-C: the read resolver holds its own copy of the key and zeroes it on dispose', async (t) => {
  const f = await fixture();
  const k = key32();
  const ssec = await written(await f.manager.forWrite({ mode: 'SSE-C', customerKey: k }, 'svc'));
  const r = await f.manager.forRead({ object: o, envelope: ssec.env, principal: 'svc', customerKey: k });
  r.dispose?.();
  t.false(k.equals(Buffer.alloc(32)), "the caller's buffer is the caller's");
  await t.throwsAsync(r.recover(o, ssec.env), { instanceOf: SealError, message: /does not match/ });
});

test('SSE-KMS with no key id and no default KMS key → InvalidArgument', async (t) => {
  const f = await fixture({ readKeys: ['file:a'] });
  const err = await t.throwsAsync(f.manager.forWrite({ mode: 'SSE-KMS', context: { a: 'b' } }, 'svc'), { instanceOf: SealError });
  t.is(err?.code, 'InvalidArgument');
  t.regex(err.message, /no default KMS key/);
  t.is(f.file.calls.generateDataKey, 0);
});

test('reads cost no DescribeKey per request: resolved ids come from the shared cache', async (t) => {
  const f = await fixture();
  const objs = await Promise.all(['x', 'y', 'z'].map(async (key) => ({ at: { bucket: 'b', key }, ...(await written(await f.manager.forWrite({ mode: 'SSE-KMS', keyRef: 'file:a' }, 'svc'), { bucket: 'b', key })) })));
  const first = objs[0]!;
  await (await f.manager.forRead({ object: first.at, envelope: first.env, principal: 'svc' })).recover(first.at, first.env);
  const described = f.file.calls.describeKey + f.kms.calls.describeKey;
  for (const x of objs.slice(1)) await (await f.manager.forRead({ object: x.at, envelope: x.env, principal: 'svc' })).recover(x.at, x.env);
  t.is(f.file.calls.describeKey + f.kms.calls.describeKey, described);
});

test('a keystore outage while checking the allow-list fails closed with that error, not AccessDenied', async (t) => {
  const f = await fixture({ readKeys: ['file:a'] });
  const obj = await written(await f.manager.forWrite({ mode: 'SSE-KMS', keyRef: 'file:a' }, 'svc'));
  const outage = new KeystoreError('KeyStoreUnavailable', 'keystore unreachable');
  f.registry.keyIds.clear(); // a reader that did not write the object must look the key up
  f.file.describeFailure = outage;
  t.is(await t.throwsAsync(f.manager.forRead({ object: o, envelope: obj.env, principal: 'svc' })), outage);
  f.file.describeFailure = undefined;
  t.true((await (await f.manager.forRead({ object: o, envelope: obj.env, principal: 'svc' })).recover(o, obj.env)).equals(obj.dek), 'the failure was not cached');
});

test('a misspelt keyRef in readKeys fails at wiring time', async (t) => {
  const f = await fixture();
  t.throws(() => new ConfiguredReadKeys(f.registry, { readKeys: ['nope:x'] }), { instanceOf: SealError, message: /unknown key id scheme/ });
});

test('reader(): SealedObjects.get reads objects of every mode through one resolver built without knowing them', async (t) => {
  const f = await fixture();
  const store = new MemoryStore();
  const objects = new SealedObjects(store, { uploadTokenRoot: randomBytes(32) });
  const body = Buffer.from('written one way, read without knowing which');
  const written: [ObjectId, EncryptionPlan][] = [
    [{ bucket: 'b', key: 's3' }, { mode: 'SSE-S3' }],
    [{ bucket: 'b', key: 's3-bk' }, { mode: 'SSE-S3', bucketKey: true }],
    [{ bucket: 'b', key: 'kms' }, { mode: 'SSE-KMS', keyRef: 'file:a', context: { c: 'd' } }],
    [{ bucket: 'b', key: 'kms-bk' }, { mode: 'SSE-KMS', keyRef: ARN_A, bucketKey: true }],
  ];
  for (const [at, plan] of written) await objects.put(at, body, body.length, {}, await f.manager.forWrite(plan, 'svc'));
  const reader = f.manager.reader('svc');
  for (const [at] of written) t.deepEqual(await buffer((await objects.get(at, reader)).stream), body, at.key);
  await t.throwsAsync(reader.generate(o), { instanceOf: SealError, message: /cannot encrypt/ });
});

test('container: TOKENS.MaterialsManager is wired with defaultKmsKey and readKeys; TOKENS.AllowedReadKeys is the port a policy layer rebinds', async (t) => {
  const ks = await CountingKeystore.create(['s3-default', 'dflt', 'extra', 'planted']);
  const base = {
    backend: { endpoint: 'http://127.0.0.1:9', accessKeyId: 'a', secretAccessKey: 'b' },
    uploadTokenRoot: randomBytes(32).toString('base64'),
    defaultKmsKeystore: 'file' as const,
    defaultKmsKey: 'dflt',
    readKeys: ['file:extra'],
  };
  const withKeystore = new ContainerModule(({ bind }) => {
    bindService(bind, TOKENS.Keystore).toConstantValue(ks);
  });
  const c = createContainer(base, { modules: [withKeystore] });
  const m = getService(c, TOKENS.MaterialsManager);
  t.true(m instanceof MaterialsManager);
  const registry = getService(c, TOKENS.KeystoreRegistry);
  const dflt = await written(await m.forWrite({ mode: 'SSE-KMS' }, 'svc'));
  t.is(dflt.env.keyRef, 'file:dflt', 'a bare defaultKmsKey goes to the default KMS keystore');
  for (const ref of ['file:dflt', 'file:extra']) {
    const w = await written(registry.resolver({ mode: 'SSE-KMS', keyRef: ref }));
    t.true((await (await m.forRead({ object: o, envelope: w.env, principal: 'svc' })).recover(o, w.env)).equals(w.dek), ref);
  }
  const planted = await written(registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:planted' }));
  t.is((await t.throwsAsync(m.forRead({ object: o, envelope: planted.env, principal: 'svc' }), { instanceOf: SealError }))?.code, 'AccessDenied');
  await closeContainer(c);

  const seen: string[] = [];
  const policy: AllowedReadKeys = {
    check: ({ principal, object, mode, keyId, use }) => {
      seen.push(`${principal} ${object.bucket}/${object.key} ${mode} ${keyId ?? '-'} ${use}`);
      return Promise.resolve();
    },
  };
  const rebound = createContainer(base, {
    modules: [
      withKeystore,
      new ContainerModule(({ rebind }) => {
        bindService(rebind, TOKENS.AllowedReadKeys).toConstantValue(policy);
      }),
    ],
  });
  const m2 = getService(rebound, TOKENS.MaterialsManager);
  const p2 = await written(getService(rebound, TOKENS.KeystoreRegistry).resolver({ mode: 'SSE-KMS', keyRef: 'file:planted' }));
  t.true((await (await m2.forRead({ object: o, envelope: p2.env, principal: 'alice' })).recover(o, p2.env)).equals(p2.dek));
  t.deepEqual(seen, ['alice b/dir/k SSE-KMS file:planted decrypt']);
  await closeContainer(rebound);
});

test('denied reads re-resolve the allow-list at most once per 5 s, and a configured key that is gone matches nothing (review E)', async (t) => {
  const file = await CountingKeystore.create(['s3-default', 'a', 'planted']);
  const registry = new KeystoreRegistry({ file }, 'file', undefined, undefined, 'file:s3-default');
  let clock = 0;
  const readKeys = new ConfiguredReadKeys(registry, { readKeys: ['file:a', 'file:gone'] }, () => clock);
  const manager = new MaterialsManager(registry, readKeys, {});
  const planted = await written(await manager.forWrite({ mode: 'SSE-KMS', keyRef: 'file:planted' }, 'svc'));
  const denied = async (): Promise<void> => {
    const err = await t.throwsAsync(manager.forRead({ object: o, envelope: planted.env, principal: 'svc' }));
    t.true(err instanceof SealError && err.code === 'AccessDenied', String(err));
  };
  await denied();
  const after = file.calls.describeKey;
  for (let i = 0; i < 10; i++) {
    clock += 100;
    await denied();
  }
  t.is(file.calls.describeKey - after, 10 * 1, 'within 5 s: only the (uncached) missing key is asked, once per read, no fresh round');
  clock += 5_000;
  await denied();
  t.true(file.calls.describeKey - after > 10, 'after 5 s a fresh round may happen again');
});
