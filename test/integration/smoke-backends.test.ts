/**
 * Smoke path through real object servers (issue 2): encrypt a stream, PUT it into MinIO and into
 * SeaweedFS with @aws-sdk/client-s3, GET it back whole and by ranges, decrypt. Proves the envelope
 * survives real servers (metadata budget, header casing, sizes) and that the backend only ever holds
 * ciphertext.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { KeystoreKeyResolver } from '../../src/engine/materials/keystore-key-resolver.js';
import { SsecKeyResolver } from '../../src/engine/materials/ssec-key-resolver.js';
import { SealError } from '../../src/errors.js';
import { s3ErrorShape } from '../../src/adapters/s3/s3-error-shape.js';
import { BODY_HEADER_SIZE } from '../../src/crypto/constants.js';
import { s3Client, service } from '../helpers/services.js';
import { RecordingStore } from '../helpers/recording-store.js';

const FULL = 65552;

async function setup(name: 'minio' | 'seaweedfs'): Promise<{ s3: S3Client; store: RecordingStore; sealed: SealedObjects; sse: KeystoreKeyResolver; bucket: string; cleanup: () => void }> {
  const s3 = s3Client(service(name));
  const bucket = `smoke-${randomBytes(5).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const dir = mkdtempSync(join(tmpdir(), 's3seal-smoke-'));
  const ks = new FileKeystore({ path: join(dir, 'keys.json'), create: true });
  await ks.createKey('s3-default');
  const store = new RecordingStore(new S3ObjectStore(s3));
  const sealed = new SealedObjects(store, { uploadTokenRoot: randomBytes(32) });
  return { s3, store, sealed, sse: new KeystoreKeyResolver(ks, 'SSE-S3', 's3-default'), bucket, cleanup: () => { s3.destroy(); rmSync(dir, { recursive: true, force: true }); } };
}

async function rawGet(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

/** a stream of `n` bytes delivered in odd-sized pieces, so chunk boundaries never line up with writes */
function pieces(data: Buffer): Readable {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += 7777) out.push(data.subarray(i, i + 7777));
  return Readable.from(out);
}

for (const name of ['minio', 'seaweedfs'] as const) {
  test(`${name}: single-part objects round-trip whole and by ranges; the backend holds only ciphertext`, async (t) => {
    const { s3, store, sealed, sse, bucket, cleanup } = await setup(name);
    try {
      for (const size of [0, 1, 131073, 1024 * 1024 + 5]) {
        const key = `dir/Obj ${size}.bin`;
        const plain = randomBytes(size);
        await sealed.put({ bucket, key }, pieces(plain), size, { 'Owner-Name': 'Ada', note: 'x' }, sse);

        const raw = await rawGet(s3, bucket, key);
        t.is(raw.subarray(0, 4).toString('ascii'), 'S3SL', 'backend body starts with the s3seal magic');
        if (size >= 32) t.is(raw.indexOf(plain.subarray(0, 32)), -1, 'no plaintext run at rest');
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        t.truthy(head.Metadata?.['s3seal'], 'envelope survives as lower-case x-amz-meta-s3seal');
        t.is(head.ContentLength, raw.length);

        const h = await sealed.head({ bucket, key });
        t.is(h.plaintextLength, size);
        t.is(h.userMetadata['owner-name'], 'Ada', 'caller metadata passes through (S3 lower-cases names)');
        t.is(h.userMetadata['s3seal'], undefined, 'the envelope is not shown as caller metadata');

        const whole = await sealed.get({ bucket, key }, sse);
        t.true((await buffer(whole.stream)).equals(plain), `whole object of ${size} bytes`);
        if (size > 70000) {
          for (const [a, z] of [[0, 0], [65535, 65536], [70000, size - 1], [size - 3, size - 1]] as const) {
            store.gets.length = 0;
            store.opens.length = 0;
            store.heads.length = 0;
            const r = await sealed.get({ bucket, key }, sse, { start: a, end: z });
            t.true((await buffer(r.stream)).equals(plain.subarray(a, z + 1)), `range ${a}-${z}`);
            const i0 = Math.floor(a / 65536);
            const i1 = Math.floor(z / 65536);
            // one GET, no HEAD: the covering chunks as if the object were single-part (the backend clamps the end)
            t.deepEqual(store.opens.map((g) => g.range), [{ start: BODY_HEADER_SIZE + i0 * FULL, end: BODY_HEADER_SIZE + (i1 + 1) * FULL - 1 }], 'only the covering chunks are requested');
            t.deepEqual([store.gets.length, store.heads.length], [0, 0]);
          }
        }
      }
    } finally {
      cleanup();
    }
  });

  test(`${name}: SSE-C round trip; a wrong key is refused with AccessDenied before any body byte`, async (t) => {
    const { sealed, store, bucket, cleanup } = await setup(name);
    try {
      const k = randomBytes(32);
      const plain = randomBytes(200000);
      await sealed.put({ bucket, key: 'c' }, plain, plain.length, {}, new SsecKeyResolver(k));
      const r = await sealed.get({ bucket, key: 'c' }, new SsecKeyResolver(k));
      t.true((await buffer(r.stream)).equals(plain));
      store.gets.length = 0;
      const err = await t.throwsAsync(sealed.get({ bucket, key: 'c' }, new SsecKeyResolver(randomBytes(32))), { instanceOf: SealError });
      t.is(err?.code, 'AccessDenied');
      t.is(s3ErrorShape(err).status, 403);
      t.is(store.gets.length, 0, 'no body was requested');
    } finally {
      cleanup();
    }
  });

  test(`${name}: an object whose envelope was stripped at the backend is refused (EnvelopeMissing), even where passthrough is on`, async (t) => {
    const { s3, sealed, sse, store, bucket, cleanup } = await setup(name);
    try {
      const plain = randomBytes(5000);
      await sealed.put({ bucket, key: 'stripped' }, plain, plain.length, {}, sse);
      const info = await store.head(bucket, 'stripped');
      // the administrator removes the envelope with a metadata-replacing self-copy
      await store.replaceMetadata(bucket, 'stripped', {}, info.etag, info.size);
      const e1 = await t.throwsAsync(sealed.get({ bucket, key: 'stripped' }, sse), { instanceOf: SealError });
      t.is(e1?.code, 'EnvelopeMissing');
      const lenient = new SealedObjects(new S3ObjectStore(s3), { uploadTokenRoot: randomBytes(32), passthrough: () => true });
      const r = await lenient.get({ bucket, key: 'stripped' }, sse);
      const got: Buffer[] = [];
      const e2 = await t.throwsAsync(async () => {
        for await (const c of r.stream) got.push(c as Buffer);
      });
      t.is((e2 as SealError).code, 'EnvelopeMissing');
      t.is(Buffer.concat(got).length, 0, 'no byte of the ciphertext is served as plaintext');
      // a range decides nothing by its own first bytes: the object's first bytes are checked
      for (const range of [{ start: 100, end: 2000 }, { start: 0, end: 1 }, { start: info.size - 10, end: info.size - 1 }]) {
        const got2: Buffer[] = [];
        const e3 = await t.throwsAsync(async () => {
          for await (const c of (await lenient.get({ bucket, key: 'stripped' }, sse, range)).stream) got2.push(c as Buffer);
        });
        t.is((e3 as SealError).code, 'EnvelopeMissing', `range ${range.start}-${range.end}`);
        t.is(Buffer.concat(got2).length, 0, `range ${range.start}-${range.end}: no ciphertext byte served`);
      }
      // while a genuine plaintext object is served for any range, even one starting with a magic
      const legacy = Buffer.concat([randomBytes(100), Buffer.from('S3SL'), randomBytes(100)]);
      await store.put(bucket, 'legacy', legacy, legacy.length, {});
      const r2 = await lenient.get({ bucket, key: 'legacy' }, sse, { start: 100, end: 150 });
      t.true((await buffer(r2.stream)).equals(legacy.subarray(100, 151)));
    } finally {
      cleanup();
    }
  });

  test(`${name}: SSE-C multipart: every part needs the customer key; a wrong key cannot add parts or read`, async (t) => {
    const { sealed, bucket, cleanup } = await setup(name);
    try {
      const o = { bucket, key: 'mp-ssec' };
      const k = randomBytes(32);
      const parts = [randomBytes(5 * 1024 * 1024), randomBytes(777)];
      const token = await sealed.createMultipart(o, {}, new SsecKeyResolver(k));
      const wrongPart = await t.throwsAsync(sealed.uploadPart(o, token, 1, parts[0]!, parts[0]!.length, new SsecKeyResolver(randomBytes(32))), { instanceOf: SealError });
      t.is(wrongPart?.code, 'AccessDenied');
      const etags = [];
      for (const [i, p] of parts.entries()) etags.push(await sealed.uploadPart(o, token, i + 1, p, p.length, new SsecKeyResolver(k)));
      await sealed.completeMultipart(o, token, etags.map((etag, i) => ({ partNumber: i + 1, etag })), new SsecKeyResolver(k));
      t.true((await buffer((await sealed.get(o, new SsecKeyResolver(k), { start: 5 * 1024 * 1024 - 3, end: 5 * 1024 * 1024 + 776 })).stream)).equals(Buffer.concat(parts).subarray(5 * 1024 * 1024 - 3)));
      const wrongRead = await t.throwsAsync(sealed.get(o, new SsecKeyResolver(randomBytes(32))), { instanceOf: SealError });
      t.is(wrongRead?.code, 'AccessDenied');
    } finally {
      cleanup();
    }
  });

  test(`${name}: metadata over the 2 KiB budget is refused with MetadataTooLarge and nothing is stored`, async (t) => {
    const { s3, sealed, sse, bucket, cleanup } = await setup(name);
    try {
      const err = await t.throwsAsync(sealed.put({ bucket, key: 'big-meta' }, Buffer.from('x'), 1, { big: 'v'.repeat(1900) }, sse), { instanceOf: SealError });
      t.is(err?.code, 'MetadataTooLarge');
      await t.throwsAsync(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big-meta' })));
    } finally {
      cleanup();
    }
  });

  test(`${name}: multipart upload commits its layout; whole and cross-part ranged reads; part headers are read once per object version`, async (t) => {
    const { s3, store, sealed, sse, bucket, cleanup } = await setup(name);
    try {
      const o = { bucket, key: 'mp/object' };
      const sizes = [5 * 1024 * 1024, 5 * 1024 * 1024, 100001];
      const parts = sizes.map((n) => randomBytes(n));
      const token = await sealed.createMultipart(o, { kind: 'multipart' }, sse);
      // parts uploaded out of order, concurrently: each part is independent
      const etags = await Promise.all(parts.map((p, i) => sealed.uploadPart(o, token, i + 1, pieces(p), p.length, sse)));
      // a retried part 2: the committed layout must pin the attempt Complete names
      const done = await sealed.completeMultipart(o, token, etags.map((etag, i) => ({ partNumber: i + 1, etag })), sse);
      t.truthy(done.etag);
      const plain = Buffer.concat(parts);
      const h = await sealed.head(o);
      t.is(h.plaintextLength, plain.length);
      t.is(h.userMetadata['kind'], 'multipart');
      // the first read of another instance verifies the 3 part headers against the layout (3 GETs of
      // 64 bytes) while the whole GET that brought the envelope waits (no HEAD); the instance that
      // committed checked them at Complete
      const reader = new SealedObjects(store, { uploadTokenRoot: randomBytes(32) });
      store.gets.length = 0;
      store.heads.length = 0;
      t.true((await buffer((await reader.get(o, sse)).stream)).equals(plain));
      t.deepEqual(store.gets.map((g) => g.range?.end === undefined ? 'whole' : g.range.end - g.range.start + 1), [64, 64, 64]);
      t.deepEqual([store.opens.length, store.heads.length], [1, 0], 'one whole GET, no HEAD');
      for (const [a, z] of [[5 * 1024 * 1024 - 10, 5 * 1024 * 1024 + 10], [0, plain.length - 1], [plain.length - 100001, plain.length - 1], [12345, 10 * 1024 * 1024 + 5], [70000, 70010]] as const) {
        store.gets.length = 0;
        store.heads.length = 0;
        store.opens.length = 0;
        t.true((await buffer((await reader.get(o, sse, { start: a, end: z })).stream)).equals(plain.subarray(a, z + 1)), `range ${a}-${z}`);
        t.deepEqual([store.heads.length, store.gets.length, store.opens.length], [0, 0, 1], `range ${a}-${z}: one GET, no HEAD (layout known, verified layout cached)`);
      }
      const raw = await rawGet(s3, bucket, o.key);
      t.is(raw.subarray(0, 4).toString('ascii'), 'S3SP');
    } finally {
      cleanup();
    }
  });
}
