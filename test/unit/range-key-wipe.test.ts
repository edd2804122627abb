/**
 * Key buffers derived for a ranged read are zeroed when the backend read fails (issue 6, item 14):
 * the content key derived before `source.read(...)` must not outlive a read that throws.
 *
 * Seam: every key s3seal derives is the digest of node:crypto's HMAC-SHA-256 (src/crypto/kdf.ts:
 * HKDF's expand HMAC, whose 32-byte digest is returned without copying). This file replaces
 * createHmac with a recording wrapper (syncBuiltinESMExports makes the ESM binding see it) that
 * keeps each digest with the label found in the HMAC's input, so the test can look at each derived
 * key buffer after the failed read. AVA runs each test file in its own process: the patch stays here.
 */
import test from 'ava';
import crypto, { randomBytes } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { Readable } from 'node:stream';
import { CHUNK_SIZE, LABEL, PART_HEADER_SIZE } from '../../src/crypto/constants.js';
import { decodeEnvelope } from '../../src/crypto/envelope.js';
import { openObject, type CiphertextSource } from '../../src/engine/object-reader.js';
import { kmsFields, sealMultipart, sealSingle, seededBytes } from '../helpers/engine-fixtures.js';

interface Derived {
  label: string;
  key: Uint8Array;
}

const derived: Derived[] = [];
const original = crypto.createHmac;
const labels = Object.values(LABEL);
crypto.createHmac = ((algorithm: string, key: crypto.BinaryLike | crypto.KeyObject, options?: unknown): crypto.Hmac => {
  const hmac = original(algorithm, key, options as undefined);
  const inputs: Buffer[] = [];
  const update = hmac.update.bind(hmac);
  const digest = hmac.digest.bind(hmac) as () => Buffer;
  return Object.assign(hmac, {
    update: (data: crypto.BinaryLike) => {
      inputs.push(Buffer.from(data as Uint8Array));
      update(data);
      return hmac;
    },
    digest: () => {
      const out = digest();
      const text = Buffer.concat(inputs).toString('latin1');
      derived.push({ label: labels.find((l) => text.includes(`${l}\0`)) ?? '?', key: out });
      return out;
    },
  });
});
syncBuiltinESMExports();

/** content keys and part key material: the secrets of a body (commitments are stored in headers) */
function liveSecrets(): string[] {
  return derived.filter((d) => (d.label === LABEL.contentKey || d.label === LABEL.partKey) && d.key.some((b) => b !== 0)).map((d) => d.label);
}

test.serial('the hkdf seam sees the keys the engine derives', async (t) => {
  const dek = randomBytes(32);
  const s = await sealSingle(dek, kmsFields(), seededBytes(1000, 1));
  derived.length = 0;
  const ok: CiphertextSource = { size: s.body.length, read: (r) => Readable.from([s.body.subarray(r!.start, r!.end + 1)]) };
  const opened = await openObject(dek, decodeEnvelope(s.envelope), ok, { range: { start: 1, end: 2 } });
  t.true(derived.some((d) => d.label === LABEL.contentKey), 'a content key was derived');
  t.deepEqual(liveSecrets(), [LABEL.contentKey], 'the open stream holds its content key');
  opened.stream.resume();
  await new Promise((r) => opened.stream.on('end', r));
  t.deepEqual(liveSecrets(), [], 'wiped at the end of the stream');
});

test.serial('single-part ranged read: a source read that throws leaves no content key behind', async (t) => {
  const dek = randomBytes(32);
  const s = await sealSingle(dek, kmsFields(), seededBytes(3 * CHUNK_SIZE, 2));
  for (const failing of [
    { size: s.body.length, read: (): Readable => { throw new Error('backend down'); } },
    { size: s.body.length, read: (): Promise<Readable> => Promise.reject(new Error('backend down')) },
  ] satisfies CiphertextSource[]) {
    derived.length = 0;
    await t.throwsAsync(openObject(dek, decodeEnvelope(s.envelope), failing, { range: { start: CHUNK_SIZE + 5, end: CHUNK_SIZE + 50 } }), { message: 'backend down' });
    t.true(derived.some((d) => d.label === LABEL.contentKey));
    t.deepEqual(liveSecrets(), []);
  }
});

test.serial('multipart ranged and whole reads: a source read that throws (header reads or the body read) leaves no key behind', async (t) => {
  const dek = randomBytes(32);
  const m = await sealMultipart(dek, kmsFields(), [seededBytes(70000, 3), seededBytes(70000, 4)]);
  for (const failOn of ['header', 'body'] as const) {
    for (const range of [{ start: 69000, end: 71000 }, undefined]) {
      derived.length = 0;
      const src: CiphertextSource = {
        size: m.body.length,
        read: (r) => {
          const header = r !== undefined && r.end - r.start + 1 === PART_HEADER_SIZE;
          if ((failOn === 'header') === header) return Promise.reject(new Error('backend down'));
          return Readable.from([m.body.subarray(r?.start ?? 0, (r?.end ?? m.body.length - 1) + 1)]);
        },
      };
      await t.throwsAsync(openObject(dek, decodeEnvelope(m.envelope), src, range ? { range } : {}), { message: 'backend down' });
      t.deepEqual(liveSecrets(), [], `${failOn} read fails, ${range ? 'ranged' : 'whole'}`);
    }
  }
});
