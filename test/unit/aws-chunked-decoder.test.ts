/**
 * The aws-chunked body decoder (issue 7, S3 core): what SDK v3 sends for a stream body
 * (STREAMING-UNSIGNED-PAYLOAD-TRAILER, produced here by the SDK's own encoder from node_modules) and
 * the signed variants (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) decode exactly, at any size and
 * cut anywhere; every hostile framing ends in a typed SealError, never a hang or a silent success.
 */
import test from 'ava';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import { getAwsChunkedEncodingStream, toBase64, calculateBodyLength } from '@smithy/core/serde';
import { readableStreamHasher, Crc32 } from '@smithy/core/checksum';
import { AwsChunkedDecoder, MAX_LINE, type AwsChunkedOptions } from '../../src/adapters/s3/aws-chunked-decoder.js';
import { awsChunkedOptions } from '../../src/adapters/s3/aws-chunked-options.js';
import { storedContentEncoding } from '../../src/adapters/s3/stored-content-encoding.js';
import { isSealError, type SealErrorCode } from '../../src/errors.js';
import { cut, driveAwsChunked, type DriveOutcome } from '../helpers/aws-chunked-drive.js';
import { chunkSignature, encodeSigned, signingKey, testVerifier, type SigningContext } from '../helpers/aws-chunked-signer.js';

const UNSIGNED = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
const SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
const SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';

/** The SDK's own aws-chunked encoder, as client-s3 wires it (runtimeConfig + flexible checksums), CRC32 trailer. */
async function sdkEncode(pieces: readonly Buffer[], checksum = true): Promise<Buffer> {
  const src = Readable.from(pieces);
  const enc = getAwsChunkedEncodingStream(
    src,
    checksum
      ? { base64Encoder: toBase64, bodyLengthChecker: calculateBodyLength, checksumAlgorithmFn: Crc32, checksumLocationName: 'x-amz-checksum-crc32', streamHasher: readableStreamHasher }
      : { bodyLengthChecker: calculateBodyLength },
  );
  const out: Buffer[] = [];
  for await (const c of enc as AsyncIterable<Buffer | string>) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

function randomCuts(len: number, n: number): number[] {
  return Array.from({ length: n }, () => randomInt(0, Math.max(1, len)));
}

function unsigned(decodedLength: number, trailerNames: string[] = ['x-amz-checksum-crc32']): AwsChunkedOptions {
  return { variant: UNSIGNED, decodedLength, trailerNames };
}

function expectCode(t: { true: (v: boolean, m?: string) => void }, o: DriveOutcome, ...codes: SealErrorCode[]): void {
  if (o.ok) return t.true(false, `expected ${codes.join('|')}, got success`);
  const e = o.error;
  t.true(codes.some((c) => isSealError(e, c)), `expected ${codes.join('|')}, got ${String(e)}`);
}

// the AWS documentation's "Example: PUT Object" (sigv4-streaming): 64 KiB + 1 KiB of 'a'
const DOC: SigningContext = {
  key: signingKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3'),
  date: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
  seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
};

test('round trip: the SDK encoder (CRC32 trailer) at random sizes and random cuts decodes exactly', async (t) => {
  const sizes = [0, 1, 2, 8191, 8192, 65535, 65536, 65537, 200_003, ...Array.from({ length: 12 }, () => randomInt(0, 300_000))];
  for (const size of sizes) {
    const data = randomBytes(size);
    // the producer's own pieces become the SDK's chunks: random too
    const encoded = await sdkEncode(cut(data, randomCuts(size, randomInt(0, 8))));
    const o = await driveAwsChunked(cut(encoded, randomCuts(encoded.length, randomInt(0, 40))), unsigned(size));
    if (!o.ok) return t.fail(`size ${size}: ${String(o.error)}`);
    t.true(o.body.equals(data), `size ${size}`);
    const crc = new Crc32();
    crc.update(data);
    t.is(o.trailers.get('x-amz-checksum-crc32'), Buffer.from(await crc.digest()).toString('base64'));
  }
});

test('round trip: every cut of a small SDK encoding, one byte at a time included', async (t) => {
  const data = Buffer.from('hello world, aws-chunked');
  const encoded = await sdkEncode([data.subarray(0, 5), data.subarray(5)]);
  for (let i = 1; i < encoded.length; i++) {
    const o = await driveAwsChunked([encoded.subarray(0, i), encoded.subarray(i)], unsigned(data.length));
    t.true(o.ok && o.body.equals(data), `cut at ${i}`);
  }
  const bytewise = await driveAwsChunked([...encoded].map((b) => Buffer.from([b])), unsigned(data.length));
  t.true(bytewise.ok && bytewise.body.equals(data));
});

test('the SDK encoder without a checksum ends after "0\\r\\n": accepted when no trailer is announced', async (t) => {
  const data = randomBytes(1000);
  const encoded = await sdkEncode([data], false);
  t.true(encoded.subarray(-3).equals(Buffer.from('0\r\n')));
  const o = await driveAwsChunked([encoded], unsigned(data.length, []));
  t.true(o.ok && o.body.equals(data));
  // but a trailer that was announced must come
  expectCode(t, await driveAwsChunked([encoded], unsigned(data.length)), 'MalformedTrailer');
});

test('options from the headers SDK v3 sends; anything else refused', (t) => {
  const h = { 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': UNSIGNED, 'x-amz-decoded-content-length': '42', 'x-amz-trailer': 'x-amz-checksum-crc32' };
  t.deepEqual(awsChunkedOptions(h), { variant: UNSIGNED, decodedLength: 42, trailerNames: ['x-amz-checksum-crc32'] });
  t.is(awsChunkedOptions({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }), undefined);
  t.is(awsChunkedOptions({}), undefined);
  const code = (headers: Record<string, string>): string | undefined => {
    try {
      awsChunkedOptions(headers);
      return undefined;
    } catch (e) {
      return isSealError(e) ? e.code : String(e);
    }
  };
  t.is(code({ ...h, 'x-amz-decoded-content-length': '' }), 'InvalidArgument');
  t.is(code({ ...h, 'x-amz-decoded-content-length': '-1' }), 'InvalidArgument');
  t.is(code({ ...h, 'x-amz-decoded-content-length': '99999999999999999' }), 'InvalidArgument');
  t.is(code({ 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': UNSIGNED }), 'InvalidRequest');
  t.is(code({ ...h, 'x-amz-content-sha256': 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' }), 'InvalidRequest');
  t.is(code({ 'content-encoding': 'gzip,aws-chunked', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }), 'InvalidRequest');
  t.is(code({ ...h, 'x-amz-trailer': 'x-amz-checksum-crc32,' }), 'InvalidRequest');
});

test('signed: the AWS documentation example chain (seed, 64 KiB, 1 KiB, final) verifies and decodes', async (t) => {
  const data = Buffer.alloc(66560, 'a');
  // the published signatures: the test signer is the algorithm AWS documents
  t.is(chunkSignature(DOC, DOC.seedSignature, createHash('sha256').update(data.subarray(0, 65536)).digest('hex')), 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648');
  const encoded = encodeSigned(DOC, data, [65536, 1024]);
  t.true(encoded.includes(Buffer.from('0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n')));
  const calls: string[] = [];
  const o = await driveAwsChunked(cut(encoded, randomCuts(encoded.length, 30)), { variant: SIGNED, decodedLength: data.length, verifier: testVerifier(DOC, calls) });
  t.true(o.ok && o.body.equals(data));
  t.is(calls.length, 3);
});

test('signed with trailer: chunks and the trailer signature verify; any wrong signature or byte is SignatureDoesNotMatch', async (t) => {
  const data = randomBytes(100_000);
  const trailers = await crc32b64Async(data);
  const opts = (ctx = DOC): AwsChunkedOptions => ({ variant: SIGNED_TRAILER, decodedLength: data.length, trailerNames: ['x-amz-checksum-crc32'], verifier: testVerifier(ctx) });
  const encoded = encodeSigned(DOC, data, [8192, 50_000], trailers);
  const o = await driveAwsChunked(cut(encoded, randomCuts(encoded.length, 20)), opts());
  t.true(o.ok && o.body.equals(data));
  // another key
  expectCode(t, await driveAwsChunked([encoded], opts({ ...DOC, key: randomBytes(32) })), 'SignatureDoesNotMatch');
  // one data byte changed
  const tampered = Buffer.from(encoded);
  tampered[encoded.indexOf('\r\n') + 100]! ^= 1;
  expectCode(t, await driveAwsChunked([tampered], opts()), 'SignatureDoesNotMatch');
  // the trailer value changed (the trailer signature covers it)
  const i = encoded.indexOf('x-amz-checksum-crc32:') + 'x-amz-checksum-crc32:'.length;
  const badTrailer = Buffer.from(encoded);
  badTrailer[i] = badTrailer[i] === 0x41 ? 0x42 : 0x41;
  expectCode(t, await driveAwsChunked([badTrailer], opts()), 'SignatureDoesNotMatch');
  // the trailer signature line missing
  const noSig = Buffer.from(encoded.toString('latin1').replace(/x-amz-trailer-signature:[0-9a-f]+\r\n/, ''), 'latin1');
  expectCode(t, await driveAwsChunked([noSig], opts()), 'MalformedTrailer');
  // chunks replayed in another order break the chain
  const two = encodeSigned(DOC, data, [50_000]);
  const frame = two.indexOf('\r\n') + 2 + 50_000 + 2;
  const swapped = Buffer.concat([two.subarray(frame, 2 * frame), two.subarray(0, frame), two.subarray(2 * frame)]);
  const plain: AwsChunkedOptions = { variant: SIGNED, decodedLength: data.length, verifier: testVerifier(DOC) };
  t.true((await driveAwsChunked([two], plain)).ok);
  expectCode(t, await driveAwsChunked([swapped], { ...plain, verifier: testVerifier(DOC) }), 'SignatureDoesNotMatch');
});

async function crc32b64Async(data: Buffer): Promise<Record<string, string>> {
  const c = new Crc32();
  c.update(data);
  return { 'x-amz-checksum-crc32': Buffer.from(await c.digest()).toString('base64') };
}

test('a signed body without a verifier is refused before any byte', (t) => {
  const e = t.throws(() => new AwsChunkedDecoder({ variant: SIGNED, decodedLength: 1 }));
  t.true(isSealError(e, 'AccessDenied'));
  t.true(isSealError(t.throws(() => new AwsChunkedDecoder({ variant: SIGNED_TRAILER, decodedLength: 1, trailerNames: ['x-amz-checksum-crc32'] })), 'AccessDenied'));
  // an unsigned body carrying chunk signatures is not a signed one either
  return driveAwsChunked([encodeSigned(DOC, Buffer.from('abc'), [3])], unsigned(3, [])).then((o) => expectCode(t, o, 'InvalidChunkEncoding'));
});

const hostile: [string, string, number, string[], SealErrorCode[]][] = [
  ['bad hex', 'zz\r\nabc\r\n0\r\n\r\n', 3, [], ['InvalidChunkEncoding']],
  ['empty size', '\r\nabc\r\n0\r\n\r\n', 3, [], ['InvalidChunkEncoding']],
  ['hex with a sign', '+3\r\nabc\r\n0\r\n\r\n', 3, [], ['InvalidChunkEncoding']],
  ['17 hex digits', '00000000000000003\r\nabc\r\n0\r\n\r\n', 3, [], ['InvalidChunkEncoding']],
  ['chunk extension on an unsigned body', '3;x=y\r\nabc\r\n0\r\n\r\n', 3, [], ['InvalidChunkEncoding']],
  ['bare LF after size', '3\nabc\r\n0\r\n\r\n', 3, [], ['InvalidChunkEncoding']],
  ['missing CRLF after data', '3\r\nabc0\r\n\r\n', 3, [], ['InvalidChunkEncoding']],
  ['LF only after data', '3\r\nabc\n0\r\n\r\n', 3, [], ['InvalidChunkEncoding']],
  ['size beyond decoded length', '4\r\nabcd\r\n0\r\n\r\n', 3, [], ['InvalidChunkEncoding']],
  ['huge size', 'ffffffffffffffff\r\nabc', 3, [], ['InvalidChunkEncoding']],
  ['final chunk too early', '2\r\nab\r\n0\r\n\r\n', 3, [], ['IncompleteBody']],
  ['no final chunk', '3\r\nabc\r\n', 3, [], ['IncompleteBody']],
  ['truncated in data', '3\r\nab', 3, [], ['IncompleteBody']],
  ['truncated in size line', '3', 3, [], ['IncompleteBody']],
  ['empty body', '', 3, [], ['IncompleteBody']],
  ['data after the end', '3\r\nabc\r\n0\r\n\r\nX', 3, [], ['InvalidChunkEncoding']],
  ['second body after the end', '3\r\nabc\r\n0\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 3, [], ['InvalidChunkEncoding']],
  ['trailer missing', '3\r\nabc\r\n0\r\n\r\n', 3, ['x-amz-checksum-crc32'], ['MalformedTrailer']],
  ['trailer section truncated', '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n', 3, ['x-amz-checksum-crc32'], ['MalformedTrailer']],
  ['trailer line truncated', '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSR', 3, ['x-amz-checksum-crc32'], ['MalformedTrailer']],
  ['trailer not announced', '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n', 3, [], ['MalformedTrailer']],
  ['extra trailer', '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\nx-amz-meta-a:b\r\n\r\n', 3, ['x-amz-checksum-crc32'], ['MalformedTrailer']],
  ['duplicated trailer', '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n', 3, ['x-amz-checksum-crc32'], ['MalformedTrailer']],
  ['trailer without colon', '3\r\nabc\r\n0\r\nx-amz-checksum-crc32\r\n\r\n', 3, ['x-amz-checksum-crc32'], ['MalformedTrailer']],
  ['trailer without value', '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:\r\n\r\n', 3, ['x-amz-checksum-crc32'], ['MalformedTrailer']],
  ['trailer with bare LF', '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\n\r\n', 3, ['x-amz-checksum-crc32'], ['MalformedTrailer']],
  ['trailer signature on an unsigned body', '3\r\nabc\r\n0\r\nx-amz-trailer-signature:00\r\n\r\n', 3, [], ['MalformedTrailer']],
];

for (const [name, body, len, trailers, codes] of hostile) {
  test(`hostile framing: ${name} → ${codes.join('|')}, cut anywhere`, async (t) => {
    const input = Buffer.from(body, 'latin1');
    expectCode(t, await driveAwsChunked([input], unsigned(len, trailers)), ...codes);
    for (let i = 1; i < input.length; i++) expectCode(t, await driveAwsChunked(cut(input, [i]), unsigned(len, trailers)), ...codes);
  });
}

test('announcing a trailer twice, or the signature as a trailer, or trailers on the trailer-less signed variant: refused up front', (t) => {
  t.true(isSealError(t.throws(() => new AwsChunkedDecoder(unsigned(1, ['x-amz-checksum-crc32', 'X-Amz-Checksum-CRC32']))), 'MalformedTrailer'));
  t.true(isSealError(t.throws(() => new AwsChunkedDecoder(unsigned(1, ['x-amz-trailer-signature']))), 'MalformedTrailer'));
  t.true(isSealError(t.throws(() => new AwsChunkedDecoder({ variant: SIGNED, decodedLength: 1, trailerNames: ['x-amz-checksum-crc32'], verifier: testVerifier(DOC) })), 'MalformedTrailer'));
});

test('every truncation of a valid body is a typed error; only the whole body succeeds', async (t) => {
  const data = randomBytes(300);
  const encoded = await sdkEncode(cut(data, [100, 200]));
  for (let i = 0; i < encoded.length; i++) expectCode(t, await driveAwsChunked([encoded.subarray(0, i)], unsigned(data.length)), 'IncompleteBody', 'MalformedTrailer');
  const signed = encodeSigned(DOC, data, [100, 100], await crc32b64Async(data));
  const opts: AwsChunkedOptions = { variant: SIGNED_TRAILER, decodedLength: data.length, trailerNames: ['x-amz-checksum-crc32'], verifier: testVerifier(DOC) };
  for (let i = 0; i < signed.length; i++) expectCode(t, await driveAwsChunked([signed.subarray(0, i)], opts), 'IncompleteBody', 'MalformedTrailer', 'SignatureDoesNotMatch');
  t.true((await driveAwsChunked([signed], opts)).ok);
});

test('bounded buffering: an endless size line or trailer line fails within MAX_LINE bytes', async (t) => {
  const d = new AwsChunkedDecoder(unsigned(10, []));
  const failed = new Promise<unknown>((resolve) => d.on('error', resolve));
  let written = 0;
  // 1 MiB of 'a' without a newline, 4 KiB at a time: the decoder refuses it after the first write
  for (let i = 0; i < 256 && !d.destroyed; i++) {
    d.write(Buffer.alloc(4096, 0x61));
    written += 4096;
    await new Promise((r) => setImmediate(r));
  }
  t.true(isSealError(await failed, 'InvalidChunkEncoding'));
  t.true(written <= 2 * 4096, `wrote ${written} before the error`);
  t.true(MAX_LINE <= 4096);
  const o = await driveAwsChunked([Buffer.from('1\r\na\r\n0\r\n'), Buffer.alloc(MAX_LINE + 1, 0x61)], unsigned(1, ['x-amz-checksum-crc32']));
  expectCode(t, o, 'MalformedTrailer');
});

test('a producer that reuses its buffer after each write callback: the decoded bytes are what it wrote', async (t) => {
  const data = randomBytes(150_000);
  const encoded = await sdkEncode(cut(data, randomCuts(data.length, 6)));
  const pieces = cut(encoded, randomCuts(encoded.length, 60));
  const d = new AwsChunkedDecoder(unsigned(data.length));
  const buf = Buffer.alloc(Math.max(...pieces.map((p) => p.length)));
  // nothing reads until every piece was written: decoded data waits in the readable buffer meanwhile
  for (const p of pieces) {
    p.copy(buf);
    await new Promise<void>((resolve, reject) => d.write(buf.subarray(0, p.length), (err) => (err ? reject(err) : resolve())));
    buf.fill(0xee);
  }
  d.end();
  const out: Buffer[] = [];
  for await (const c of d as AsyncIterable<Buffer>) out.push(c);
  t.true(Buffer.concat(out).equals(data));
});


test('the stored Content-Encoding drops aws-chunked and keeps the caller\'s encodings', (t) => {
  t.is(storedContentEncoding('aws-chunked'), undefined);
  t.is(storedContentEncoding('gzip,aws-chunked'), 'gzip');
  t.is(storedContentEncoding('aws-chunked, gzip, br'), 'gzip,br');
  t.is(storedContentEncoding('AWS-CHUNKED'), undefined);
  t.is(storedContentEncoding(undefined), undefined);
  t.is(storedContentEncoding('identity'), 'identity');
});
