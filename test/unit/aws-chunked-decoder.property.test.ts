/**
 * Property tests of the aws-chunked decoder (issue 7 "Hostile input"; `npm run fuzz` drives the same
 * decoder through test/helpers/aws-chunked-drive.ts for the long count). For any body, chunking,
 * cut and variant a valid encoding decodes exactly; any mutation of it, and any byte string at all,
 * ends either in success with exactly x-amz-decoded-content-length bytes (and, signed, exactly the
 * signed bytes) or in a SealError with a body code — never another exception, never a hang.
 */
import test from 'ava';
import fc from 'fast-check';
import type { AwsChunkedOptions, AwsChunkedVariant } from '../../src/adapters/s3/aws-chunked-decoder.js';
import { isSealError, type SealErrorCode } from '../../src/errors.js';
import { awsChunkedFuzzTarget, cut, driveAwsChunked, type DriveOutcome } from '../helpers/aws-chunked-drive.js';
import { encodeSigned, signingKey, testVerifier, type SigningContext } from '../helpers/aws-chunked-signer.js';

const CTX: SigningContext = {
  key: signingKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3'),
  date: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
  seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
};
const BODY_CODES: readonly SealErrorCode[] = ['InvalidChunkEncoding', 'IncompleteBody', 'MalformedTrailer', 'SignatureDoesNotMatch'];
const RUNS = Number(process.env['S3SEAL_PROPERTY_RUNS'] ?? 2000);
const TRAILER = 'x-amz-checksum-crc32';
const TRAILER_VALUE = 'NSRBwg==';

interface Case {
  variant: AwsChunkedVariant;
  data: Buffer;
  sizes: number[];
  trailer: boolean;
}

/** The unsigned framing, as SDK v3's encoder writes it (checked against the real one in aws-chunked-decoder.test.ts). */
function encodeUnsigned(data: Buffer, sizes: readonly number[], trailer: boolean): Buffer {
  const parts: Buffer[] = [];
  let off = 0;
  for (const n of sizes) {
    if (off >= data.length) break;
    const d = data.subarray(off, off + n);
    off += d.length;
    parts.push(Buffer.from(`${d.length.toString(16)}\r\n`), d, Buffer.from('\r\n'));
  }
  if (off < data.length) parts.push(Buffer.from(`${(data.length - off).toString(16)}\r\n`), data.subarray(off), Buffer.from('\r\n'));
  parts.push(Buffer.from(trailer ? `0\r\n${TRAILER}:${TRAILER_VALUE}\r\n\r\n` : '0\r\n\r\n'));
  return Buffer.concat(parts);
}

function encode(c: Case): Buffer {
  if (c.variant === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') return encodeUnsigned(c.data, c.sizes, c.trailer);
  return encodeSigned(CTX, c.data, c.sizes, c.variant === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' ? { [TRAILER]: TRAILER_VALUE } : undefined);
}

function options(c: Case): AwsChunkedOptions {
  const trailer = c.variant === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' || (c.variant === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' && c.trailer);
  return {
    variant: c.variant,
    decodedLength: c.data.length,
    trailerNames: trailer ? [TRAILER] : [],
    ...(c.variant === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' ? {} : { verifier: testVerifier(CTX) }),
  };
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  variant: fc.constantFrom<AwsChunkedVariant>('STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'),
  data: fc.uint8Array({ maxLength: 3000 }).map((u) => Buffer.from(u)),
  sizes: fc.array(fc.integer({ min: 1, max: 1200 }), { maxLength: 6 }),
  trailer: fc.boolean(),
});
const cutsArb = fc.array(fc.nat(), { maxLength: 12 });

type Mutation = { op: 'flip'; at: number; mask: number } | { op: 'delete'; at: number; n: number } | { op: 'insert'; at: number; bytes: Uint8Array } | { op: 'truncate'; at: number } | { op: 'duplicate'; at: number; n: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(...['\r\n', '0\r\n', ';', ':', '\r', '\n', 'f'].map((s) => Buffer.from(s)))) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 200 }) }),
);

function mutate(b: Buffer, m: Mutation): Buffer {
  if (b.length === 0) return Buffer.from([0x30]);
  const at = m.at % b.length;
  switch (m.op) {
    case 'flip': {
      const c = Buffer.from(b);
      c[at]! ^= m.mask;
      return c;
    }
    case 'delete':
      return Buffer.concat([b.subarray(0, at), b.subarray(at + m.n)]);
    case 'insert':
      return Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    case 'truncate':
      return b.subarray(0, at);
    case 'duplicate':
      return Buffer.concat([b.subarray(0, at + m.n), b.subarray(at)]);
  }
}

/** only success or a body SealError; a success has exactly the declared length */
function typed(o: DriveOutcome, decodedLength: number): boolean {
  if (o.ok) return o.body.length === decodedLength;
  return BODY_CODES.some((c) => isSealError(o.error, c));
}

test('property: valid encodings of every variant decode exactly, cut anywhere', async (t) => {
  await fc.assert(
    fc.asyncProperty(caseArb, cutsArb, async (c, cuts) => {
      const o = await driveAwsChunked(cut(encode(c), cuts), options(c));
      if (!o.ok) return false;
      const wantTrailer = options(c).trailerNames!.length > 0;
      return o.body.equals(c.data) && (wantTrailer ? o.trailers.get(TRAILER) === TRAILER_VALUE : o.trailers.size === 0);
    }),
    { numRuns: RUNS, timeout: 5000 },
  );
  t.pass();
});

test('property: mutated encodings end in success of the declared length (signed: the signed bytes) or a typed body error', async (t) => {
  await fc.assert(
    fc.asyncProperty(caseArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), cutsArb, async (c, mutations, cuts) => {
      const input = mutations.reduce(mutate, encode(c));
      const o = await driveAwsChunked(cut(input, cuts), options(c));
      if (!typed(o, c.data.length)) return false;
      // a signed body that decodes is the body that was signed, whatever was changed around it
      if (o.ok && c.variant !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') return o.body.equals(c.data);
      return true;
    }),
    { numRuns: RUNS, timeout: 5000 },
  );
  t.pass();
});

test('property: arbitrary bytes never escape as anything but a typed body error', async (t) => {
  const bytesArb = fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.from(u)),
    // mostly framing characters, so the parser gets past the first line
    fc.array(fc.constantFrom('0', '1', '3', 'a', 'f', '\r', '\n', ';', ':', 'x', '=', 'chunk-signature=', `${TRAILER}:`), { maxLength: 60 }).map((a) => Buffer.from(a.join(''))),
  );
  await fc.assert(
    fc.asyncProperty(bytesArb, fc.integer({ min: 0, max: 40 }), fc.boolean(), cutsArb, async (bytes, len, trailer, cuts) => {
      const opts: AwsChunkedOptions = { variant: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', decodedLength: len, trailerNames: trailer ? [TRAILER] : [] };
      return typed(await driveAwsChunked(cut(bytes, cuts), opts), len);
    }),
    { numRuns: RUNS, timeout: 5000 },
  );
  t.pass();
});

test('the fuzz target accepts what the fuzz runner will feed it: valid bodies, and arbitrary bytes', async (t) => {
  const body = Buffer.from('3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n');
  await awsChunkedFuzzTarget(Buffer.concat([Buffer.from([1, 0, 3, 0x25]), body]));
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), (u) => awsChunkedFuzzTarget(u)), { numRuns: RUNS / 2, timeout: 5000 });
  t.pass();
});
