/**
 * Repairs item 8, stream level: with a declared plaintext length, EncryptStream and PartEncryptStream
 * never emit their final ciphertext chunk before the input has ended at exactly that length. A body
 * that is too long (at once, or by a later write after an exact-looking one) or too short fails with
 * PartLengthMismatch, and what was emitted never contains the final chunk: no backend can ever have
 * received a complete, valid body.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import type { Transform } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { BODY_HEADER_SIZE, CHUNK_SIZE, PART_HEADER_SIZE, TAG_SIZE } from '../../src/crypto/constants.js';
import { EncryptStream } from '../../src/engine/encrypt-stream.js';
import { PartEncryptStream } from '../../src/engine/part-encrypt-stream.js';
import { chunkCount, segmentCiphertextSize } from '../../src/engine/size-math.js';
import { isSealError } from '../../src/errors.js';
import { describe } from '../helpers/engine-fixtures.js';

interface Watched {
  emitted: () => number;
  error: () => unknown;
  ended: Promise<void>;
}

function watch(s: Transform): Watched {
  let n = 0;
  let error: unknown;
  s.on('data', (c: Buffer) => (n += c.length));
  const ended = new Promise<void>((resolve) => {
    s.on('end', resolve);
    s.on('error', (e) => {
      error = e;
      resolve();
    });
  });
  return { emitted: () => n, error: () => error, ended };
}

async function writeAll(s: Transform, data: Buffer, piece: number): Promise<void> {
  for (let o = 0; o < data.length; o += piece) s.write(data.subarray(o, o + piece));
  await tick();
  await tick();
}

const KINDS: [string, number, (dek: Buffer, length: number) => Transform][] = [
  ['EncryptStream', BODY_HEADER_SIZE, (dek, length) => new EncryptStream(dek, { plaintextLength: length })],
  ['PartEncryptStream', PART_HEADER_SIZE, (dek, length) => new PartEncryptStream(dek, randomBytes(16), 1, length)],
];

const SIZES = [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 5];

for (const [name, header, make] of KINDS) {
  /** everything but the final chunk: header and the full chunks before it */
  const beforeFinal = (p: number): number => header + (chunkCount(p) - 1) * (CHUNK_SIZE + TAG_SIZE);

  test(`${name}: exactly the declared bytes, input not yet ended → the final chunk is held back; ending emits it`, async (t) => {
    for (const p of SIZES) {
      for (const piece of [7777, CHUNK_SIZE, p + 1]) {
        const s = make(randomBytes(32), p);
        const w = watch(s);
        await writeAll(s, randomBytes(p), Math.max(1, piece));
        t.is(w.emitted(), beforeFinal(p), `${p} bytes in pieces of ${piece}: only the header and non-final chunks so far`);
        s.end();
        await w.ended;
        t.is(w.error(), undefined, describe(w.error()));
        t.is(w.emitted(), segmentCiphertextSize(p, header), `${p} bytes: the whole body once the input ended`);
      }
    }
  });

  test(`${name}: input longer than declared → PartLengthMismatch, the final chunk is never emitted`, async (t) => {
    for (const p of SIZES) {
      const cases: [string, (s: Transform) => Promise<void>][] = [
        ['exact, then one byte more', async (s) => {
          await writeAll(s, randomBytes(p), 7777);
          s.write(Buffer.from([1]));
        }],
        ['exact, then a whole chunk more', async (s) => {
          await writeAll(s, randomBytes(p), CHUNK_SIZE);
          s.write(randomBytes(CHUNK_SIZE));
        }],
        ['one byte too many in one write', async (s) => {
          s.write(randomBytes(p + 1));
          await tick();
        }],
        ['one byte too many in pieces', (s) => writeAll(s, randomBytes(p + 1), 7777)],
      ];
      for (const [what, feed] of cases) {
        const s = make(randomBytes(32), p);
        const w = watch(s);
        await feed(s);
        s.end();
        await w.ended;
        t.true(isSealError(w.error(), 'PartLengthMismatch'), `${p} bytes, ${what}: ${describe(w.error())}`);
        t.true(w.emitted() <= beforeFinal(p), `${p} bytes, ${what}: emitted ${w.emitted()} bytes, the final chunk starts at ${beforeFinal(p)}`);
      }
    }
  });

  test(`${name}: input shorter than declared → PartLengthMismatch, the final chunk is never emitted`, async (t) => {
    for (const p of SIZES.filter((n) => n > 0)) {
      const s = make(randomBytes(32), p);
      const w = watch(s);
      await writeAll(s, randomBytes(p - 1), 7777);
      s.end();
      await w.ended;
      t.true(isSealError(w.error(), 'PartLengthMismatch'), `${p} bytes, one short: ${describe(w.error())}`);
      t.true(w.emitted() <= beforeFinal(p), `${p} bytes, one short: emitted ${w.emitted()}`);
    }
  });
}
