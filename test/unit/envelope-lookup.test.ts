import test from 'ava';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { randomBytes } from 'node:crypto';
import { findEnvelope, PlaintextGuard } from '../../src/engine/envelope-lookup.js';
import { sealSinglePart } from '../../src/engine/object-writer.js';
import { SealError } from '../../src/errors.js';

const fields = { mode: 'SSE-S3' as const, keyRef: 'file:s3-default', wrappedKey: randomBytes(60) };

test('the envelope is found under x-amz-meta-s3seal in any letter case', (t) => {
  const { envelope } = sealSinglePart(randomBytes(32), fields);
  t.is(findEnvelope({ other: 'x', s3seal: envelope })?.mode, 'SSE-S3');
  t.is(findEnvelope({ S3Seal: envelope })?.mode, 'SSE-S3');
});

test('an object with no s3seal trace is plaintext (no envelope)', (t) => {
  t.is(findEnvelope({ owner: 'ada' }), undefined);
});

test('reserved metadata without the envelope is an envelope removed: EnvelopeMissing', (t) => {
  const err = t.throws(() => findEnvelope({ 's3seal-x': '1', owner: 'ada' }), { instanceOf: SealError });
  t.is(err?.code, 'EnvelopeMissing');
});

async function guarded(body: Buffer): Promise<{ out: Buffer; err?: SealError }> {
  const chunks: Buffer[] = [];
  const g = new PlaintextGuard();
  try {
    for await (const c of Readable.from([body.subarray(0, 2), body.subarray(2)]).pipe(g)) chunks.push(c as Buffer);
    return { out: Buffer.concat(chunks) };
  } catch (err) {
    return { out: Buffer.concat(chunks), err: err as SealError };
  }
}

test('a passthrough body that is s3seal ciphertext (envelope stripped) is refused before any byte', async (t) => {
  const { stream } = sealSinglePart(randomBytes(32), fields);
  const body = await buffer(Readable.from([randomBytes(1000)]).pipe(stream));
  const r = await guarded(body);
  t.is(r.err?.code, 'EnvelopeMissing');
  t.is(r.out.length, 0);
  const part = Buffer.concat([Buffer.from('S3SP'), randomBytes(100)]);
  t.is((await guarded(part)).err?.code, 'EnvelopeMissing');
});

test('a genuine plaintext body passes the guard unchanged, including bodies shorter than a magic', async (t) => {
  const plain = Buffer.from('hello, plain world');
  t.true((await guarded(plain)).out.equals(plain));
  t.true((await buffer(Readable.from([Buffer.from('S3')]).pipe(new PlaintextGuard()))).equals(Buffer.from('S3')));
});
