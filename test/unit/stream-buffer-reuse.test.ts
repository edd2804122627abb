/**
 * Repairs item 3: no stream keeps a caller's buffer past its write callback. Node lets a producer
 * reuse a buffer as soon as the callback of its write fired (a file reader, a socket parser); a
 * stream that kept a view of it (a "pending" chunk, a split header) would later seal or open bytes
 * the producer wrote there since — authenticated, so every later read "verifies" the wrong bytes.
 *
 * Each stream class is driven by such a producer: pieces a, b, c… with distinct contents, written
 * from ONE buffer that is overwritten with the next piece inside each write callback, cut at and
 * across chunk, tag, header and frame boundaries. The round trip must give exactly a‖b‖c….
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import type { Transform } from 'node:stream';
import { BODY_HEADER_SIZE, CHUNK_SIZE, PART_HEADER_SIZE, TAG_SIZE } from '../../src/crypto/constants.js';
import { encodeBodyHeader, parsePartHeader } from '../../src/crypto/body-header.js';
import { decodeEnvelope } from '../../src/crypto/envelope.js';
import { decodeLayout, expandLayout } from '../../src/crypto/layout.js';
import { deriveSegmentKeys } from '../../src/crypto/segment-keys.js';
import { V1 } from '../../src/crypto/kdf.js';
import { DecryptStream } from '../../src/engine/decrypt-stream.js';
import { EncryptStream } from '../../src/engine/encrypt-stream.js';
import { MultipartDecryptStream } from '../../src/engine/multipart-decrypt-stream.js';
import { completeMultipart, encryptPart, startMultipart } from '../../src/engine/object-writer.js';
import { RangeDecryptStream } from '../../src/engine/range-decrypt-stream.js';
import { chunkSpan, MAX_PART_PLAINTEXT } from '../../src/engine/size-math.js';
import { describe, kmsFields, readObject, runTransform, sealMultipart, sealSingle } from '../helpers/engine-fixtures.js';

const TAG = TAG_SIZE;
const FULL = CHUNK_SIZE + TAG;

/**
 * Write `pieces` into `stream` from one reused buffer: piece i+1 is copied over piece i inside the
 * callback of piece i's write, as the stream contract allows. Resolves with everything emitted.
 */
async function writeReusing(stream: Transform, pieces: readonly Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  stream.on('data', (c: Buffer) => out.push(Buffer.from(c)));
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  // a write that fails rejects first; the stream's error event is then expected, not unhandled
  ended.catch(() => undefined);
  const buf = Buffer.alloc(Math.max(1, ...pieces.map((p) => p.length)));
  const load = (i: number): Buffer => {
    buf.fill(0xee);
    const p = pieces[i];
    if (!p) return buf.subarray(0, 0);
    p.copy(buf);
    return buf.subarray(0, p.length);
  };
  let view = load(0);
  for (let i = 0; i < pieces.length; i++) {
    await new Promise<void>((resolve, reject) => {
      stream.write(view, (err) => {
        // the callback fired: the producer reuses its buffer at once
        view = load(i + 1);
        if (err) reject(err);
        else resolve();
      });
    });
  }
  stream.end();
  await ended;
  return Buffer.concat(out);
}

/** Cut `data` into pieces of the given sizes, then the rest as one piece; each piece is its own copy. */
function cut(data: Buffer, sizes: readonly number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let off = 0;
  for (const n of sizes) {
    if (off >= data.length) break;
    pieces.push(Buffer.from(data.subarray(off, off + n)));
    off += n;
  }
  if (off < data.length) pieces.push(Buffer.from(data.subarray(off)));
  return pieces;
}

/** Plaintext pieces a, b, c… of distinct random contents. */
function plainPieces(sizes: readonly number[]): Buffer[] {
  return sizes.map((n) => randomBytes(n));
}

/** plaintext writes: aligned to chunks, one byte off either way, spanning two chunks, tiny */
const PLAIN_SPLITS: readonly (readonly number[])[] = [
  [CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE],
  [CHUNK_SIZE - 1, CHUNK_SIZE + 1, CHUNK_SIZE],
  [CHUNK_SIZE + 1, CHUNK_SIZE - 1, 1],
  [1, CHUNK_SIZE - 1, CHUNK_SIZE, 70000],
  [2 * CHUNK_SIZE, CHUNK_SIZE, 1],
  [100, 200, 300],
  [CHUNK_SIZE, 1, CHUNK_SIZE - 1, CHUNK_SIZE],
];

/** ciphertext writes for a body whose header is `h` bytes: header split, frame (chunk + tag) aligned and off by one */
function cipherSplits(h: number): number[][] {
  return [
    [h, FULL, FULL, FULL],
    [h - 1, 1, FULL - 1, FULL + 1],
    [h + FULL, FULL, 7],
    [20, h - 20 + FULL - TAG, TAG, FULL],
    [FULL, FULL, FULL],
    [h + CHUNK_SIZE, TAG + 3, FULL - 3, 1],
    [h, FULL - 1, 1, FULL - 1, 1],
  ];
}

const PLAIN = 3 * CHUNK_SIZE + 5;

for (const [i, sizes] of PLAIN_SPLITS.entries()) {
  const label = sizes.join('+');

  test(`EncryptStream (declared length): a producer reusing its buffer gets exactly a‖b‖c back [${label}]`, async (t) => {
    const dek = randomBytes(32);
    const pieces = plainPieces(sizes);
    const plain = Buffer.concat(pieces);
    const body = await writeReusing(new EncryptStream(dek, { plaintextLength: plain.length }), pieces);
    const back = await runTransform(new DecryptStream(dek), body);
    t.true(back.equals(plain), `split ${i}`);
  });

  test(`EncryptStream (length unknown): a producer reusing its buffer gets exactly a‖b‖c back [${label}]`, async (t) => {
    const dek = randomBytes(32);
    const pieces = plainPieces(sizes);
    const plain = Buffer.concat(pieces);
    const body = await writeReusing(new EncryptStream(dek), pieces);
    const back = await runTransform(new DecryptStream(dek), body);
    t.true(back.equals(plain), `split ${i}`);
  });

  test(`PartEncryptStream: a producer reusing its buffer gets exactly a‖b‖c back [${label}]`, async (t) => {
    const dek = randomBytes(32);
    const pieces = plainPieces(sizes);
    const plain = Buffer.concat(pieces);
    const { envelope: tokenEnvelope } = startMultipart(dek, kmsFields());
    const part = encryptPart(dek, tokenEnvelope, 1, plain.length);
    const body = await writeReusing(part, pieces);
    // read back through the engine's own multipart reader
    const envelope = completeMultipart(dek, tokenEnvelope, [part.record]);
    const r = await readObject(dek, envelope, body);
    t.is(r.error, undefined, describe(r.error));
    t.true(r.received.equals(plain), `split ${i}`);
  });
}

for (const sizes of cipherSplits(BODY_HEADER_SIZE)) {
  const label = sizes.join('+');
  for (const declared of [true, false]) {
    test(`DecryptStream (${declared ? 'expected length' : 'length unknown'}): ciphertext written from a reused buffer decrypts to exactly the plaintext [${label}]`, async (t) => {
      const dek = randomBytes(32);
      const plain = randomBytes(PLAIN);
      const body = await runTransform(new EncryptStream(dek), plain);
      const d = new DecryptStream(dek, declared ? { ciphertextLength: body.length } : {});
      t.true((await writeReusing(d, cut(body, sizes))).equals(plain));
    });
  }
}

test('RangeDecryptStream: ciphertext chunks written from a reused buffer decrypt to exactly the range', async (t) => {
  const dek = randomBytes(32);
  const plain = randomBytes(PLAIN);
  const { body } = await sealSingle(dek, kmsFields(), plain);
  const keys = deriveSegmentKeys(dek, V1);
  const aad = encodeBodyHeader(V1, keys.commitment);
  for (const [start, end] of [[5, PLAIN - 1], [CHUNK_SIZE - 1, 2 * CHUNK_SIZE], [0, PLAIN - 1]] as const) {
    const span = chunkSpan(start, end, PLAIN, BODY_HEADER_SIZE);
    const cipher = body.subarray(span.cipherStart, span.cipherEnd + 1);
    for (const sizes of [[FULL, FULL, FULL], [FULL - 1, 1, FULL + 1], [TAG, FULL - TAG, 3], [FULL + 7, FULL]]) {
      const s = new RangeDecryptStream(Buffer.from(keys.contentKey), aad, span);
      const got = await writeReusing(s, cut(cipher, sizes));
      t.true(got.equals(plain.subarray(start, end + 1)), `range ${start}-${end}, writes ${sizes.join('+')}`);
    }
  }
});

for (const sizes of cipherSplits(PART_HEADER_SIZE)) {
  test(`MultipartDecryptStream: a multipart body written from a reused buffer decrypts to exactly the plaintext [${sizes.join('+')}]`, async (t) => {
    const dek = randomBytes(32);
    const parts = [randomBytes(2 * CHUNK_SIZE + 1), randomBytes(CHUNK_SIZE), randomBytes(70000)];
    const m = await sealMultipart(dek, kmsFields(), parts);
    const env = decodeEnvelope(m.envelope);
    const layout = decodeLayout(env.layout!, MAX_PART_PLAINTEXT);
    // the salts a reader verified against the layout up front (object-reader.ts): here, each stored header's
    const plan = expandLayout(layout).map((entry) => ({ entry, salt: Buffer.from(parsePartHeader(m.partBodies[entry.index]!.subarray(0, PART_HEADER_SIZE)).salt), withHeader: true }));
    const s = new MultipartDecryptStream(dek, env.uploadNonce!, plan, { id: env });
    // the splits repeat at the start of every part, where the part headers are
    const partSizes = m.partBodies.flatMap((p) => cut(p, sizes).map((c) => c.length));
    t.true((await writeReusing(s, cut(m.body, partSizes))).equals(Buffer.concat(parts)));
  });
}
