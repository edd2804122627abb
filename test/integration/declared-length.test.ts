/**
 * Repairs item 8, against real MinIO: a body longer (or shorter) than its declared length never
 * lands. The encrypting stream holds the final ciphertext chunk back until the input has ended at
 * exactly the declared length, so the backend never receives a complete, valid part or object; the
 * call fails with PartLengthMismatch and the backend request is aborted (it settles at once, with an
 * error, instead of waiting for bytes that never come). Afterwards ListParts on the backend upload
 * shows no such part, and no object exists (or the previous one is intact).
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { HeadObjectCommand, ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore, PutResult } from '../../src/backends/object-store.js';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { decodeUploadToken } from '../../src/crypto/upload-token.js';
import { BUFFERED_SEND_PLAINTEXT, SealedObjects } from '../../src/engine/sealed-objects.js';
import { WORKER_MIN_PLAINTEXT } from '../../src/engine/segment-sealer.js';
import { isSealError } from '../../src/errors.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { KeystoreKeyResolver } from '../../src/engine/materials/keystore-key-resolver.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';
import { describe } from '../helpers/engine-fixtures.js';

/** How each body upload to the backend ended: ok, or the error it failed with, and when. */
interface Settled {
  ok: boolean;
  error?: unknown;
  ms: number;
}

/** Forwards to a real store and records how every PUT / UploadPart request to the backend settled. */
class SettleProbe extends S3ObjectStore {
  readonly settled: Promise<Settled>[] = [];

  private watch<T>(p: Promise<T>): Promise<T> {
    const t0 = Date.now();
    this.settled.push(p.then(() => ({ ok: true, ms: Date.now() - t0 }), (error: unknown) => ({ ok: false, error, ms: Date.now() - t0 })));
    return p;
  }

  override put(...args: Parameters<ObjectStore['put']>): Promise<PutResult> {
    return this.watch(super.put(...args));
  }

  override uploadPart(...args: Parameters<ObjectStore['uploadPart']>): Promise<string> {
    return this.watch(super.uploadPart(...args));
  }
}

interface Setup {
  s3: S3Client;
  probe: SettleProbe;
  sealed: SealedObjects;
  root: Buffer;
  sse: KeystoreKeyResolver;
  bucket: string;
  cleanup: () => void;
}

/**
 * The SDK's default client sends a stream body aws-chunked with a CRC32 trailer; a client with
 * `requestChecksumCalculation: 'WHEN_REQUIRED'` sends the bytes as they are (the case where the old
 * code let MinIO store a complete part).
 */
type ClientKind = 'default client' | 'plain-body client';
const CLIENTS: ClientKind[] = ['default client', 'plain-body client'];

async function setup(kind: ClientKind): Promise<Setup> {
  const desc = service('minio');
  const s3 = s3Client(desc, kind === 'default client' ? {} : { requestChecksumCalculation: 'WHEN_REQUIRED' });
  const bucket = await freshBucket(desc, 'declared-length');
  const dir = mkdtempSync(join(tmpdir(), 's3seal-length-'));
  const ks = new FileKeystore({ path: join(dir, 'keys.json'), create: true });
  await ks.createKey('s3-default');
  const probe = new SettleProbe(s3);
  const root = randomBytes(32);
  const sealed = new SealedObjects(probe, { uploadTokenRoot: root });
  return { s3, probe, sealed, root, sse: new KeystoreKeyResolver(ks, 'SSE-S3', 's3-default'), bucket, cleanup: () => { s3.destroy(); rmSync(dir, { recursive: true, force: true }); } };
}

/** `data` as a stream of the given piece sizes, then the rest in 7777-byte pieces. */
function stream(data: Buffer, pieces: readonly number[] = []): Readable {
  const out: Buffer[] = [];
  let off = 0;
  for (const n of pieces) {
    out.push(data.subarray(off, off + n));
    off += n;
  }
  for (; off < data.length; off += 7777) out.push(data.subarray(off, off + 7777));
  return Readable.from(out);
}

/**
 * Declared lengths: one whose ciphertext is sent as a stream (over BUFFERED_SEND_PLAINTEXT: the backend
 * request starts before the body ended and must be aborted), and two sealed whole before any request
 * (the backend must receive nothing at all): one on the calling thread, one on the sealing worker.
 */
const STREAMED = BUFFERED_SEND_PLAINTEXT + 1;
const BUFFERED = 2 * 65536 + 1;
const BUFFERED_IN_WORKER = WORKER_MIN_PLAINTEXT + 65536 + 1;

/** Bodies that are not `DECLARED` bytes long, as a caller could send them. */
function wrongBodies(DECLARED: number): [string, () => Readable | Buffer][] {
  const plain = randomBytes(DECLARED + 65536);
  return [
    ['one byte too many, one buffer', () => plain.subarray(0, DECLARED + 1)],
    ['one byte too many, in pieces', () => stream(plain.subarray(0, DECLARED + 1))],
    ['exactly the declared bytes, then one more write', () => stream(plain.subarray(0, DECLARED + 1), [DECLARED])],
    ['exactly the declared bytes, then one more byte 300 ms later', () => Readable.from((async function* () {
      yield plain.subarray(0, DECLARED);
      await new Promise((r) => setTimeout(r, 300));
      yield plain.subarray(DECLARED, DECLARED + 1);
    })())],
    ['a whole chunk too many', () => stream(plain, [65536, 65536])],
    ['one byte short', () => stream(plain.subarray(0, DECLARED - 1))],
  ];
}

/** streamed: the request was made and aborted; buffered: no request was made at all (`before`: requests so far) */
async function expectAborted(t: { true: (v: boolean, m?: string) => void }, probe: SettleProbe, what: string, declared: number, before: number): Promise<void> {
  if (declared !== STREAMED) {
    t.true(probe.settled.length === before, `${what}: no backend request was made`);
    return;
  }
  const last = probe.settled.at(-1);
  t.true(last !== undefined, `${what}: a backend request was made`);
  // a request still waiting for its body after 15 s was not aborted
  const s = await Promise.race([last!, new Promise<Settled>((r) => setTimeout(() => r({ ok: true, ms: Infinity }), 15000))]);
  t.true(!s.ok, `${what}: the backend request failed (${s.ms === Infinity ? 'still pending after 15 s' : describe(s.error)})`);
}

for (const kind of CLIENTS) {
  test(`minio, ${kind}: UploadPart with a body of the wrong length fails with PartLengthMismatch, the request is aborted, and the backend lists no such part`, async (t) => {
    const { s3, probe, sealed, root, sse, bucket, cleanup } = await setup(kind);
    try {
      const o = { bucket, key: 'mp/over-long' };
      const token = await sealed.createMultipart(o, {}, sse);
      const { backendUploadId } = decodeUploadToken(root, o, token);
      let n = 0;
      for (const DECLARED of [STREAMED, BUFFERED, BUFFERED_IN_WORKER]) {
        for (const [what, body] of wrongBodies(DECLARED)) {
          const before = probe.settled.length;
          const err = await t.throwsAsync(sealed.uploadPart(o, token, ++n, body(), DECLARED, sse));
          t.true(isSealError(err, 'PartLengthMismatch'), `${DECLARED} ${what}: ${describe(err)}`);
          await expectAborted(t, probe, `${DECLARED} ${what}`, DECLARED, before);
        }
      }
      // a part of the right length still lands: the listing below is a real one
      const good = randomBytes(BUFFERED);
      await sealed.uploadPart(o, token, 99, stream(good, [BUFFERED - 1, 1]), BUFFERED, sse);
      const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: o.key, UploadId: backendUploadId }));
      t.deepEqual((listed.Parts ?? []).map((p) => p.PartNumber), [99], 'only the part of the right length was stored');
      await sealed.abortMultipart(o, token);
    } finally {
      cleanup();
    }
  });

  test(`minio, ${kind}: a single-part PUT with a body of the wrong length fails with PartLengthMismatch, the request is aborted, and no object is stored (a previous one stays intact)`, async (t) => {
    const { s3, probe, sealed, sse, bucket, cleanup } = await setup(kind);
    try {
      for (const DECLARED of [STREAMED, BUFFERED, BUFFERED_IN_WORKER]) {
        for (const [i, [what, body]] of wrongBodies(DECLARED).entries()) {
          const key = `single/${DECLARED}/${i}`;
          const before = probe.settled.length;
          const err = await t.throwsAsync(sealed.put({ bucket, key }, body(), DECLARED, {}, sse));
          t.true(isSealError(err, 'PartLengthMismatch'), `${DECLARED} ${what}: ${describe(err)}`);
          await expectAborted(t, probe, `${DECLARED} ${what}`, DECLARED, before);
          const head = await t.throwsAsync(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
          t.is((head as { name?: string }).name, 'NotFound', `${DECLARED} ${what}: no object`);
        }
      }
      // over an existing object: the failed PUT leaves it as it was
      const before = randomBytes(1000);
      await sealed.put({ bucket, key: 'kept' }, before, before.length, {}, sse);
      const [what, body] = wrongBodies(STREAMED)[3]!;
      const before2 = probe.settled.length;
      const err = await t.throwsAsync(sealed.put({ bucket, key: 'kept' }, body(), STREAMED, {}, sse));
      t.true(isSealError(err, 'PartLengthMismatch'), `${what}: ${describe(err)}`);
      await expectAborted(t, probe, what, STREAMED, before2);
      t.true((await buffer((await sealed.get({ bucket, key: 'kept' }, sse)).stream)).equals(before), 'the previous object is intact');
    } finally {
      cleanup();
    }
  });
}
