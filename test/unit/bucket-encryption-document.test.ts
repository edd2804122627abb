/**
 * FORMAT.md §13, the bucket encryption document: the MAC key is KDF(R, "", "bucket config", "")
 * (checked against node's own HKDF), one document's bytes and MAC pinned from fixed inputs (and the
 * MAC recomputed independently over the RFC 8785 form), every tamper refused with
 * BucketConfigurationInvalid. BucketEncryptionStore over an in-memory backend: the TTL with a fake
 * clock, own changes cached at once, an outage is BackendUnavailable, a document over 1 MiB is
 * refused unread, a lost race is retried and then ConditionalRequestConflict, close() zeroes the key.
 * The real-server tests are test/integration/bucket-encryption-store.test.ts.
 */
import test from 'ava';
import { createHmac, hkdfSync } from 'node:crypto';
import { Readable } from 'node:stream';
import { BackendRequestError } from '../../src/backends/backend-request-error.js';
import type { ObjectStore, OpenedStoredObject, PutResult, WriteCondition } from '../../src/backends/object-store.js';
import type { BucketEncryption } from '../../src/engine/facade/bucket-encryption.js';
import { isSealError, SealError } from '../../src/errors.js';
import { bucketConfigMacKey, decodeBucketEncryptionDocument, DOCUMENT_KEY, encodeBucketEncryptionDocument } from '../../src/policies/bucket-encryption-document.js';
import { BucketEncryptionStore } from '../../src/policies/bucket-encryption-store.js';

const R = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const RESERVED = 's3seal-reserved';
const KMS: BucketEncryption = { algorithm: 'aws:kms', kmsKeyId: 'alias/invoices', bucketKeyEnabled: true, blockedEncryptionTypes: ['SSE-C'] };
const S3: BucketEncryption = { algorithm: 'AES256', bucketKeyEnabled: false, blockedEncryptionTypes: [] };
const DOC = { version: 7, buckets: new Map([['invoices', KMS], ['logs', S3]]) };

const PINNED_KEY = '79943ec799929c3089124dc2b54a06cade84053e1c91bfabb8e0a53919c461e7';
const PINNED_BODY = '{"buckets":{"invoices":{"algorithm":"aws:kms","blockedEncryptionTypes":["SSE-C"],"bucketKeyEnabled":true,"kmsKeyId":"alias/invoices"},"logs":{"algorithm":"AES256","blockedEncryptionTypes":[],"bucketKeyEnabled":false}},"format":"s3seal bucket encryption 1","reservedBucket":"s3seal-reserved","version":7}';
const PINNED_MAC = '37ece52daf940bb9687c8466b874bceaf9b153447d88abf75c04a5bf94358e6a';

test('the MAC key is KDF(R, "", "bucket config", "") and one document is pinned: canonical JSON bytes, HMAC-SHA-256 over the canonical JSON of all but mac', (t) => {
  const info = Buffer.concat([Buffer.from('s3seal\0'), Buffer.of(1, 1), Buffer.from('bucket config'), Buffer.of(0)]);
  t.is(Buffer.from(hkdfSync('sha256', R, Buffer.alloc(0), info, 32)).toString('hex'), PINNED_KEY, 'node HKDF agrees');
  const key = bucketConfigMacKey(R);
  t.is(key.toString('hex'), PINNED_KEY);
  t.is(createHmac('sha256', key).update(PINNED_BODY).digest('hex'), PINNED_MAC, 'independent MAC over the canonical body');
  const { bytes, mac } = encodeBucketEncryptionDocument(key, RESERVED, DOC);
  t.is(mac.toString('hex'), PINNED_MAC);
  const macB64u = Buffer.from(PINNED_MAC, 'hex').toString('base64url');
  t.is(bytes.toString('utf8'), `${PINNED_BODY.slice(0, PINNED_BODY.indexOf(',"reservedBucket"'))},"mac":"${macB64u}"${PINNED_BODY.slice(PINNED_BODY.indexOf(',"reservedBucket"'), -1)}}`);
  const back = decodeBucketEncryptionDocument(key, RESERVED, bytes);
  t.is(back.version, 7);
  t.deepEqual([...back.buckets], [...DOC.buckets]);
  // a reader does not need the canonical bytes: the same fields pretty-printed verify
  t.is(decodeBucketEncryptionDocument(key, RESERVED, Buffer.from(JSON.stringify(JSON.parse(bytes.toString()), null, 2))).version, 7);
});

function edited(edit: (o: Record<string, unknown>) => void): Buffer {
  const o = JSON.parse(encodeBucketEncryptionDocument(bucketConfigMacKey(R), RESERVED, DOC).bytes.toString()) as Record<string, unknown>;
  edit(o);
  return Buffer.from(JSON.stringify(o));
}

/** re-MACed under the right key: only the semantic checks after the MAC can refuse it */
function remaced(edit: (o: Record<string, unknown>) => void): Buffer {
  const o = JSON.parse(encodeBucketEncryptionDocument(bucketConfigMacKey(R), RESERVED, DOC).bytes.toString()) as Record<string, unknown>;
  delete o['mac'];
  edit(o);
  return Buffer.from(JSON.stringify({ ...o, mac: macOf(o) }));
}

function macOf(body: Record<string, unknown>): string {
  // RFC 8785 for these plain values: sorted keys at every level, no spaces
  const sort = (v: unknown): unknown => (Array.isArray(v) ? v.map(sort) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v);
  return createHmac('sha256', bucketConfigMacKey(R)).update(JSON.stringify(sort(body))).digest('base64url');
}

const TAMPERED: [string, Buffer, RegExp][] = [
  ['an entry changed, MAC kept', edited((o) => ((o['buckets'] as Record<string, unknown>)['invoices'] = S3)), /MAC does not verify/],
  ['the version raised, MAC kept', edited((o) => (o['version'] = 8)), /MAC does not verify/],
  ['a bit of the MAC flipped', edited((o) => (o['mac'] = `${String(o['mac']).slice(0, -1)}${String(o['mac']).endsWith('A') ? 'B' : 'A'}`)), /MAC does not verify|no well-formed mac/],
  ['no MAC', edited((o) => delete o['mac']), /no well-formed mac/],
  ['a non-canonical base64url MAC', edited((o) => (o['mac'] = `${String(o['mac']).slice(0, 42)}B`)), /MAC does not verify|no well-formed mac/],
  ['not JSON', Buffer.from('{"version":'), /not UTF-8 JSON/],
  ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), /not UTF-8 JSON/],
  ['a JSON array', Buffer.from('[]'), /not a JSON object/],
  ['another format (re-MACed)', remaced((o) => (o['format'] = 's3seal bucket encryption 2')), /another format/],
  ['another reserved bucket (re-MACed)', remaced((o) => (o['reservedBucket'] = 'elsewhere')), /another reserved bucket/],
  ['a fractional version (re-MACed)', remaced((o) => (o['version'] = 1.5)), /not a positive integer/],
  ['an unknown field (re-MACed)', remaced((o) => (o['extra'] = 1)), /unknown field "extra"/],
  ['an entry with a key id and AES256 (re-MACed)', remaced((o) => (o['buckets'] = { b: { ...S3, kmsKeyId: 'k' } })), /kmsKeyId without aws:kms/],
  ['an entry for the reserved bucket (re-MACed)', remaced((o) => (o['buckets'] = { [RESERVED]: S3 })), /reserved bucket itself/],
  ['an entry blocking SSE-KMS (re-MACed)', remaced((o) => (o['buckets'] = { b: { ...S3, blockedEncryptionTypes: ['SSE-KMS'] } })), /blockedEncryptionTypes/],
];

for (const [name, bytes, why] of TAMPERED) {
  test(`a stored document with ${name} is BucketConfigurationInvalid`, (t) => {
    const err = t.throws(() => decodeBucketEncryptionDocument(bucketConfigMacKey(R), RESERVED, bytes));
    t.true(isSealError(err, 'BucketConfigurationInvalid'), String(err));
    t.regex(err.message, why);
    t.false(err.message.includes(PINNED_KEY) || err.message.includes(R.toString('hex')), 'no key material');
  });
}

/** the three calls the store makes, over a map; `outage` makes every call a 503 */
class FakeBackend {
  readonly objects = new Map<string, { body: Buffer; etag: string }>();
  readonly buckets = new Set<string>();
  outage = false;
  /** every read is refused as the backend's AccessDenied (credentials without rights on the reserved bucket) */
  forbidden = false;
  gets = 0;
  /** the next N conditional writes lose a race */
  losses = 0;
  private n = 0;

  asStore(): ObjectStore {
    return this as unknown as ObjectStore;
  }
  open(bucket: string, key: string): Promise<OpenedStoredObject> {
    this.gets++;
    if (this.outage) return Promise.reject(new SealError('BackendUnavailable', 'object server unavailable during GetObject'));
    if (this.forbidden) return Promise.reject(new BackendRequestError('AccessDenied', 403, 'GetObject'));
    if (!this.buckets.has(bucket)) return Promise.reject(new BackendRequestError('NoSuchBucket', 404, 'GetObject'));
    const o = this.objects.get(`${bucket}/${key}`);
    if (!o) return Promise.reject(new BackendRequestError('NoSuchKey', 404, 'GetObject'));
    return Promise.resolve({ info: { size: o.body.length, etag: o.etag, metadata: {}, headers: {} }, body: Readable.from([o.body]) });
  }
  putConditional(bucket: string, key: string, body: Buffer, condition: WriteCondition): Promise<PutResult> {
    if (this.losses > 0) {
      this.losses--;
      return Promise.reject(new SealError('PreconditionFailed', 'lost'));
    }
    const current = this.objects.get(`${bucket}/${key}`);
    if ('ifMatch' in condition ? current?.etag !== condition.ifMatch : current !== undefined) return Promise.reject(new SealError('PreconditionFailed', 'lost'));
    const etag = `"e${++this.n}"`;
    this.objects.set(`${bucket}/${key}`, { body: Buffer.from(body), etag });
    return Promise.resolve({ etag });
  }
  createBucket(bucket: string): Promise<void> {
    if (this.buckets.has(bucket)) return Promise.reject(new BackendRequestError('BucketAlreadyOwnedByYou', 409, 'CreateBucket'));
    this.buckets.add(bucket);
    return Promise.resolve();
  }
}

function storeOver(backend: FakeBackend, ttlMs: number, clock: { now: number }, root = R): BucketEncryptionStore {
  return new BucketEncryptionStore(backend.asStore(), () => Promise.resolve(root), { bucket: RESERVED, ttlMs, now: () => clock.now });
}

test('store: a verified document is served from memory for ttlMs, then read again; its own change is cached at once', async (t) => {
  const backend = new FakeBackend();
  const clock = { now: 0 };
  const a = storeOver(backend, 1000, clock);
  const b = storeOver(backend, 1000, clock);
  t.is(await b.get('invoices'), undefined);
  await a.put('invoices', KMS);
  t.deepEqual(await a.get('invoices'), KMS, 'own change at once, no read');
  t.is(await b.get('invoices'), undefined, "the other instance's cache is still fresh");
  const reads = backend.gets;
  clock.now = 999;
  t.is(await b.get('invoices'), undefined);
  t.is(backend.gets, reads, 'no read inside the TTL');
  clock.now = 1000;
  t.deepEqual(await b.get('invoices'), KMS, 'read again once the TTL is over');
  t.is(backend.gets, reads + 1);
  // concurrent gets after expiry share one read
  clock.now = 2500;
  await Promise.all([b.get('invoices'), b.get('logs'), b.get('x')]);
  t.is(backend.gets, reads + 2);
});

test('store: an outage is BackendUnavailable (retryable), never "none"; a document over 1 MiB is refused unread', async (t) => {
  const backend = new FakeBackend();
  const clock = { now: 0 };
  const a = storeOver(backend, 0, clock);
  await a.put('invoices', KMS);
  backend.outage = true;
  const down = await a.get('invoices').then(() => undefined, (e: unknown) => e);
  t.true(isSealError(down, 'BackendUnavailable') && (down).retryable, String(down));
  backend.outage = false;
  const huge = Buffer.alloc(1024 * 1024 + 1, 0x20);
  backend.objects.set(`${RESERVED}/${DOCUMENT_KEY}`, { body: huge, etag: '"big"' });
  const err = await a.get('invoices').then(() => undefined, (e: unknown) => e);
  t.true(isSealError(err, 'BucketConfigurationInvalid'), String(err));
  t.regex((err as Error).message, /over the 1048576 bytes/);
  t.false((err as SealError).retryable);
});

test('store: a lost race is retried on a fresh read; losing every attempt is ConditionalRequestConflict (retryable) and nothing is half-written', async (t) => {
  const backend = new FakeBackend();
  const clock = { now: 0 };
  const a = new BucketEncryptionStore(backend.asStore(), () => Promise.resolve(R), { bucket: RESERVED, ttlMs: 0, now: () => clock.now, attempts: 3 });
  await a.put('invoices', KMS);
  backend.losses = 2;
  await a.put('logs', S3);
  t.deepEqual(await a.get('logs'), S3, 'won on the third attempt');
  backend.losses = 3;
  const err = await a.put('other', S3).then(() => undefined, (e: unknown) => e);
  t.true(isSealError(err, 'ConditionalRequestConflict') && (err).retryable, String(err));
  t.is(await a.get('other'), undefined);
  t.deepEqual(await a.get('invoices'), KMS);
});

test('store: the reserved bucket is refused (AccessDenied), a configuration outside FORMAT.md §13 is InvalidArgument, close() zeroes the MAC key and later calls are BackendUnavailable', async (t) => {
  const backend = new FakeBackend();
  const clock = { now: 0 };
  let root: Buffer | undefined;
  const a = new BucketEncryptionStore(backend.asStore(), () => Promise.resolve((root = Buffer.from(R))), { bucket: RESERVED, ttlMs: 0, now: () => clock.now });
  for (const call of [() => a.get(RESERVED), () => a.put(RESERVED, S3), () => a.delete(RESERVED)]) {
    const err = await call().then(() => undefined, (e: unknown) => e);
    t.true(isSealError(err, 'AccessDenied'), String(err));
  }
  const bad = await a.put('b', { ...S3, kmsKeyId: 'alias/x' }).then(() => undefined, (e: unknown) => e);
  t.true(isSealError(bad, 'InvalidArgument'), String(bad));
  await a.put('b', KMS);
  t.truthy(root);
  const key = await (a as unknown as { macKey: Promise<Buffer> }).macKey;
  t.is(key.toString('hex'), PINNED_KEY);
  await a.close();
  t.true(key.every((b) => b === 0), 'the derived MAC key is zeroed');
  t.deepEqual(root, Buffer.from(R), 'the root is the caller’s: not touched');
  const closed = await a.get('b').then(() => undefined, (e: unknown) => e);
  t.true(isSealError(closed, 'BackendUnavailable'), String(closed));
});

test('store: a reader that never saw a document waits for the first one of a reserved bucket another instance is just creating; one that saw a version does not wait', async (t) => {
  const backend = new FakeBackend();
  const clock = { now: 0 };
  backend.buckets.add(RESERVED);
  const { bytes } = encodeBucketEncryptionDocument(bucketConfigMacKey(R), RESERVED, { version: 1, buckets: new Map([['invoices', KMS]]) });
  const open = backend.open.bind(backend);
  // the creator's first document lands after the reader's second look
  backend.open = (b: string, k: string) => {
    if (backend.gets === 2) backend.objects.set(`${RESERVED}/${DOCUMENT_KEY}`, { body: bytes, etag: '"first"' });
    return open(b, k);
  };
  const fresh = storeOver(backend, 0, clock);
  t.deepEqual(await fresh.get('invoices'), KMS);
  t.is(backend.gets, 3);
  backend.objects.clear();
  const started = Date.now();
  const err = await fresh.get('invoices').then(() => undefined, (e: unknown) => e);
  t.true(isSealError(err, 'BucketConfigurationInvalid'), String(err));
  t.is(backend.gets, 4, 'a document this instance has seen and that is gone: no waiting');
  t.true(Date.now() - started < 1000);
});

test('store: a reserved bucket the backend credentials may not read (403) fails closed with a message that says what to configure, never "no configuration"', async (t) => {
  const backend = new FakeBackend();
  backend.forbidden = true;
  const err = await t.throwsAsync(storeOver(backend, 0, { now: 0 }).get('invoices'));
  t.true(isSealError(err, 'BucketConfigurationInvalid'));
  t.regex(err.message, /bucketEncryption\.reservedBucket/);
});
