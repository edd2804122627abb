/**
 * Repairs item 4: a whole single-part read checks the length it decrypted. The plaintext length a
 * reader reports (and a door sets Content-Length from) comes from the stored size (HEAD); the body
 * the GET then delivers must be exactly that size. A longer body — another object's body under the
 * same DEK (its chunks verify under the same content key), or appended data — ends in
 * BodyTrailingData, a shorter one in BodyTruncated, and within the release window no byte is
 * released; never a clean end.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { decodeEnvelope } from '../../src/crypto/envelope.js';
import { openObject, type CiphertextSource } from '../../src/engine/object-reader.js';
import { singlePartCiphertextSize } from '../../src/engine/size-math.js';
import { isSealError, type SealErrorCode } from '../../src/errors.js';
import { describe, kmsFields, sealSingle } from '../helpers/engine-fixtures.js';

const FULL = 65552;

/** A backend whose HEAD says `size` while its GET delivers `body`, in the given write sizes. */
function lyingSource(size: number, body: Buffer, pieces: readonly number[] = []): CiphertextSource {
  return {
    size,
    read: () => {
      const out: Buffer[] = [];
      let off = 0;
      for (const n of pieces) {
        if (off >= body.length) break;
        out.push(Buffer.from(body.subarray(off, off + n)));
        off += n;
      }
      for (; off < body.length; off += 7919) out.push(Buffer.from(body.subarray(off, off + 7919)));
      return Readable.from(out);
    },
  };
}

interface Outcome {
  plaintextLength: number;
  received: Buffer;
  error: unknown;
}

async function readWhole(dek: Buffer, envelope: string, source: CiphertextSource, releaseWindow?: number): Promise<Outcome> {
  const opened = await openObject(dek, decodeEnvelope(envelope), source, releaseWindow === undefined ? {} : { releaseWindow });
  const received: Buffer[] = [];
  try {
    for await (const c of opened.stream) received.push(c as Buffer);
    return { plaintextLength: opened.plaintextLength, received: Buffer.concat(received), error: undefined };
  } catch (error) {
    return { plaintextLength: opened.plaintextLength, received: Buffer.concat(received), error };
  }
}

function expectError(t: { true: (v: boolean, m?: string) => void; is: (a: unknown, b: unknown, m?: string) => void }, o: Outcome, code: SealErrorCode, what: string): void {
  t.true(isSealError(o.error, code), `${what}: expected ${code}, got ${describe(o.error)}`);
  t.is(o.received.length, 0, `${what}: no byte released`);
}

test('HEAD says 131,072 plaintext bytes, the GET delivers another object\'s valid 197,108-byte body under the same DEK → BodyTrailingData, nothing released', async (t) => {
  const dek = randomBytes(32);
  const fields = kmsFields();
  const a = await sealSingle(dek, fields, randomBytes(131072));
  // same DEK, same header, so every chunk of b verifies under a's content key
  const b = await sealSingle(dek, fields, randomBytes(197006));
  t.is(a.body.length, singlePartCiphertextSize(131072));
  t.is(b.body.length, 197108);
  for (const pieces of [[], [b.body.length], [a.body.length, 1], [a.body.length - 1, 2], [38, FULL, FULL]]) {
    const o = await readWhole(dek, a.envelope, lyingSource(a.body.length, b.body, pieces));
    t.is(o.plaintextLength, 131072);
    expectError(t, o, 'BodyTrailingData', `writes ${pieces.join('+') || '7919 each'}`);
  }
});

test('a whole read refuses appended data, a repeated final chunk, and a cut body, before any release', async (t) => {
  const dek = randomBytes(32);
  const fields = kmsFields();
  for (const size of [0, 1, 65536, 65537, 131072]) {
    const s = await sealSingle(dek, fields, randomBytes(size));
    const n = s.body.length;
    const finalChunk = s.body.subarray(38 + FULL * Math.floor(Math.max(0, size - 1) / 65536));
    const cases: [string, Buffer, SealErrorCode][] = [
      ['one byte appended', Buffer.concat([s.body, Buffer.from([0])]), 'BodyTrailingData'],
      ['the final chunk appended again', Buffer.concat([s.body, finalChunk]), 'BodyTrailingData'],
      ['a whole second body appended', Buffer.concat([s.body, s.body]), 'BodyTrailingData'],
      ['last byte cut', s.body.subarray(0, n - 1), 'BodyTruncated'],
      ['only the header', s.body.subarray(0, 38), 'BodyTruncated'],
    ];
    for (const [what, body, code] of cases) {
      // the extra (or missing) bytes arriving in their own write, after an exact-looking body
      for (const pieces of [[], [Math.min(n, body.length)]]) {
        expectError(t, await readWhole(dek, s.envelope, lyingSource(n, body, pieces)), code, `${size} bytes, ${what}, writes ${pieces.join('+') || '7919 each'}`);
      }
    }
    const ok = await readWhole(dek, s.envelope, lyingSource(n, s.body, [n]));
    t.is(ok.error, undefined, describe(ok.error));
  }
});

test('past the release window, a longer body under the same DEK still ends in an error, never a clean end', async (t) => {
  const dek = randomBytes(32);
  const fields = kmsFields();
  const a = await sealSingle(dek, fields, randomBytes(2 * 1024 * 1024));
  const b = await sealSingle(dek, fields, randomBytes(3 * 1024 * 1024 + 17));
  const o = await readWhole(dek, a.envelope, lyingSource(a.body.length, b.body), 256 * 1024);
  t.true(isSealError(o.error, 'BodyTrailingData'), describe(o.error));
  t.true(o.received.length <= 2 * 1024 * 1024, 'never more than the reported plaintext length');
});
