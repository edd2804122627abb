/**
 * CopyObject / UploadPartCopy through the engine facade over an in-memory backend (issue 7 item 4),
 * with real wraps (FileKeystores through CountingKeystore): the source envelope's MAC is verified
 * before it is re-wrapped (a tampered envelope is never re-MACed into an authentic one); every DEK
 * handed out is zeroed after the copy; the policy is asked first (GetObject on the source, PutObject
 * on the destination) and a refusal costs no backend request and no key; the new wrap binds the
 * destination's bucket and key; a source version is NotImplemented before anything is read.
 * Real-server tests: test/integration/copy-*.test.ts.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { ENVELOPE_METADATA_KEY } from '../../src/crypto/constants.js';
import { SealError } from '../../src/errors.js';
import { ConfiguredReadKeys } from '../../src/engine/materials/configured-read-keys.js';
import { KeystoreRegistry } from '../../src/engine/materials/keystore-registry.js';
import { MaterialsManager } from '../../src/engine/materials/materials-manager.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { ObjectFacade } from '../../src/engine/facade/object-facade.js';
import type { ObjectAction, ObjectActionPolicy } from '../../src/engine/facade/object-action-policy.js';
import type { CopyObjectRequest } from '../../src/engine/facade/copy-object-types.js';
import { CountingKeystore } from '../helpers/counting-keystore.js';
import { MemoryStore } from '../helpers/memory-store.js';

async function fixture(policy?: ObjectActionPolicy) {
  const file = await CountingKeystore.create(['s3-default', 'a', 'b']);
  const registry = new KeystoreRegistry({ file }, 'file', undefined, undefined, 'file:s3-default');
  const opts = { defaultKmsKey: 'file:a', readKeys: ['file:b'] };
  const manager = new MaterialsManager(registry, new ConfiguredReadKeys(registry, opts), opts);
  const store = new MemoryStore();
  const objects = new SealedObjects(store, { uploadTokenRoot: randomBytes(32) });
  return { file, store, facade: new ObjectFacade(objects, manager, store, policy) };
}

const body = randomBytes(150_000);
const copyReq = (over: Partial<CopyObjectRequest> = {}): CopyObjectRequest => ({
  principal: 'svc',
  source: { bucket: 'b', key: 'src' },
  bucket: 'b',
  key: 'dst',
  encryption: { mode: 'SSE-KMS', keyRef: 'file:b', context: { to: 'dst' } },
  encryptionRequested: true,
  metadataDirective: 'COPY',
  ...over,
});

test('a source envelope whose MAC does not verify is EnvelopeAuthFailed: it is never re-wrapped into an authentic envelope, nothing is copied', async (t) => {
  const f = await fixture();
  await f.facade.putObject({ bucket: 'b', key: 'src', principal: 'svc', body, contentLength: body.length, encryption: { mode: 'SSE-KMS', keyRef: 'file:a' } });
  const head = await f.store.head('b', 'src');
  const env = Buffer.from(head.metadata[ENVELOPE_METADATA_KEY]!, 'base64url');
  env[env.length - 1] = env[env.length - 1]! ^ 1; // the MAC's last byte
  const raw = await buffer(await f.store.get('b', 'src'));
  f.store.set('b', 'src', raw, { ...head.metadata, [ENVELOPE_METADATA_KEY]: env.toString('base64url') });
  const err = await t.throwsAsync(f.facade.copyObject(copyReq()), { instanceOf: SealError });
  t.is(err?.code, 'EnvelopeAuthFailed');
  t.is(f.store.copies, 0);
  t.false(f.store.has('b', 'dst'));
});

test('a re-wrap zeroes every data key it was handed (the source unwrap) and the copy reads under the destination key', async (t) => {
  const f = await fixture();
  await f.facade.putObject({ bucket: 'b', key: 'src', principal: 'svc', body, contentLength: body.length, encryption: { mode: 'SSE-KMS', keyRef: 'file:a', context: { from: 'src' } } });
  const before = f.file.calls.decryptDataKey;
  const r = await f.facade.copyObject(copyReq());
  t.deepEqual(r.sse, { mode: 'SSE-KMS', keyId: 'file:b', context: { to: 'dst' }, bucketKeyEnabled: false });
  t.is(f.file.calls.decryptDataKey, before + 1, 'one unwrap of the source');
  t.deepEqual([f.store.copies, f.store.puts], [1, 1], 'one backend copy; the only PUT is the source');
  t.true(f.file.handedOut.length >= 2);
  t.true(f.file.handedOut.every((k) => k.every((b) => b === 0)), 'every plaintext DEK handed out is zeroed');
  t.deepEqual(await buffer((await f.facade.getObject({ bucket: 'b', key: 'dst', principal: 'svc' })).body), body);
});

test('the re-wrap binds the destination: the copied envelope and body moved to another key or bucket do not open', async (t) => {
  const f = await fixture();
  await f.facade.putObject({ bucket: 'b', key: 'src', principal: 'svc', body, contentLength: body.length, encryption: { mode: 'SSE-S3' } });
  await f.facade.copyObject(copyReq({ bucket: 'other', key: 'elsewhere', encryption: { mode: 'SSE-C', customerKey: Buffer.alloc(32, 7) } }));
  const read = { principal: 'svc', customerKey: Buffer.alloc(32, 7) };
  t.deepEqual(await buffer((await f.facade.getObject({ bucket: 'other', key: 'elsewhere', ...read })).body), body, 'the copy in another bucket reads');
  const head = await f.store.head('other', 'elsewhere');
  const raw = await buffer(await f.store.get('other', 'elsewhere'));
  for (const [bucket, key] of [['other', 'moved'], ['b', 'elsewhere']] as const) {
    f.store.set(bucket, key, raw, head.metadata);
    const err = await t.throwsAsync(f.facade.getObject({ bucket, key, ...read }), { instanceOf: SealError });
    t.is(err?.code, 'AccessDenied', `${bucket}/${key}: the SSE-C check value binds the destination's name`);
  }
});

test('the policy is asked first: GetObject on the source and PutObject on the destination; a refusal costs no backend request and no key', async (t) => {
  const asked: [string, ObjectAction, string][] = [];
  let deny: ObjectAction | undefined;
  const policy: ObjectActionPolicy = {
    authorize: (principal, action, o) => {
      asked.push([principal, action, `${o.bucket}/${o.key}`]);
      return action === deny ? Promise.reject(new SealError('AccessDenied', 'denied')) : Promise.resolve();
    },
  };
  const f = await fixture(policy);
  await f.facade.putObject({ bucket: 'b', key: 'src', principal: 'svc', body, contentLength: body.length, encryption: { mode: 'SSE-S3' } });
  asked.length = 0;
  await f.facade.copyObject(copyReq());
  t.deepEqual(asked, [['svc', 'GetObject', 'b/src'], ['svc', 'PutObject', 'b/dst']]);
  const heads = f.store.heads;
  const calls = { ...f.file.calls };
  for (const action of ['GetObject', 'PutObject'] as const) {
    deny = action;
    const err = await t.throwsAsync(f.facade.copyObject(copyReq({ key: 'dst2' })), { instanceOf: SealError });
    t.is(err?.code, 'AccessDenied', action);
  }
  t.is(f.store.heads, heads, 'no backend request after a refusal');
  t.deepEqual(f.file.calls, calls, 'no key used after a refusal');
  t.false(f.store.has('b', 'dst2'));

  asked.length = 0;
  deny = undefined;
  const up = await f.facade.createMultipartUpload({ bucket: 'b', key: 'mp', principal: 'svc', encryption: { mode: 'SSE-S3' } });
  asked.length = 0;
  deny = 'UploadPart';
  const err = await t.throwsAsync(f.facade.uploadPartCopy({ principal: 'svc', source: { bucket: 'b', key: 'src' }, bucket: 'b', key: 'mp', uploadId: up.uploadId, partNumber: 1 }), { instanceOf: SealError });
  t.is(err?.code, 'AccessDenied');
  t.deepEqual(asked.map((a) => a[1]), ['GetObject', 'UploadPart'], 'UploadPartCopy asks GetObject on the source, UploadPart on the destination');
});

test('a source version (versionId) is NotImplemented before anything is read', async (t) => {
  const f = await fixture();
  const heads = f.store.heads;
  const err = await t.throwsAsync(f.facade.copyObject(copyReq({ source: { bucket: 'b', key: 'src', versionId: 'v1' } })), { instanceOf: SealError });
  t.is(err?.code, 'NotImplemented');
  t.is(f.store.heads, heads);
});
