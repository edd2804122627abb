/**
 * Bodies sealed whole in memory (seal-segment.ts, segment-sealer.ts, SealedObjects' buffered path)
 * are byte for byte what the streams seal: the same header and chunks for a single-part body and a
 * part, on the calling thread and on the sealing worker; the digests sent with them are those of
 * the sealed bytes; the plaintext copy is zeroed; a body of the wrong length, or whose checksum
 * check fails, sends the backend nothing.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { Readable, type Transform } from 'node:stream';
import { crc32 } from 'node:zlib';
import { EncryptStream, singlePartSegment } from '../../src/engine/encrypt-stream.js';
import { PartEncryptStream, partSegment } from '../../src/engine/part-encrypt-stream.js';
import { sealSegment } from '../../src/engine/seal-segment.js';
import { SegmentSealer, WORKER_MIN_PLAINTEXT } from '../../src/engine/segment-sealer.js';
import { BUFFERED_BUDGET_BYTES, SealedObjects } from '../../src/engine/sealed-objects.js';
import type { KeyResolver } from '../../src/engine/key-resolver.js';
import type { BodyChecksums } from '../../src/engine/body-checksums.js';
import type { BodyDigests, ObjectStore, PutResult } from '../../src/backends/object-store.js';
import { isSealError, SealError } from '../../src/errors.js';

const MiB = 1024 * 1024;
const SIZES = [0, 1, 65535, 65536, 65537, 3 * 65536 + 7];

async function streamed(s: Transform, plaintext: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  s.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    s.on('end', resolve);
    s.on('error', reject);
  });
  // fed in uneven pieces, as a socket would
  for (let off = 0; off < plaintext.length; off += 40_000) s.write(plaintext.subarray(off, off + 40_000));
  s.end();
  await done;
  return Buffer.concat(out);
}

function crcOf(b: Buffer): string {
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc32(b) >>> 0);
  return c.toString('base64');
}

test('sealSegment of a single-part body is EncryptStream\'s output, with the CRC32 and SHA-256 of those bytes', async (t) => {
  const dek = randomBytes(32);
  for (const n of SIZES) {
    const plaintext = randomBytes(n);
    const sealed = sealSegment(singlePartSegment(dek), plaintext);
    const expected = await streamed(new EncryptStream(dek, { plaintextLength: n }), plaintext);
    t.true(sealed.body.equals(expected), `${n} bytes`);
    t.is(sealed.crc32, crcOf(expected));
    t.is(sealed.sha256, createHash('sha256').update(expected).digest('hex'));
  }
});

test('sealSegment of a part is PartEncryptStream\'s output for the same salt', async (t) => {
  const dek = randomBytes(32);
  const nonce = randomBytes(16);
  for (const n of SIZES) {
    const salt = randomBytes(16);
    const plaintext = randomBytes(n);
    const sealed = sealSegment(partSegment(dek, nonce, 3, n, { salt }), plaintext);
    const expected = await streamed(new PartEncryptStream(dek, nonce, 3, n, { salt }), plaintext);
    t.true(sealed.body.equals(expected), `${n} bytes`);
  }
});

test('the sealing worker seals the same bytes as the calling thread, zeroes the plaintext copy, reuses its slots, and after close() bodies are sealed in-thread', async (t) => {
  const sealer = new SegmentSealer();
  const dek = randomBytes(32);
  try {
    for (const n of [WORKER_MIN_PLAINTEXT, 3 * MiB + 5, 3 * MiB + 5]) {
      const plaintext = randomBytes(n);
      const plain = sealer.plaintextBuffer(n);
      t.not(plain.slot, undefined, 'a large body goes to a worker slot');
      plaintext.copy(plain.buffer);
      const seg = singlePartSegment(dek);
      const sealed = await sealer.seal(seg, plain);
      t.true(sealed.body.equals(sealSegment(singlePartSegment(dek), plaintext).body), `${n} bytes`);
      t.is(sealed.crc32, crcOf(sealed.body));
      t.is(sealed.sha256, undefined, 'sent unsigned, as a streamed body is');
      t.true(plain.buffer.every((b) => b === 0), 'the plaintext copy is zeroed');
      sealed.release(true);
    }
    const small = sealer.plaintextBuffer(4096);
    t.is(small.slot, undefined, 'a small body is sealed on the calling thread');
    await sealer.close();
    const after = sealer.plaintextBuffer(2 * MiB);
    t.is(after.slot, undefined, 'after close() no worker is used');
    const p = randomBytes(2 * MiB);
    p.copy(after.buffer);
    const sealed = await sealer.seal(singlePartSegment(dek), after);
    t.true(sealed.body.equals(sealSegment(singlePartSegment(dek), p).body));
  } finally {
    await sealer.close();
  }
});

test('a sealer whose worker is idle does not keep the process alive: after a job, and after a slot taken for a body that never sealed', (t) => {
  const sealer = new URL('../../src/engine/segment-sealer.js', import.meta.url).href;
  const streams = new URL('../../src/engine/encrypt-stream.js', import.meta.url).href;
  const script = `
    const { SegmentSealer } = await import(${JSON.stringify(sealer)});
    const { singlePartSegment } = await import(${JSON.stringify(streams)});
    const idle = new SegmentSealer();
    idle.discard(idle.plaintextBuffer(${2 * MiB}));
    const used = new SegmentSealer();
    const p = used.plaintextBuffer(${2 * MiB});
    (await used.seal(singlePartSegment(Buffer.alloc(32, 1)), p)).release();
    console.log('sealed');`;
  // run as a child started with --input-type (inherited by a worker, that flag would stop it from starting)
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000, encoding: 'utf8' });
  t.is(r.status, 0, `exited by itself (signal ${String(r.signal)}): ${r.stderr}`);
  t.is(r.stdout.trim(), 'sealed');
});

test('a worker that cannot start costs speed, not the request: the body is sealed on the calling thread, and so are later ones', async (t) => {
  const sealer = new SegmentSealer({ workerUrl: new URL('./no-such-worker.js', import.meta.url) });
  const dek = randomBytes(32);
  try {
    for (let i = 0; i < 2; i++) {
      const plaintext = randomBytes(2 * MiB);
      const plain = sealer.plaintextBuffer(plaintext.length);
      plaintext.copy(plain.buffer);
      const sealed = await sealer.seal(singlePartSegment(dek), plain);
      t.true(sealed.body.equals(sealSegment(singlePartSegment(dek), plaintext).body), `body ${i + 1}`);
      t.true(plain.buffer.every((b) => b === 0), 'the plaintext copy is zeroed');
      sealed.release(true);
    }
  } finally {
    await sealer.close();
  }
});

/** a store that records buffered PUTs and parts, and keeps nothing */
function recordingStore(): { store: ObjectStore; sent: { body: Buffer; digests?: BodyDigests }[] } {
  const sent: { body: Buffer; digests?: BodyDigests }[] = [];
  const store = {
    put: (_b: string, _k: string, body: Buffer | Readable, _l: number, _m: Record<string, string>, _s?: AbortSignal, _h?: unknown, digests?: BodyDigests): Promise<PutResult> => {
      if (!Buffer.isBuffer(body)) throw new Error('expected a buffered body');
      sent.push({ body: Buffer.from(body), ...(digests ? { digests } : {}) });
      return Promise.resolve({ etag: '"e"' });
    },
  } as unknown as ObjectStore;
  return { store, sent };
}

const keys = (dek: Buffer): KeyResolver => ({
  generate: () => Promise.resolve({ dek: Buffer.from(dek), wrap: { mode: 'SSE-S3', keyRef: 'file:k', wrappedKey: randomBytes(60) } }),
  recover: () => Promise.reject(new Error('not used')),
});

test('a worker that throws when it is created (a permission model without --allow-worker, no thread left) costs speed, not requests: bodies are sealed here and their plaintext zeroed', async (t) => {
  // a non-file URL makes `new Worker` throw synchronously, as --permission without --allow-worker does
  const sealer = new SegmentSealer({ workerUrl: new URL('http://127.0.0.1/seal-worker.js') });
  const dek = randomBytes(32);
  try {
    for (let i = 0; i < 3; i++) {
      const plaintext = randomBytes(2 * MiB);
      const plain = sealer.plaintextBuffer(plaintext.length);
      plaintext.copy(plain.buffer);
      const sealed = await sealer.seal(singlePartSegment(dek), plain);
      t.true(sealed.body.equals(sealSegment(singlePartSegment(dek), plaintext).body), `body ${i + 1}`);
      t.is(sealed.sha256, undefined, 'a large body is sent unsigned wherever it was sealed');
      t.true(plain.buffer.every((b) => b === 0), 'the plaintext copy is zeroed');
      sealed.release(true);
    }
  } finally {
    await sealer.close();
  }
});

test('the worker gets the segment header in a buffer of its own (never a slice of the shared Buffer pool, which may hold other requests\' keys); a slot whose request failed is retired, not reused', async (t) => {
  const { Worker } = await import('node:worker_threads');
  const posted: unknown[] = [];
  const proto = Worker.prototype as unknown as { postMessage: (this: unknown, m: unknown, transfer?: unknown) => void };
  const original = proto.postMessage;
  proto.postMessage = function (this: unknown, m: unknown, transfer?: unknown) {
    posted.push(m);
    original.call(this, m, transfer);
  };
  const sealer = new SegmentSealer();
  const dek = randomBytes(32);
  try {
    // something secret-looking in the pool next to where the header is built
    const neighbour = Buffer.from('aa'.repeat(40), 'hex');
    const seg = singlePartSegment(dek);
    const plain = sealer.plaintextBuffer(2 * MiB);
    randomBytes(2 * MiB).copy(plain.buffer);
    const sealed = await sealer.seal(seg, plain);
    const job = posted.find((m): m is { kind: 'seal'; header: Uint8Array } => (m as { kind?: string }).kind === 'seal');
    t.truthy(job);
    t.is(job!.header.buffer.byteLength, job!.header.byteLength, 'the posted header owns exactly its bytes');
    t.is(neighbour.length, 40);
    const first = plain.slot;
    sealed.release(false);
    const next = sealer.plaintextBuffer(2 * MiB);
    t.not(next.slot, first, 'the retired slot is not handed out again');
    sealer.discard(next);
  } finally {
    proto.postMessage = original;
    await sealer.close();
  }
});

test('SealedObjects.put of a buffered body sends one buffer with its digests; a body of the wrong length or a failing checksum check sends nothing', async (t) => {
  const { store, sent } = recordingStore();
  const objects = new SealedObjects(store, { uploadTokenRoot: randomBytes(32) });
  const dek = randomBytes(32);
  const o = { bucket: 'b', key: 'k' };
  try {
    for (const n of [4096, 2 * MiB]) {
      const body = randomBytes(n);
      await objects.put(o, Readable.from([body.subarray(0, 100), body.subarray(100)]), n, {}, keys(dek));
      const last = sent.at(-1)!;
      t.is(last.digests?.crc32, crcOf(last.body), `${n}: CRC32 of the sealed bytes`);
      if (n < WORKER_MIN_PLAINTEXT) t.is(last.digests?.sha256, createHash('sha256').update(last.body).digest('hex'), 'a small body keeps its signed SHA-256');
      else t.is(last.digests?.sha256, undefined, 'a worker-sealed body goes unsigned');
      t.true(last.body.equals(sealSegment(singlePartSegment(dek), body).body), `${n}: the stream's bytes`);
    }
    const before = sent.length;
    for (const [declared, actual] of [[4096, 4097], [4096, 4095], [2 * MiB, 2 * MiB + 1], [2 * MiB, 2 * MiB - 1]] as const) {
      const err = await t.throwsAsync(objects.put(o, Readable.from([randomBytes(actual)]), declared, {}, keys(dek)));
      t.true(isSealError(err, 'PartLengthMismatch'), `${actual} for ${declared}`);
    }
    const mismatch = new SealError('BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
    for (const n of [4096, 2 * MiB]) {
      const checksums: BodyChecksums = { algorithms: ['CRC32'], declared: [], verify: () => Promise.reject(mismatch) };
      const err = await t.throwsAsync(objects.put(o, Readable.from([randomBytes(n)]), n, {}, keys(dek), undefined, checksums));
      t.is(err, mismatch, `${n}: the check's own error`);
    }
    t.is(sent.length, before, 'nothing reached the backend');
  } finally {
    await objects.close();
  }
});

test('buffered bodies share one memory budget: concurrent large bodies past BUFFERED_BUDGET_BYTES stream instead, small ones are always buffered', async (t) => {
  const held: { buffered: boolean; done: () => void }[] = [];
  const store = {
    put: (_b: string, _k: string, body: Buffer | Readable, _l: number): Promise<PutResult> => {
      if (!Buffer.isBuffer(body)) body.resume();
      return new Promise((resolve) => held.push({ buffered: Buffer.isBuffer(body), done: () => resolve({ etag: '"e"' }) }));
    },
  } as unknown as ObjectStore;
  const objects = new SealedObjects(store, { uploadTokenRoot: randomBytes(32), sealWorker: false });
  const dek = randomBytes(32);
  const n = 16 * MiB;
  const fits = BUFFERED_BUDGET_BYTES / (2 * n);
  try {
    const puts = Array.from({ length: fits + 2 }, (_, i) => objects.put({ bucket: 'b', key: `big-${i}` }, randomBytes(n), n, {}, keys(dek)));
    const small = objects.put({ bucket: 'b', key: 'small' }, randomBytes(4096), 4096, {}, keys(dek));
    while (held.length < fits + 3) await new Promise((r) => setTimeout(r, 5));
    t.is(held.filter((h) => h.buffered).length, fits + 1, `${fits} large bodies within the budget and the small one buffered`);
    t.is(held.filter((h) => !h.buffered).length, 2, 'the large bodies past the budget streamed');
    for (const h of held) h.done();
    await Promise.all([...puts, small]);
    // the budget is given back: the next large body is buffered again
    const next = objects.put({ bucket: 'b', key: 'again' }, randomBytes(n), n, {}, keys(dek));
    while (held.length < fits + 4) await new Promise((r) => setTimeout(r, 5));
    t.true(held.at(-1)!.buffered);
    held.at(-1)!.done();
    await next;
  } finally {
    await objects.close();
  }
});
