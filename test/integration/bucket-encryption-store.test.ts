/**
 * BucketEncryptionStore on real MinIO (DESIGN.md "Bucket encryption configuration", FORMAT.md §13):
 * configurations round-trip through the one MACed, versioned document in the reserved bucket; the
 * document edited, deleted or rolled back with MinIO's own credentials fails closed (typed
 * BucketConfigurationInvalid naming the bucket); two instances share it (a change by one is seen by
 * the other within the TTL; concurrent changes from both all survive, by conditional writes); no
 * key material in the document or in any error.
 */
import test from 'ava';
import { createHmac, randomBytes } from 'node:crypto';
import { DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import type { BucketEncryption } from '../../src/engine/facade/bucket-encryption.js';
import { isSealError } from '../../src/errors.js';
import { bucketConfigMacKey, DOCUMENT_KEY } from '../../src/policies/bucket-encryption-document.js';
import { BucketEncryptionStore } from '../../src/policies/bucket-encryption-store.js';
import { s3Client, service } from '../helpers/services.js';

const KMS: BucketEncryption = { algorithm: 'aws:kms', kmsKeyId: 'alias/invoices', bucketKeyEnabled: true, blockedEncryptionTypes: ['SSE-C'] };
const S3: BucketEncryption = { algorithm: 'AES256', bucketKeyEnabled: false, blockedEncryptionTypes: [] };

interface Setup {
  raw: S3Client;
  reserved: string;
  root: Buffer;
  /** a new instance of the deployment (same backend, reserved bucket, root) */
  instance: (ttlMs?: number) => BucketEncryptionStore;
  document: () => Promise<string>;
  replaceDocument: (text: string) => Promise<void>;
  /** every encoding of the root and the MAC key: none may appear anywhere */
  secrets: string[];
  close: () => void;
}

function setup(): Setup {
  const m = service('minio');
  const raw = s3Client(m);
  const backend = new S3ObjectStore(s3Client(m));
  const reserved = `s3seal-reserved-${randomBytes(4).toString('hex')}`;
  const root = randomBytes(32);
  const macKey = bucketConfigMacKey(root);
  return {
    raw,
    reserved,
    root,
    instance: (ttlMs = 60_000) => new BucketEncryptionStore(backend, () => Promise.resolve(root), { bucket: reserved, ttlMs }),
    document: async () => (await (await raw.send(new GetObjectCommand({ Bucket: reserved, Key: DOCUMENT_KEY }))).Body!.transformToString()),
    replaceDocument: async (text) => void (await raw.send(new PutObjectCommand({ Bucket: reserved, Key: DOCUMENT_KEY, Body: text }))),
    secrets: [root, macKey].flatMap((k) => [k.toString('hex'), k.toString('base64'), k.toString('base64url')]),
    close: () => raw.destroy(),
  };
}

async function invalid(t: import('ava').ExecutionContext, p: Promise<unknown>, bucket: string, what: RegExp, secrets: string[]): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  t.true(isSealError(err, 'BucketConfigurationInvalid'), `expected BucketConfigurationInvalid, got ${String(err)}`);
  const message = (err as Error).message;
  t.true(message.includes(`"${bucket}"`), message);
  t.regex(message, what);
  for (const s of secrets) t.false(message.includes(s), 'no key material in the error');
}

/** poll until `f` holds (no fixed sleep); the time it took */
async function until(f: () => Promise<boolean>, limitMs: number): Promise<number> {
  const start = Date.now();
  while (!(await f())) {
    if (Date.now() - start > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

test('round trip: no reserved bucket reads as none; put creates it; get, delete; another instance reads the same; the stored document is versioned JSON with a MAC and no key material', async (t) => {
  const s = setup();
  try {
    const a = s.instance();
    t.is(await a.get('invoices'), undefined, 'a deployment that never had a configuration');
    await a.put('invoices', KMS);
    await a.put('logs', S3);
    await a.put('logs', { ...S3, bucketKeyEnabled: true });
    t.deepEqual(await a.get('invoices'), KMS);
    t.deepEqual(await a.get('logs'), { ...S3, bucketKeyEnabled: true });
    t.is(await a.get('other'), undefined);
    t.true(await a.delete('logs'));
    t.false(await a.delete('logs'), 'nothing left to delete: no write');
    const b = s.instance();
    t.deepEqual(await b.get('invoices'), KMS);
    t.is(await b.get('logs'), undefined);
    const text = await s.document();
    const doc = JSON.parse(text) as Record<string, unknown>;
    t.deepEqual(Object.keys(doc).sort(), ['buckets', 'format', 'mac', 'reservedBucket', 'version']);
    t.is(doc['version'], 4, 'one version per change; the no-op delete wrote nothing');
    t.is(doc['reservedBucket'], s.reserved);
    t.deepEqual(doc['buckets'], { invoices: { algorithm: 'aws:kms', kmsKeyId: 'alias/invoices', bucketKeyEnabled: true, blockedEncryptionTypes: ['SSE-C'] } });
    for (const secret of s.secrets) t.false(text.includes(secret), 'no key material in the document');
    const denied = await a.put(s.reserved, S3).then(() => undefined, (e: unknown) => e);
    t.true(isSealError(denied, 'AccessDenied'), 'the reserved bucket itself cannot be configured');
  } finally {
    s.close();
  }
});

test('the document edited with MinIO credentials (MAC kept), made malformed, or read under another deployment root fails closed on every instance, for reads and changes', async (t) => {
  const s = setup();
  try {
    const a = s.instance(0);
    await a.put('invoices', KMS);
    const original = await s.document();
    const doc = JSON.parse(original) as { buckets: Record<string, Record<string, unknown>> };
    doc.buckets['invoices'] = { algorithm: 'AES256', bucketKeyEnabled: false, blockedEncryptionTypes: [] };
    await s.replaceDocument(JSON.stringify(doc));
    await invalid(t, a.get('invoices'), 'invoices', /MAC does not verify/, s.secrets);
    await invalid(t, s.instance().get('invoices'), 'invoices', /MAC does not verify/, s.secrets);
    await invalid(t, a.put('invoices', S3), 'invoices', /MAC does not verify/, s.secrets);
    await s.replaceDocument('{"not":"a document"');
    await invalid(t, s.instance().get('invoices'), 'invoices', /not UTF-8 JSON/, s.secrets);
    await s.replaceDocument(original);
    t.deepEqual(await a.get('invoices'), KMS, 'the original document restored reads again');
    // the untouched document, read by an instance of another deployment (another root): its MAC does not verify
    const foreign = new BucketEncryptionStore(new S3ObjectStore(s.raw), () => Promise.resolve(randomBytes(32)), { bucket: s.reserved, ttlMs: 0 });
    await invalid(t, foreign.get('invoices'), 'invoices', /MAC does not verify/, s.secrets);
  } finally {
    s.close();
  }
});

test('the document deleted fails closed; the whole reserved bucket deleted fails closed on an instance that saw a version (a fresh instance cannot tell: the documented limit)', async (t) => {
  const s = setup();
  try {
    const a = s.instance(0);
    await a.put('invoices', KMS);
    await s.raw.send(new DeleteObjectCommand({ Bucket: s.reserved, Key: DOCUMENT_KEY }));
    await invalid(t, a.get('invoices'), 'invoices', /holds no configuration document/, s.secrets);
    await invalid(t, s.instance().get('invoices'), 'invoices', /holds no configuration document/, s.secrets);
    await invalid(t, a.delete('invoices'), 'invoices', /holds no configuration document/, s.secrets);
    await s.raw.send(new DeleteBucketCommand({ Bucket: s.reserved }));
    await invalid(t, a.get('invoices'), 'invoices', /reserved bucket is gone, after this instance saw document version 1/, s.secrets);
    await invalid(t, a.put('invoices', KMS), 'invoices', /reserved bucket is gone/, s.secrets);
    t.is(await s.instance().get('invoices'), undefined, 'an instance that never saw a document reads "none" (THREAT-MODEL: floors cover this)');
  } finally {
    s.close();
  }
});

test('an older valid document put back (rollback) fails closed on an instance that saw the newer one', async (t) => {
  const s = setup();
  try {
    const a = s.instance(0);
    await a.put('invoices', S3);
    const v1 = await s.document();
    await a.put('invoices', KMS);
    t.deepEqual(await a.get('invoices'), KMS);
    await s.replaceDocument(v1);
    await invalid(t, a.get('invoices'), 'invoices', /version 1 is older than version 2 this instance has seen \(rolled back\)/, s.secrets);
    await invalid(t, a.put('logs', S3), 'logs', /rolled back/, s.secrets);
    t.deepEqual(await s.instance().get('invoices'), S3, 'a fresh instance cannot tell a rollback (THREAT-MODEL)');
  } finally {
    s.close();
  }
});

test('two instances: a change by one is seen by the other within the TTL; its own change at once', async (t) => {
  const s = setup();
  try {
    const ttl = 300;
    const a = s.instance(ttl);
    const b = s.instance(ttl);
    await a.put('shared', S3);
    t.deepEqual(await a.get('shared'), S3, 'the writer sees its own change at once');
    t.deepEqual(await b.get('shared'), S3);
    await a.put('shared', KMS);
    const took = await until(async () => (await b.get('shared'))?.algorithm === 'aws:kms', 10_000);
    t.log(`seen by the other instance after ${took} ms (TTL ${ttl} ms)`);
    t.true(took <= ttl + 1_500, `within the TTL and one read (${took} ms)`);
    t.true(await b.delete('shared'));
    t.is(await b.get('shared'), undefined, 'its own delete at once');
    await until(async () => (await a.get('shared')) === undefined, 10_000);
    t.pass();
  } finally {
    s.close();
  }
});

test('concurrent changes from two instances, from no reserved bucket on, all survive (conditional writes retried on a lost race; the first document awaited by the instance that lost the creation)', async (t) => {
  const s = setup();
  try {
    const a = s.instance(0);
    const b = s.instance(0);
    // from nothing: both race to create the reserved bucket and the first document, then to change it
    const names = Array.from({ length: 6 }, (_, i) => `bucket-${i}`);
    await Promise.all(names.map((n, i) => (i % 2 === 0 ? a : b).put(n, { ...KMS, kmsKeyId: `alias/${n}` })));
    for (const n of names) t.deepEqual(await s.instance().get(n), { ...KMS, kmsKeyId: `alias/${n}` }, n);
    const doc = JSON.parse(await s.document()) as { version: number };
    t.is(doc.version, names.length, 'every change one version, none lost');
  } finally {
    s.close();
  }
});

test('ten instances changing their own buckets at once all succeed, none lost (a lost race is retried after a jittered pause, enough times for every contender)', async (t) => {
  // regression: with five immediate retries, ten instances racing for the one document left some with
  // ConditionalRequestConflict (409) — a PutBucketEncryption a caller had to retry by hand
  const s = setup();
  try {
    await s.instance(0).put('bucket-first', S3);
    const instances = Array.from({ length: 10 }, () => s.instance(0));
    for (let round = 0; round < 2; round++) {
      const outcomes = await Promise.allSettled(instances.map((store, i) => store.put(`bucket-${round}-${i}`, { ...KMS, kmsKeyId: `alias/k${round}-${i}` })));
      t.deepEqual(outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : [])), [], `round ${round}: every change succeeds`);
    }
    const reader = s.instance();
    for (let round = 0; round < 2; round++) for (let i = 0; i < instances.length; i++) t.deepEqual(await reader.get(`bucket-${round}-${i}`), { ...KMS, kmsKeyId: `alias/k${round}-${i}` });
    t.is((JSON.parse(await s.document()) as { version: number }).version, 1 + 2 * instances.length, 'every change one version');
  } finally {
    s.close();
  }
});

test('the MAC pins the content: a document of the same version with other content (re-MACed with the right key) fails closed on an instance that saw the version', async (t) => {
  const s = setup();
  try {
    const a = s.instance(0);
    await a.put('invoices', KMS);
    const doc = JSON.parse(await s.document()) as Record<string, unknown> & { buckets: Record<string, unknown> };
    // only a holder of the root can do this: the test plays an insider who forks a version
    const { mac: _, ...body } = doc;
    body.buckets = { invoices: { algorithm: 'AES256', bucketKeyEnabled: false, blockedEncryptionTypes: [] } };
    const { createRequire } = await import('node:module');
    const canonicalize = createRequire(import.meta.url)('canonicalize') as (v: unknown) => string;
    const mac = createHmac('sha256', bucketConfigMacKey(s.root)).update(canonicalize(body)).digest('base64url');
    await s.replaceDocument(JSON.stringify({ ...body, mac }));
    await invalid(t, a.get('invoices'), 'invoices', /version 1 differs from the version 1 this instance has seen/, s.secrets);
  } finally {
    s.close();
  }
});

test('on SeaweedFS too: no reserved bucket reads as none, the first change creates it, two instances change it concurrently without losing a change, a deleted document fails closed', async (t) => {
  const w = service('seaweedfs');
  const backend = new S3ObjectStore(s3Client(w));
  const raw = s3Client(w);
  try {
    const reserved = `s3seal-reserved-${randomBytes(4).toString('hex')}`;
    const root = randomBytes(32);
    const instance = (): BucketEncryptionStore => new BucketEncryptionStore(backend, () => Promise.resolve(root), { bucket: reserved, ttlMs: 0 });
    const a = instance();
    const b = instance();
    t.is(await a.get('x'), undefined);
    const names = Array.from({ length: 4 }, (_, i) => `bucket-${i}`);
    await Promise.all(names.map((n, i) => (i % 2 === 0 ? a : b).put(n, { ...KMS, kmsKeyId: `alias/${n}` })));
    for (const n of names) t.deepEqual(await instance().get(n), { ...KMS, kmsKeyId: `alias/${n}` }, n);
    await raw.send(new DeleteObjectCommand({ Bucket: reserved, Key: DOCUMENT_KEY }));
    await invalid(t, a.get('bucket-0'), 'bucket-0', /holds no configuration document/, []);
  } finally {
    raw.destroy();
  }
});
