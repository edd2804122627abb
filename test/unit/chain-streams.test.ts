/**
 * chainStreams (engine/chain-streams.ts) replaces `stream.pipeline` on the per-request paths (request
 * body taps, the decryptor after a backend body, exact-length checks): the bytes pass unchanged, and
 * a failure anywhere ends every stage — the caller reading the last stream sees the first error, and
 * a source is never left open (a backend socket held) after the reader stopped.
 */
import test from 'ava';
import { PassThrough, Readable, Transform } from 'node:stream';
import { chainStreams } from '../../src/engine/chain-streams.js';

const collect = async (r: Readable): Promise<Buffer> => {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
};

test('bytes pass through every stage unchanged, in order', async (t) => {
  const parts = [Buffer.from('abc'), Buffer.from('defg'), Buffer.alloc(70_000, 7)];
  const out = await collect(chainStreams(Readable.from(parts, { objectMode: false }), new PassThrough(), new PassThrough()));
  t.true(out.equals(Buffer.concat(parts)));
});

test('a source that fails ends the last stage with the same error, and destroys the middle ones', async (t) => {
  const boom = new Error('source failed');
  const source = new Readable({ read() {} });
  const middle = new PassThrough();
  const last = chainStreams(source, middle, new PassThrough());
  source.push(Buffer.from('x'));
  setImmediate(() => source.destroy(boom));
  const err = await t.throwsAsync(collect(last));
  t.is(err, boom);
  t.true(middle.destroyed);
});

test('a stage that fails destroys the source and ends the last stage with its error', async (t) => {
  const bad = new Error('stage failed');
  const source = new Readable({ read() {} });
  const failing = new Transform({ transform: (_c, _e, cb) => cb(bad) });
  const last = chainStreams(source, failing, new PassThrough());
  source.push(Buffer.from('x'));
  source.on('error', () => undefined);
  const closed = new Promise((resolve) => source.once('close', resolve));
  const err = await t.throwsAsync(collect(last));
  t.is(err, bad);
  await closed;
  t.true(source.destroyed, 'the source is released');
});

test('a source that closes before its end is a premature close for the reader', async (t) => {
  const source = new Readable({ read() {} });
  const last = chainStreams(source, new PassThrough());
  source.push(Buffer.from('x'));
  setImmediate(() => source.destroy());
  const err = await t.throwsAsync(collect(last));
  t.is((err as NodeJS.ErrnoException).code, 'ERR_STREAM_PREMATURE_CLOSE');
});

test('a reader that destroys the last stage releases the source', async (t) => {
  const source = new Readable({ read() {} });
  const last = chainStreams(source, new PassThrough());
  source.push(Buffer.from('x'));
  source.on('error', () => undefined);
  const closed = new Promise((resolve) => source.once('close', resolve));
  last.destroy();
  await closed;
  t.true(source.destroyed);
});
