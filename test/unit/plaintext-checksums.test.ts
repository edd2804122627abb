/**
 * Plaintext checksums (issue 7 item 5, DESIGN "Sizes … checksums"): Content-MD5 and
 * x-amz-checksum-{crc32,crc32c,crc64nvme,sha1,sha256}, as a header or an aws-chunked trailer, are
 * computed while the body streams and compared at its end with S3's codes (BadDigest, InvalidDigest,
 * InvalidRequest, MalformedTrailerError). The requests come from the real @aws-sdk/client-s3: a
 * middleware at the innermost position (step deserialize, priority low, where the SDK plugin door
 * sits) captures the finished HttpRequest, body stream and all, and answers 200 without a network.
 *
 * And the commit rule: with `beforeFinal: () => checksums.verify(…)` an encrypting stream never
 * emits its final chunk for a body whose checksum does not match.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AwsChunkedDecoder } from '../../src/adapters/s3/aws-chunked-decoder.js';
import { awsChunkedOptions } from '../../src/adapters/s3/aws-chunked-options.js';
import { CHECKSUM_ALGORITHMS } from '../../src/adapters/s3/checksum-algorithms.js';
import { PlaintextChecksums } from '../../src/adapters/s3/plaintext-checksums.js';
import { DecryptStream } from '../../src/engine/decrypt-stream.js';
import { EncryptStream } from '../../src/engine/encrypt-stream.js';
import { PartEncryptStream } from '../../src/engine/part-encrypt-stream.js';
import { BODY_HEADER_SIZE, CHUNK_SIZE, TAG_SIZE } from '../../src/crypto/constants.js';
import { singlePartCiphertextSize, partCiphertextSize } from '../../src/engine/size-math.js';
import { isSealError, SealError, type SealErrorCode } from '../../src/errors.js';
import { sdkPut, type Captured } from '../helpers/sdk-wire-capture.js';
import { s3ErrorShape } from '../../src/adapters/s3/s3-error-shape.js';

/** The core's side: decode (when aws-chunked), compute while streaming, verify at the end. */
async function receive(c: Captured, body = c.body): Promise<{ plaintext: Buffer; digests: Awaited<ReturnType<PlaintextChecksums['verify']>> }> {
  const checksums = PlaintextChecksums.fromHeaders(c.headers);
  const opts = awsChunkedOptions(c.headers);
  const decoder = opts ? new AwsChunkedDecoder(opts) : undefined;
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      out.push(chunk);
      cb();
    },
  });
  await pipeline([Readable.from([body]), ...(decoder ? [decoder] : []), checksums.tap(), sink]);
  const digests = await checksums.verify(decoder?.trailers);
  return { plaintext: Buffer.concat(out), digests };
}

function code(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!isSealError(e)) return String(e);
    const s3 = s3ErrorShape(e);
    return `${e.code}/${s3.code}/${s3.status}`;
  }
}

async function rejects(p: Promise<unknown>, expected: SealErrorCode): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return isSealError(e, expected) ? expected : String(e);
  }
}

test('SDK v3 stream bodies: aws-chunked with each algorithm as a trailer verify; the computed value is the SDK\'s', async (t) => {
  for (const alg of CHECKSUM_ALGORITHMS) {
    const data = randomBytes(70_000 + alg.length);
    const c = await sdkPut(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { ChecksumAlgorithm: alg, ContentLength: data.length });
    t.is(c.headers['x-amz-content-sha256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', alg);
    t.is(c.headers['x-amz-trailer'], `x-amz-checksum-${alg.toLowerCase()}`);
    const r = await receive(c);
    t.true(r.plaintext.equals(data));
    t.is(r.digests.checksum?.algorithm, alg);
    const sent = c.body.toString('latin1').match(new RegExp(`x-amz-checksum-${alg.toLowerCase()}:([^\\r]+)\\r\\n`))?.[1];
    t.is(r.digests.checksum?.value, sent);
    // one plaintext byte changed in transit: BadDigest naming the algorithm
    const bad = Buffer.from(c.body);
    bad[bad.indexOf('\r\n') + 2 + 500]! ^= 0x80;
    const e = await t.throwsAsync(receive(c, bad));
    t.true(isSealError(e, 'BadDigest') && s3ErrorShape(e).status === 400 && e.message === `The ${alg} you specified did not match the calculated checksum.`, `${alg}: ${String(e)}`);
  }
});

test('SDK v3 buffer bodies: the default CRC32 header, and Content-MD5, verify; a changed body is BadDigest', async (t) => {
  const data = randomBytes(5000);
  const c = await sdkPut(data);
  t.truthy(c.headers['x-amz-checksum-crc32']);
  t.is(awsChunkedOptions(c.headers), undefined);
  t.is((await receive(c)).digests.checksum?.value, c.headers['x-amz-checksum-crc32']);
  const md5 = createHash('md5').update(data).digest('base64');
  const m = await sdkPut(data, { ContentMD5: md5 });
  const r = await receive(m);
  t.is(r.digests.contentMd5, md5);
  const changed = Buffer.from(data);
  changed[0]! ^= 1;
  const e = await t.throwsAsync(receive(m, changed));
  // Content-MD5 is checked first, as S3 reports it
  t.true(isSealError(e, 'BadDigest') && s3ErrorShape(e).code === 'BadDigest' && e.message === 'The Content-MD5 you specified did not match what we received.', String(e));
});

test('malformed values are refused when the request arrives, with S3\'s codes', (t) => {
  t.is(code(() => PlaintextChecksums.fromHeaders({ 'content-md5': 'not base64!' })), 'InvalidDigest/InvalidDigest/400');
  t.is(code(() => PlaintextChecksums.fromHeaders({ 'content-md5': Buffer.alloc(15).toString('base64') })), 'InvalidDigest/InvalidDigest/400');
  t.is(code(() => PlaintextChecksums.fromHeaders({ 'content-md5': '' })), 'InvalidDigest/InvalidDigest/400');
  t.is(code(() => PlaintextChecksums.fromHeaders({ 'x-amz-checksum-crc32': 'AAAAAAA=' })), 'InvalidRequest/InvalidRequest/400');
  t.is(code(() => PlaintextChecksums.fromHeaders({ 'x-amz-checksum-sha256': 'AAAA' })), 'InvalidRequest/InvalidRequest/400');
  t.is(code(() => PlaintextChecksums.fromHeaders({ 'x-amz-checksum-crc32': 'AAAAAA==', 'x-amz-checksum-sha1': Buffer.alloc(20).toString('base64') })), 'InvalidRequest/InvalidRequest/400');
  t.is(code(() => PlaintextChecksums.fromHeaders({ 'x-amz-checksum-crc32': 'AAAAAA==', 'x-amz-trailer': 'x-amz-checksum-crc32c' })), 'InvalidRequest/InvalidRequest/400');
  t.is(code(() => PlaintextChecksums.fromHeaders({ 'x-amz-trailer': 'x-amz-meta-foo' })), 'InvalidRequest/InvalidRequest/400');
  t.is(code(() => PlaintextChecksums.fromHeaders({ 'x-amz-sdk-checksum-algorithm': 'MD4' })), 'InvalidRequest/InvalidRequest/400');
  t.is(code(() => PlaintextChecksums.fromHeaders({ 'x-amz-sdk-checksum-algorithm': 'SHA1', 'x-amz-checksum-crc32': 'AAAAAA==' })), 'InvalidRequest/InvalidRequest/400');
  t.is(code(() => PlaintextChecksums.fromHeaders({ 'x-amz-sdk-checksum-algorithm': 'crc32', 'x-amz-checksum-crc32': 'AAAAAA==' })), undefined);
  t.false(PlaintextChecksums.fromHeaders({}).active);
  t.true(PlaintextChecksums.fromHeaders({}, { md5: true }).active);
});

test('a trailer checksum that never arrived, or arrived malformed, fails verification', async (t) => {
  const announced = (): PlaintextChecksums => PlaintextChecksums.fromHeaders({ 'x-amz-trailer': 'x-amz-checksum-crc32' });
  t.is(await rejects(announced().verify(new Map()), 'MalformedTrailer'), 'MalformedTrailer');
  t.is(await rejects(announced().verify(), 'MalformedTrailer'), 'MalformedTrailer');
  t.is(await rejects(announced().verify(new Map([['x-amz-checksum-crc32', 'AAAA']])), 'InvalidRequest'), 'InvalidRequest');
  // the empty body's CRC32 is 0
  t.deepEqual(await announced().verify(new Map([['x-amz-checksum-crc32', 'AAAAAA==']])), { checksum: { algorithm: 'CRC32', value: 'AAAAAA==' } });
  // only named by x-amz-sdk-checksum-algorithm: computed (to be stored), nothing to compare
  const named = PlaintextChecksums.fromHeaders({ 'x-amz-sdk-checksum-algorithm': 'SHA256' });
  named.update(Buffer.from('abc'));
  t.is((await named.verify()).checksum?.value, createHash('sha256').update('abc').digest('base64'));
});

/** Everything an encrypting stream emitted before it ended or failed. */
async function emitted(stream: EncryptStream | PartEncryptStream, body: Buffer): Promise<{ out: Buffer; error?: unknown }> {
  const out: Buffer[] = [];
  stream.on('data', (c: Buffer) => out.push(Buffer.from(c)));
  try {
    await pipeline(Readable.from([body.subarray(0, 70_000), body.subarray(70_000)]), stream, new PassThrough().resume());
    return { out: Buffer.concat(out) };
  } catch (error) {
    return { out: Buffer.concat(out), error };
  }
}

test('beforeFinal: a checksum mismatch means the final ciphertext chunk is never emitted (single part and part)', async (t) => {
  const data = randomBytes(3 * CHUNK_SIZE + 123);
  const good = createHash('sha256').update(data).digest('base64');
  const wrong = createHash('sha256').update('other').digest('base64');
  const finalChunk = 123 + TAG_SIZE;
  for (const [sent, ok] of [[good, true], [wrong, false]] as const) {
    const checksums = PlaintextChecksums.fromHeaders({ 'x-amz-checksum-sha256': sent });
    const dek = randomBytes(32);
    let checked = 0;
    const enc = new EncryptStream(Buffer.from(dek), {
      plaintextLength: data.length,
      beforeFinal: async () => {
        checked++;
        await checksums.verify();
      },
    });
    const tap = checksums.tap();
    const out: Buffer[] = [];
    let error: unknown;
    try {
      await pipeline(Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]), tap, enc, new Writable({ write: (c: Buffer, _e, cb) => (out.push(Buffer.from(c)), cb()) }));
    } catch (e) {
      error = e;
    }
    const ct = Buffer.concat(out);
    t.is(checked, 1);
    if (ok) {
      t.is(error, undefined);
      t.is(ct.length, singlePartCiphertextSize(data.length));
      const plain: Buffer[] = [];
      await pipeline(Readable.from([ct]), new DecryptStream(dek), new Writable({ write: (c: Buffer, _e, cb) => (plain.push(c), cb()) }));
      t.true(Buffer.concat(plain).equals(data));
    } else {
      t.true(isSealError(error, 'BadDigest'), String(error));
      // at most everything but the final chunk left the stream
      t.true(ct.length <= singlePartCiphertextSize(data.length) - finalChunk, `${ct.length} bytes emitted`);
    }
  }
  // the same for a multipart part
  const checksums = PlaintextChecksums.fromHeaders({ 'content-md5': createHash('md5').update('not the body').digest('base64') });
  const part = new PartEncryptStream(randomBytes(32), randomBytes(16), 1, data.length, { beforeFinal: () => checksums.verify().then(() => undefined) });
  const out: Buffer[] = [];
  const e = await t.throwsAsync(pipeline(Readable.from([data]), checksums.tap(), part, new Writable({ write: (c: Buffer, _e, cb) => (out.push(Buffer.from(c)), cb()) })));
  t.true(isSealError(e, 'BadDigest'), String(e));
  t.true(Buffer.concat(out).length <= partCiphertextSize(data.length) - finalChunk);
});

test('beforeFinal runs after the whole body, and a short body is PartLengthMismatch, not a checksum error', async (t) => {
  const data = randomBytes(1000);
  const order: string[] = [];
  const enc = new EncryptStream(randomBytes(32), {
    plaintextLength: 2000,
    beforeFinal: () => {
      order.push('check');
    },
  });
  const r = await emitted(enc, data);
  t.true(isSealError(r.error, 'PartLengthMismatch'));
  t.deepEqual(order, []);
  // a synchronous throw works too
  const enc2 = new EncryptStream(randomBytes(32), {
    plaintextLength: data.length,
    beforeFinal: () => {
      throw new Error('payload hash mismatch');
    },
  });
  const r2 = await emitted(enc2, data);
  t.is((r2.error as Error).message, 'payload hash mismatch');
  t.is(r2.out.length, BODY_HEADER_SIZE, 'only the body header left: the one chunk is the final one');
});

test('beforeFinal with an unknown length, and with an empty body: still before the final chunk', async (t) => {
  const data = randomBytes(2 * CHUNK_SIZE + 5);
  const bad = PlaintextChecksums.fromHeaders({ 'x-amz-checksum-crc32': 'AAAAAA==' });
  const open = new EncryptStream(randomBytes(32), { beforeFinal: () => bad.verify().then(() => undefined) });
  const tap = bad.tap();
  const out: Buffer[] = [];
  const e = await t.throwsAsync(pipeline(Readable.from([data]), tap, open, new Writable({ write: (c: Buffer, _e, cb) => (out.push(Buffer.from(c)), cb()) })));
  t.true(isSealError(e, 'BadDigest'), String(e));
  t.true(Buffer.concat(out).length <= singlePartCiphertextSize(data.length) - (5 + TAG_SIZE));
  // empty body: its only chunk is the final one, so nothing but the header leaves
  const empty = PlaintextChecksums.fromHeaders({ 'content-md5': createHash('md5').update('x').digest('base64') });
  const r = await emitted(new EncryptStream(randomBytes(32), { plaintextLength: 0, beforeFinal: () => empty.verify().then(() => undefined) }), Buffer.alloc(0));
  t.true(isSealError(r.error, 'BadDigest'));
  t.is(r.out.length, BODY_HEADER_SIZE);
  const ok = PlaintextChecksums.fromHeaders({ 'content-md5': createHash('md5').update('').digest('base64') });
  const r2 = await emitted(new EncryptStream(randomBytes(32), { plaintextLength: 0, beforeFinal: () => ok.verify().then(() => undefined) }), Buffer.alloc(0));
  t.is(r2.error, undefined);
  t.is(r2.out.length, singlePartCiphertextSize(0));
});

test('beforeFinal returning a thenable that is not a native Promise is awaited too: a rejecting one keeps the final chunk back (review)', async (t) => {
  const data = randomBytes(10);
  for (const [what, hook] of [
    ['a rejecting thenable', () => ({ then: (_ok: () => void, fail: (e: unknown) => void) => fail(new SealError('BadDigest', 'mismatch')) })],
    ['a thenable resolving later', () => ({ then: (ok: () => void) => void setTimeout(ok, 20) })],
  ] as const) {
    const enc = new EncryptStream(randomBytes(32), { plaintextLength: data.length, beforeFinal: hook as unknown as () => void });
    const out: Buffer[] = [];
    let error: unknown;
    try {
      await pipeline(Readable.from([data]), enc, new Writable({ write: (c: Buffer, _e, cb) => (out.push(Buffer.from(c)), cb()) }));
    } catch (e) {
      error = e;
    }
    const ct = Buffer.concat(out);
    if (what === 'a rejecting thenable') {
      t.true(isSealError(error, 'BadDigest'), `${what}: ${String(error)}`);
      t.true(ct.length < singlePartCiphertextSize(data.length), `${what}: ${ct.length} bytes emitted`);
    } else {
      t.is(error, undefined, what);
      t.is(ct.length, singlePartCiphertextSize(data.length), what);
    }
  }
});
