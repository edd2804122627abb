/**
 * Role separation enforced by the KMS itself, on real OpenBao (issue 3): whatever the object-server
 * credentials, a Transit token without decrypt rights cannot read — also through the bucket-key cache.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { VaultKeystore } from '../../src/keystores/vault/vault-keystore.js';
import { KeystoreKeyResolver } from '../../src/engine/materials/keystore-key-resolver.js';
import { BucketKeyResolver } from '../../src/engine/materials/bucket-key-resolver.js';
import { BucketKeyCache } from '../../src/keystores/bucket-key-cache.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { openbao, tokenWith } from '../helpers/openbao-admin.js';
import { s3Client, service } from '../helpers/services.js';

interface Setup {
  key: string;
  writerKs: VaultKeystore;
  readerKs: VaultKeystore;
  noneKs: VaultKeystore;
  rootKs: VaultKeystore;
  sealed: SealedObjects;
  bucket: string;
}

let setup: Promise<Setup> | undefined;

function fixture(): Promise<Setup> {
  setup ??= (async () => {
    const o = openbao();
    const rootKs = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
    const name = `roles-${randomBytes(4).toString('hex')}`;
    const key = `${o.mount}/${name}`;
    await rootKs.createKey(key);
    const read = { [`${o.mount}/keys/${name}`]: ['read'] };
    const writer = await tokenWith({ ...read, [`${o.mount}/datakey/plaintext/${name}`]: ['update'] });
    const reader = await tokenWith({ ...read, [`${o.mount}/decrypt/${name}`]: ['update'] });
    const none = await tokenWith({ 'secret/nothing': ['read'] });
    const ks = (token: string): VaultKeystore => new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token }, retry: { attempts: 1 } });
    const s3 = s3Client(service('minio'));
    const bucket = `roles-${randomBytes(4).toString('hex')}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return { key, writerKs: ks(writer), readerKs: ks(reader), noneKs: ks(none), rootKs, sealed: new SealedObjects(new S3ObjectStore(s3), { uploadTokenRoot: randomBytes(32) }), bucket };
  })();
  return setup;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return err instanceof KeystoreError ? err.code : String(err);
  }
}

test('a datakey-only token encrypts but gets AccessDenied on decrypt', async (t) => {
  const f = await fixture();
  const o = { bucket: f.bucket, key: 'by-writer' };
  const writer = new KeystoreKeyResolver(f.writerKs, 'SSE-KMS', f.key, { app: 'w' });
  await f.sealed.put(o, Buffer.from('secret ledger'), 13, {}, writer);
  t.is(await code(f.sealed.get(o, writer)), 'AccessDenied');
  // the same object reads back for a principal with decrypt rights: the denial was the KMS's
  const reader = new KeystoreKeyResolver(f.readerKs, 'SSE-KMS', f.key, { app: 'w' });
  const r = await f.sealed.get(o, reader);
  const chunks: Buffer[] = [];
  for await (const c of r.stream) chunks.push(c as Buffer);
  t.is(Buffer.concat(chunks).toString(), 'secret ledger');
});

test('a datakey-only token cannot read through the bucket-key cache either', async (t) => {
  const f = await fixture();
  const cache = new BucketKeyCache();
  const writer = new BucketKeyResolver(f.writerKs, 'SSE-KMS', f.key, 'writer', cache);
  for (let i = 0; i < 3; i++) await f.sealed.put({ bucket: f.bucket, key: `bk-${i}` }, Buffer.from(`object ${i}`), 8, {}, writer);
  t.is(cache.stats.kmsCalls, 1, 'the writer used one bucket key for all three objects');
  t.is(await code(f.sealed.get({ bucket: f.bucket, key: 'bk-0' }, writer)), 'AccessDenied');
  t.is(cache.stats.decryptHits, 0, 'the generated bucket key never served a decrypt');
  // a reader principal on the same cache unwraps through the KMS and is then served from its own entry
  const reader = new BucketKeyResolver(f.readerKs, 'SSE-KMS', f.key, 'reader', cache);
  for (let i = 0; i < 3; i++) {
    const r = await f.sealed.get({ bucket: f.bucket, key: `bk-${i}` }, reader);
    const chunks: Buffer[] = [];
    for await (const c of r.stream) chunks.push(c as Buffer);
    t.is(Buffer.concat(chunks).toString(), `object ${i}`);
  }
  t.is(cache.stats.decryptMisses, 2, 'writer miss (denied) + one reader unwrap');
  t.is(cache.stats.decryptHits, 2);
  // and the writer is still refused after the reader filled its own entry
  t.is(await code(f.sealed.get({ bucket: f.bucket, key: 'bk-1' }, writer)), 'AccessDenied');
});

test('a decrypt-only token reads but cannot create data keys', async (t) => {
  const f = await fixture();
  const o = { bucket: f.bucket, key: 'by-root' };
  await f.sealed.put(o, Buffer.from('hello'), 5, {}, new KeystoreKeyResolver(f.rootKs, 'SSE-KMS', f.key));
  const reader = new KeystoreKeyResolver(f.readerKs, 'SSE-KMS', f.key);
  const r = await f.sealed.get(o, reader);
  const chunks: Buffer[] = [];
  for await (const c of r.stream) chunks.push(c as Buffer);
  t.is(Buffer.concat(chunks).toString(), 'hello');
  t.is(await code(f.sealed.put({ bucket: f.bucket, key: 'by-reader' }, Buffer.from('x'), 1, {}, reader)), 'AccessDenied');
});

test('a token without Transit rights does neither', async (t) => {
  const f = await fixture();
  const none = new KeystoreKeyResolver(f.noneKs, 'SSE-KMS', f.key);
  await f.sealed.put({ bucket: f.bucket, key: 'for-none' }, Buffer.from('hello'), 5, {}, new KeystoreKeyResolver(f.rootKs, 'SSE-KMS', f.key));
  t.is(await code(f.sealed.put({ bucket: f.bucket, key: 'by-none' }, Buffer.from('x'), 1, {}, none)), 'AccessDenied');
  t.is(await code(f.sealed.get({ bucket: f.bucket, key: 'for-none' }, none)), 'AccessDenied');
});
