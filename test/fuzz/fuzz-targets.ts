/**
 * Hostile-input targets (issue 7 acceptance "Hostile input"): every parser a caller or the backend
 * can feed, each with a fast-check generator that mixes raw noise with near-valid inputs (valid
 * values, then mutated), so both the early refusals and the deep paths are reached. The contract
 * each target checks: no crash — the only thing thrown is a typed s3seal error (S3SealError) with a
 * valid S3 shape; request parsers never answer 5xx except NotImplemented; no SSE-C key in a message.
 * Time per input is bounded by the runner (fuzz-run.ts). Allocation is bounded by construction:
 * every parser refuses an input over its stated limit before decoding it (SSE-C key 64 chars,
 * context 8 KiB, Range 256 chars, ETag list 8 KiB, copy source 8 KiB, envelope 2,731 chars /
 * 2,048 bytes, upload token 4,096 chars, sealed checksums 136 bytes / 108 bytes of entries; the XML
 * documents are bounded by the body reader before they parse: Complete 4 MiB, CreateBucket 64 KiB,
 * Delete 8 MiB; Content-Range digits 16 each); the generators go past each limit. The last target
 * is the engine itself over a backend that lies in its answer to a ranged read (ranged-read-target.ts).
 */
import fc from 'fast-check';
import { createHash, randomBytes } from 'node:crypto';
import { S3SealError } from '../../src/errors.js';
import { s3ErrorShape } from '../../src/adapters/s3/s3-error-shape.js';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import { parseSseRequest, type SseOperation } from '../../src/adapters/s3/parse-sse-request.js';
import { parseCopySourceSse } from '../../src/adapters/s3/parse-copy-source-sse.js';
import { parseRange } from '../../src/adapters/s3/parse-range.js';
import { resolveRange } from '../../src/adapters/s3/resolve-range.js';
import { parsePartNumber } from '../../src/adapters/s3/parse-part-number.js';
import { parseConditionals } from '../../src/adapters/s3/parse-conditionals.js';
import { evaluateConditionals, type ConditionalKind } from '../../src/adapters/s3/evaluate-conditionals.js';
import { parseCopySource } from '../../src/adapters/s3/parse-copy-source.js';
import { parseCopySourceRange } from '../../src/adapters/s3/parse-copy-source-range.js';
import { parseMetadataDirective, parseTaggingDirective } from '../../src/adapters/s3/parse-copy-directives.js';
import { decodeEnvelope, decodeEnvelopeBytes, encodeEnvelopeBytes, type EnvelopeFields } from '../../src/crypto/envelope.js';
import { buildLayout, decodeLayout, encodeLayout } from '../../src/crypto/layout.js';
import { encodePartHeader, encodeBodyHeader, parseBodyHeader, parsePartHeader } from '../../src/crypto/body-header.js';
import { decodeUploadToken, encodeUploadToken } from '../../src/crypto/upload-token.js';
import { canonicalContext } from '../../src/crypto/encryption-context.js';
import { toB64u } from '../../src/crypto/bytes.js';
import { V1 } from '../../src/crypto/kdf.js';
import { decodeChecksumEntries, encodeChecksumEntries, openChecksums, SEALED_CHECKSUM_ALGORITHMS, sealChecksums } from '../../src/crypto/sealed-checksums.js';
import { CHECKSUM_DIGEST_SIZE } from '../../src/crypto/constants.js';
import { MAX_PART_PLAINTEXT } from '../../src/engine/size-math.js';
import { parseDeleteObjects } from '../../src/adapters/s3/parse-delete-objects.js';
import { parseListParams } from '../../src/adapters/s3/parse-list-request.js';
import { parseCompleteParts } from '../../src/adapters/s3/operations/complete-multipart-upload.js';
import { locationOf } from '../../src/adapters/s3/operations/create-bucket.js';
import { requestTarget } from '../../src/adapters/sdk-v3/request-target.js';
import { parseContentRange } from '../../src/backends/parse-content-range.js';
import { driverAnswerCase, driverAnswerInput, rangedReadCase, rangedReadInput } from './ranged-read-target.js';

export interface FuzzTarget {
  name: string;
  /** one generated input, run through the parser(s); throws only on a contract violation */
  property: fc.IProperty<[unknown]> | fc.IAsyncProperty<[unknown]>;
  /** the generator alone (for sampling what the target sees) */
  arbitrary: fc.Arbitrary<unknown>;
  /** filled while the property runs: the slowest single input */
  stats: { inputs: number; slowestMs: number };
}

/** No single input may take longer (a hang or a super-linear path); generous for a loaded 2-core CI box. */
export const INPUT_TIME_BOUND_MS = 250;

/** The input raised what it may: a typed s3seal error with a valid S3 shape (anything else is rethrown). */
function typedOnly(run: () => void, requestParser: boolean): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof S3SealError)) throw e;
    const shape = s3ErrorShape(e);
    if (shape.status < 400 || shape.status > 599) throw new Error(`${e.code} maps to status ${shape.status}`);
    if (requestParser && shape.status >= 500 && shape.code !== 'NotImplemented') throw new Error(`request parser answered ${shape.code} ${shape.status}: ${e.message}`);
  }
}

function target<T>(name: string, arb: fc.Arbitrary<T>, run: (input: T) => void): FuzzTarget {
  const stats = { inputs: 0, slowestMs: 0 };
  const property = fc.property(arb, (input) => {
    const timed = (): number => {
      const started = performance.now();
      run(input);
      return performance.now() - started;
    };
    let ms = timed();
    // a GC pause or a descheduled process on a shared box is not a slow parser: a slow input must be
    // slow every time (a hang or a super-linear path is), so it is timed again before failing
    for (let retry = 0; retry < 2 && ms > INPUT_TIME_BOUND_MS; retry++) ms = Math.min(ms, timed());
    stats.inputs++;
    if (ms > stats.slowestMs) stats.slowestMs = ms;
    if (ms > INPUT_TIME_BOUND_MS) throw new Error(`one input took ${ms.toFixed(1)} ms every time (bound ${INPUT_TIME_BOUND_MS} ms)`);
  });
  return { name, property, arbitrary: arb, stats };
}

/** a target whose input runs asynchronously (the engine over a lying backend); timed like `target` */
function asyncTarget<T>(name: string, arb: fc.Arbitrary<T>, run: (input: T) => Promise<void>): FuzzTarget {
  const stats = { inputs: 0, slowestMs: 0 };
  const property = fc.asyncProperty(arb, async (input) => {
    const timed = async (): Promise<number> => {
      const started = performance.now();
      await run(input);
      return performance.now() - started;
    };
    let ms = await timed();
    for (let retry = 0; retry < 2 && ms > INPUT_TIME_BOUND_MS; retry++) ms = Math.min(ms, await timed());
    stats.inputs++;
    if (ms > stats.slowestMs) stats.slowestMs = ms;
    if (ms > INPUT_TIME_BOUND_MS) throw new Error(`one input took ${ms.toFixed(1)} ms every time (bound ${INPUT_TIME_BOUND_MS} ms)`);
  });
  return { name, property, arbitrary: arb, stats };
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const text = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength });
const long = (c: string, max: number): fc.Arbitrary<string> => fc.nat({ max }).map((n) => c.repeat(n));

/** Byte strings near `seeds`: flipped, overwritten, inserted, deleted and truncated bytes; or raw noise. */
function nearBytes(seeds: readonly Buffer[], maxNoise = 3000): fc.Arbitrary<Buffer> {
  const edit = fc.record({ at: fc.nat(), op: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate'), byte: fc.nat(255) });
  const mutated = fc.record({ seed: fc.nat(seeds.length - 1), edits: fc.array(edit, { maxLength: 6 }) }).map(({ seed, edits }) => {
    let b = Buffer.from(seeds[seed]!);
    for (const { at, op, byte } of edits) {
      const i = b.length === 0 ? 0 : at % b.length;
      if (op === 'flip' && b.length > 0) b[i] = b[i]! ^ (1 << byte % 8);
      else if (op === 'set' && b.length > 0) b[i] = byte;
      else if (op === 'insert') b = Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
      else if (op === 'delete') b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
      else if (op === 'truncate') b = b.subarray(0, i);
    }
    return b;
  });
  const noise = fc.uint8Array({ maxLength: maxNoise }).map((u) => Buffer.from(u));
  return fc.oneof({ arbitrary: mutated, weight: 3 }, { arbitrary: fc.constantFrom(...seeds), weight: 1 }, { arbitrary: noise, weight: 2 });
}

/** base64url strings near valid encodings, plus arbitrary and over-long strings. */
function nearB64u(seeds: readonly Buffer[], maxLen: number): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: nearBytes(seeds).map(toB64u), weight: 4 },
    { arbitrary: fc.stringMatching(/^[A-Za-z0-9_=+/-]{0,120}$/), weight: 1 },
    { arbitrary: text(200), weight: 1 },
    { arbitrary: long('A', maxLen + 10), weight: 1 },
  );
}

// ---------------------------------------------------------------- SSE headers

const SSE_HEADER_NAMES = [
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-context',
  'x-amz-server-side-encryption-bucket-key-enabled',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-server-side-encryption-customer-key',
  'x-amz-server-side-encryption-customer-key-md5',
  'x-amz-copy-source-server-side-encryption-customer-algorithm',
  'x-amz-copy-source-server-side-encryption-customer-key',
  'x-amz-copy-source-server-side-encryption-customer-key-md5',
] as const;

// mostly valid triples (32-byte key, its MD5), some with a wrong length or a wrong MD5
const ssecTriple = (prefix: string): fc.Arbitrary<Record<string, string>> =>
  fc
    .record({
      key: fc.oneof({ arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }), weight: 3 }, { arbitrary: fc.uint8Array({ minLength: 30, maxLength: 34 }), weight: 1 }),
      md5Of: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.uint8Array({ maxLength: 32 }), weight: 1 }),
    })
    .map(({ key, md5Of }) => {
      const k = Buffer.from(key);
      const p = `x-amz-${prefix}server-side-encryption-customer-`;
      return { [`${p}algorithm`]: 'AES256', [`${p}key`]: k.toString('base64'), [`${p}key-md5`]: createHash('md5').update(md5Of ?? k).digest('base64') };
    });

const sseValue = fc.oneof(
  fc.constantFrom('AES256', 'aws:kms', 'aws:kms:dsse', 'aes256', 'true', 'false', 'TRUE', '', 'alias/x', randomBytes(32).toString('base64'), b64('{"a":"b"}'), b64('{}')),
  fc.base64String({ maxLength: 120 }),
  fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u).toString('base64')),
  text(80),
  long('A', 9000),
);

const contextHeader = fc.oneof(
  fc.dictionary(text(16), text(16), { maxKeys: 5 }).map((d) => b64(JSON.stringify(d))),
  fc.dictionary(text(8), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }).map((d) => b64(JSON.stringify(d))),
  fc.jsonValue({ maxDepth: 3 }).map((v) => b64(JSON.stringify(v) ?? 'null')),
  fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u).toString('base64')),
  text(40),
);

// an SSE-KMS request, fields present or not, each valid or not
const kmsHeaders = fc
  .record(
    {
      'x-amz-server-side-encryption': fc.constantFrom('aws:kms', 'aws:kms', 'aws:kms', 'AES256', 'aws:kms:dsse'),
      'x-amz-server-side-encryption-aws-kms-key-id': fc.oneof(fc.constantFrom('alias/app', 'arn:aws:kms:eu-central-1:123456789012:key/1', ' '), text(30), long('k', 2100)),
      'x-amz-server-side-encryption-context': contextHeader,
      'x-amz-server-side-encryption-bucket-key-enabled': fc.oneof(fc.constantFrom('true', 'false', 'True'), text(6)),
    },
    { requiredKeys: ['x-amz-server-side-encryption'] },
  )
  .map((h) => h as Record<string, string>);

const randomHeaders = fc.dictionary(fc.constantFrom(...SSE_HEADER_NAMES), sseValue, { maxKeys: 6 });

const sseRequest = fc
  .record({
    headers: fc.oneof(
      { arbitrary: randomHeaders, weight: 2 },
      { arbitrary: kmsHeaders, weight: 3 },
      { arbitrary: fc.tuple(ssecTriple(''), fc.option(ssecTriple('copy-source-'), { nil: undefined })).map(([a, b]) => ({ ...a, ...b })), weight: 2 },
      { arbitrary: fc.tuple(ssecTriple(''), randomHeaders, fc.boolean()).map(([a, r, first]) => (first ? { ...a, ...r } : { ...r, ...a })), weight: 1 },
    ),
    secureTransport: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
    operation: fc.oneof({ arbitrary: fc.constant<SseOperation>('write'), weight: 4 }, { arbitrary: fc.constantFrom<SseOperation>('part', 'read'), weight: 1 }),
    method: fc.constantFrom<S3Request['method']>('GET', 'HEAD', 'PUT', 'POST'),
  })
  .map(({ headers, secureTransport, operation, method }) => {
    const req: S3Request = { method, bucket: 'b', key: 'k', query: {}, headers, secureTransport, principal: 'fuzz' };
    return { req, operation };
  });

const KEYISH = /^[A-Za-z0-9+/]{16,}={0,2}$/;

export const sseHeadersTarget = target('SSE headers', sseRequest, ({ req, operation }) => {
  const keys = [req.headers['x-amz-server-side-encryption-customer-key'], req.headers['x-amz-copy-source-server-side-encryption-customer-key']];
  typedOnly(() => {
    const r = parseSseRequest(req, operation);
    if (r.mode === 'SSE-C') {
      if (r.key.length !== 32) throw new Error('SSE-C key not 32 bytes');
      r.key.fill(0);
    }
    parseCopySourceSse(req)?.key.fill(0);
  }, true);
  // a key must never be quoted back: re-run and look at the message
  try {
    parseSseRequest(req, operation);
    parseCopySourceSse(req);
  } catch (e) {
    const message = e instanceof Error ? e.message : '';
    // only values that look like key material: a header such as "aws:kms:dsse" may equal fixed text
    for (const k of keys) if (k !== undefined && KEYISH.test(k) && message.includes(k)) throw new Error('an SSE-C key appears in an error message');
  }
});

// ---------------------------------------------------------------- ranges

const digits = fc.oneof(fc.nat().map(String), fc.maxSafeNat().map(String), fc.stringMatching(/^[0-9]{0,30}$/));
const rangeHeader = fc.oneof(
  fc.tuple(digits, digits).map(([a, b]) => `bytes=${a}-${b}`),
  digits.map((a) => `bytes=${a}-`),
  digits.map((n) => `bytes=-${n}`),
  fc.stringMatching(/^[bytes=0-9, \t-]{0,40}$/),
  text(60),
  long('1', 400).map((s) => `bytes=0-${s}`),
);
const objectLength = fc.oneof(fc.nat(1000), fc.nat(), fc.maxSafeNat(), fc.constant(0));

export const rangeTarget = target(
  'ranges + partNumber',
  fc.record({
    header: fc.option(rangeHeader, { nil: undefined }),
    length: objectLength,
    partNumber: fc.option(fc.oneof(digits, text(8)), { nil: undefined }),
    method: fc.constantFrom<S3Request['method']>('GET', 'HEAD', 'PUT'),
  }),
  ({ header, length, partNumber, method }) => {
    typedOnly(() => {
      const spec = parseRange(header);
      if (spec) {
        const r = resolveRange(spec, length);
        if (!(r.start >= 0 && r.start <= r.end && r.end < length)) throw new Error(`range ${header} resolved to ${r.start}-${r.end} of ${length}`);
      }
    }, true);
    typedOnly(() => {
      const headers: Record<string, string> = header === undefined ? {} : { range: header };
      const query: Record<string, string> = partNumber === undefined ? {} : { partNumber };
      const n = parsePartNumber({ method, query, headers, secureTransport: true, principal: 'fuzz' });
      if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= 10000)) throw new Error(`partNumber ${n}`);
    }, true);
  },
);

// ---------------------------------------------------------------- conditionals

const CONDITIONAL_NAMES = [
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'x-amz-copy-source-if-match',
  'x-amz-copy-source-if-none-match',
  'x-amz-copy-source-if-modified-since',
  'x-amz-copy-source-if-unmodified-since',
] as const;
const ETAGS = ['"9b2cf535f27731c974343645a3985328"', '9b2cf535f27731c974343645a3985328', 'W/"9b2cf535f27731c974343645a3985328"', '"abc-2"', '*'];
const date = fc.date({ noInvalidDate: true, min: new Date(-8.64e15), max: new Date(8.64e15) });
const conditionalValue = fc.oneof(
  fc.constantFrom(...ETAGS),
  fc.array(fc.constantFrom(...ETAGS), { maxLength: 5 }).map((a) => a.join(', ')),
  date.map((d) => d.toUTCString()),
  date.map((d) => d.toISOString()),
  fc.stringMatching(/^[A-Za-z]{3}, [0-9]{2} [A-Za-z]{3} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$/),
  fc.stringMatching(/^[W/",a-f0-9 *]{0,40}$/),
  text(60),
  long('"', 9000),
);

export const conditionalsTarget = target(
  'conditionals',
  fc.record({
    headers: fc.dictionary(fc.constantFrom(...CONDITIONAL_NAMES), conditionalValue, { maxKeys: 8 }),
    current: fc.option(fc.record({ etag: fc.oneof(fc.constantFrom(...ETAGS), text(20)), lastModified: date }), { nil: undefined }),
    kind: fc.constantFrom<ConditionalKind>('read', 'write', 'copy-source'),
  }),
  ({ headers, current, kind }) => {
    typedOnly(() => {
      for (const set of ['object', 'copy-source'] as const) {
        const outcome = evaluateConditionals(parseConditionals(headers, set), current, kind);
        if (!['pass', 'not-modified', 'precondition-failed', 'no-such-key'].includes(outcome)) throw new Error(`outcome ${outcome}`);
        if (outcome === 'not-modified' && kind !== 'read') throw new Error('304 outside a read');
      }
    }, true);
  },
);

// ---------------------------------------------------------------- copy source

const copySource = fc.oneof(
  { weight: 3, arbitrary: fc
    .record({ bucket: text(20), key: text(40), version: fc.option(text(10), { nil: undefined }), slash: fc.boolean() })
    .map(({ bucket, key, version, slash }) => `${slash ? '/' : ''}${encodeURIComponent(bucket)}/${encodeURIComponent(key)}${version === undefined ? '' : `?versionId=${encodeURIComponent(version)}`}`) },
  fc.stringMatching(/^[/a-z%0-9A-F?=&+]{0,40}$/),
  text(80),
  long('%41', 3000),
);

export const copySourceTarget = target(
  'copy source',
  fc.record({ source: copySource, range: fc.oneof(rangeHeader, fc.stringMatching(/^bytes=[0-9]{0,18}-[0-9]{0,18}$/)), length: objectLength, directive: fc.oneof(fc.constantFrom('COPY', 'REPLACE'), text(10)) }),
  ({ source, range, length, directive }) => {
    typedOnly(() => {
      const s = parseCopySource(source);
      if (s.bucket === '' || s.key === '' || s.bucket.includes('/')) throw new Error(`copy source ${source} parsed to ${JSON.stringify(s)}`);
    }, true);
    typedOnly(() => {
      const r = parseCopySourceRange(range, length);
      if (!(r.start <= r.end && r.end < length)) throw new Error(`copy range ${range} of ${length}`);
    }, true);
    typedOnly(() => parseMetadataDirective({ 'x-amz-metadata-directive': directive }), true);
    typedOnly(() => parseTaggingDirective({ 'x-amz-tagging-directive': directive }), true);
  },
);

// ---------------------------------------------------------------- format decoders (the backend's input)

const dek = randomBytes(32);
const nonce = randomBytes(16);
const parts = [1, 2, 3, 5].map((partNumber, i) => ({ partNumber, plaintextLength: i === 3 ? 7 : 5 * 1024 * 1024, salt: randomBytes(16) }));
const layoutBytes = encodeLayout(buildLayout(nonce, parts));
const envelopeSeeds: Buffer[] = (
  [
    { mode: 'SSE-KMS', keyRef: 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', wrappedKey: randomBytes(60), context: canonicalContext({ dept: 'finance' }) },
    { mode: 'SSE-KMS', keyRef: 'vault:transit/app', wrappedKey: randomBytes(60), bucketKey: randomBytes(184), uploadNonce: nonce, layout: layoutBytes },
    { mode: 'SSE-S3', keyRef: 'file:root', wrappedKey: randomBytes(60) },
    { mode: 'SSE-C', wrappedKey: randomBytes(48), ssecSalt: randomBytes(16), ssecCheck: randomBytes(32) },
    { mode: 'SSE-S3', keyRef: 'file:root', wrappedKey: randomBytes(60), sealedChecksums: sealChecksums(dek, [{ algorithm: 'SHA256', type: 'FULL_OBJECT', digest: randomBytes(32) }]) },
  ] satisfies EnvelopeFields[]
).map((f) => encodeEnvelopeBytes(f, dek));

export const envelopeTarget = target('envelope', fc.oneof(nearBytes(envelopeSeeds).map((b) => ({ bytes: b })), nearB64u(envelopeSeeds, 2731).map((s) => ({ encoded: s }))), (input) => {
  typedOnly(() => {
    if ('bytes' in input) decodeEnvelopeBytes(input.bytes);
    else decodeEnvelope(input.encoded);
  }, false);
});

// a seed one byte away from non-maximal runs (5 MiB, 5 MiB + 1, 5 MiB), so that check is reached too
const alternating = [0, 1, 0].map((extra, i) => ({ partNumber: i + 1, plaintextLength: 5 * 1024 * 1024 + extra, salt: randomBytes(16) }));
const layoutSeeds = [layoutBytes, encodeLayout(buildLayout(nonce, parts.slice(0, 1))), encodeLayout(buildLayout(nonce, alternating))];
export const layoutTarget = target('layout', nearBytes(layoutSeeds, 800), (b) => {
  typedOnly(() => decodeLayout(b, MAX_PART_PLAINTEXT), false);
});

const commitment = randomBytes(32);
const headerSeeds = [encodePartHeader(V1, { partNumber: 7, plaintextLength: 5 * 1024 * 1024, salt: randomBytes(16) }, commitment), encodeBodyHeader(V1, commitment)];
export const partHeaderTarget = target('part + body header', nearBytes(headerSeeds, 200), (b) => {
  typedOnly(() => parsePartHeader(b), false);
  typedOnly(() => parseBodyHeader(b), false);
});

const root = randomBytes(32);
const OBJECT = { bucket: 'fuzz-bucket', key: 'dir/object' };
const tokenSeeds = [Buffer.from(encodeUploadToken(root, OBJECT, { backendUploadId: 'backend-upload-1', envelope: envelopeSeeds[1]!, callerMetadataSize: 12 }), 'base64url')];
export const uploadTokenTarget = target('upload token', nearB64u(tokenSeeds, 4096), (token) => {
  typedOnly(() => decodeUploadToken(root, OBJECT, token), false);
});

// FORMAT.md §5.7: the entries inside field 0x0a (decoded once the GCM tag passed), and the field itself
// opened under a known DEK (a near-valid field mostly fails the tag: EnvelopeAuthFailed)
const allChecksums = SEALED_CHECKSUM_ALGORITHMS.map((algorithm) => ({ algorithm, type: 'FULL_OBJECT' as const, digest: randomBytes(CHECKSUM_DIGEST_SIZE[algorithm]) }));
const checksumEntrySeeds = [
  encodeChecksumEntries(allChecksums),
  encodeChecksumEntries([{ algorithm: 'CRC32', type: 'FULL_OBJECT', digest: randomBytes(4) }]),
  encodeChecksumEntries([{ algorithm: 'SHA256', type: 'COMPOSITE', parts: 4, digest: randomBytes(32) }], 4),
];
const sealedChecksumSeeds = [sealChecksums(dek, allChecksums), sealChecksums(dek, allChecksums.slice(0, 1))];
export const sealedChecksumsTarget = target(
  'sealed checksums',
  fc.oneof(nearBytes(checksumEntrySeeds, 200).map((b) => ({ entries: b })), nearBytes(sealedChecksumSeeds, 200).map((b) => ({ sealed: b }))),
  (input) => {
    typedOnly(() => {
      if ('entries' in input) decodeChecksumEntries(input.entries, 4);
      else openChecksums(dek, input.sealed, { ...V1, layout: layoutBytes });
    }, false);
  },
);

// ---------------------------------------------------------------- DeleteObjects document, list parameters

const deleteSeeds = [
  Buffer.from('<Delete><Quiet>true</Quiet><Object><Key> a &amp; b </Key><VersionId>v1</VersionId></Object><Object><Key>007</Key></Object></Delete>'),
  Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\n  <Object><Key>dir/&lt;x&gt;</Key></Object>\n</Delete>'),
  Buffer.from('<!DOCTYPE d [<!ENTITY x "yyyy">]><Delete><Object><Key>&x;</Key></Object></Delete>'),
];
export const deleteObjectsTarget = target('delete objects xml', nearBytes(deleteSeeds, 3000), (b) => {
  typedOnly(() => parseDeleteObjects(b), true);
});

const LIST_PARAMS = ['max-keys', 'encoding-type', 'prefix', 'delimiter'] as const;
const listValue = fc.oneof(fc.constantFrom('', '0', '1000', '1001', '-1', '2147483648', 'url', 'URL', 'base64', '/'), text(40), long('9', 30));
export const listParamsTarget = target('list parameters', fc.dictionary(fc.constantFrom(...LIST_PARAMS), listValue), (query) => {
  typedOnly(() => parseListParams({ method: 'GET', bucket: 'b', query, headers: {}, secureTransport: true, principal: 'fuzz' }), true);
});

// ---------------------------------------------------------------- CompleteMultipartUpload, CreateBucketConfiguration

const completeSeeds = [
  Buffer.from('<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"9b2cf535f27731c974343645a3985328"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;abc&quot;</ETag></Part></CompleteMultipartUpload>'),
  Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\n <Part><ETag>e1</ETag><PartNumber>10000</PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>\n</CompleteMultipartUpload>'),
  Buffer.from(`<CompleteMultipartUpload>${Array.from({ length: 40 }, (_, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${i}"</ETag></Part>`).join('')}</CompleteMultipartUpload>`),
  Buffer.from('<!DOCTYPE c [<!ENTITY x "1">]><CompleteMultipartUpload><Part><PartNumber>&x;</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>'),
];
export const completeMultipartTarget = target('complete multipart xml', nearBytes(completeSeeds, 3000), (b) => {
  typedOnly(() => {
    const parts = parseCompleteParts(b);
    if (parts.length === 0) throw new Error('no part accepted');
    for (const [i, p] of parts.entries()) {
      if (!Number.isSafeInteger(p.partNumber) || p.partNumber < 1 || p.partNumber > 10_000 || p.etag === '') throw new Error(`part ${JSON.stringify(p)}`);
      if (i > 0 && p.partNumber <= parts[i - 1]!.partNumber) throw new Error('parts out of order accepted');
    }
  }, true);
});

const bucketConfigSeeds = [
  Buffer.from('<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-central-1</LocationConstraint></CreateBucketConfiguration>'),
  Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>'),
  Buffer.from('<CreateBucketConfiguration></CreateBucketConfiguration>'),
  Buffer.from('  \n'),
];
export const createBucketTarget = target('create bucket xml', nearBytes(bucketConfigSeeds, 2000), (b) => {
  typedOnly(() => {
    const location = locationOf(b);
    if (location !== undefined && typeof location !== 'string') throw new Error('LocationConstraint not text');
  }, true);
});

// ---------------------------------------------------------------- the SDK door's request target (host + path → bucket, key)

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const encodeKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/');
const wellFormed = (s: string): boolean => {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
};
const addressed = fc
  .record({ bucket: fc.stringMatching(BUCKET_NAME), key: fc.oneof(text(60), fc.constantFrom('', '/', 'a/', '//x', 'bucket/key', '%41', '..', '?a=b')).filter(wellFormed), style: fc.constantFrom('path', 'virtual'), base: fc.constantFrom('', '/base', '/a/b') })
  .map(({ bucket, key, style, base }) => {
    const enc = encodeKey(key);
    return style === 'path'
      ? { bucket, key, hostname: 'minio.local', path: `${base}/${bucket}/${enc}`, hints: { bucket, endpointPath: `${base}/${encodeURIComponent(bucket)}` } }
      : { bucket, key, hostname: `${bucket}.minio.local`, path: `${base}/${enc}`, hints: { bucket, endpointPath: base === '' ? '/' : base } };
  });
const hostileTarget = fc.record({
  hostname: fc.oneof(text(40), fc.constantFrom('b.host', 'host', '', '.')),
  path: fc.oneof(text(120), fc.stringMatching(/^[/a-z%0-9A-F.]{0,60}$/), long('%', 3000), long('/', 3000)),
  hints: fc.record({ bucket: fc.option(fc.oneof(text(20), fc.constantFrom('b', '')), { nil: undefined }), endpointPath: fc.option(fc.oneof(text(30), fc.constantFrom('/', '', '/b', '/base/b')), { nil: undefined }) }, { requiredKeys: [] }),
});
export const requestTargetTarget = target('sdk request target', fc.oneof(addressed.map((a) => ({ a })), hostileTarget.map((h) => ({ h }))), (input) => {
  if ('a' in input) {
    const { bucket, key, hostname, path, hints } = input.a;
    const got = requestTarget(hostname, path, hints);
    if (got.bucket !== bucket || (got.key ?? '') !== key) throw new Error(`${hostname} ${path} ${JSON.stringify(hints)} → ${JSON.stringify(got)}, sent ${JSON.stringify({ bucket, key })}`);
    return;
  }
  const { hostname, path, hints } = input.h;
  typedOnly(() => {
    const got = requestTarget(hostname, path, { ...(hints.bucket !== undefined ? { bucket: hints.bucket } : {}), ...(hints.endpointPath !== undefined ? { endpointPath: hints.endpointPath } : {}) });
    if (got.key !== undefined && got.bucket === undefined) throw new Error('a key without a bucket');
  }, true);
});

// ---------------------------------------------------------------- the backend's answer to a ranged read

const digits16 = fc.oneof(fc.nat().map(String), fc.maxSafeNat().map(String), fc.stringMatching(/^[0-9]{0,20}$/), fc.constant('9007199254740993'));
const contentRange = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(digits16, digits16, fc.oneof(digits16, fc.constant('*'))).map(([a, b, t]) => `bytes ${a}-${b}/${t}`) },
  fc.constantFrom('bytes */100', 'bytes 0-0/1', ' bytes 1-2/3 ', 'bytes=0-1/2', 'items 0-1/2', 'bytes 0-1/2, 3-4/5', ''),
  text(80),
  long('9', 3000),
);
export const contentRangeTarget = target('content range', contentRange, (v) => {
  typedOnly(() => {
    const r = parseContentRange(v);
    if (!(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end) && Number.isSafeInteger(r.total) && r.start >= 0 && r.start <= r.end && r.end < r.total)) throw new Error(`${v} → ${JSON.stringify(r)}`);
  }, false);
});

export const rangedReadTarget = asyncTarget('ranged read answer', rangedReadInput, rangedReadCase);
export const driverAnswerTarget = asyncTarget('backend get answer', driverAnswerInput, driverAnswerCase);

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  sseHeadersTarget,
  rangeTarget,
  conditionalsTarget,
  copySourceTarget,
  envelopeTarget,
  layoutTarget,
  partHeaderTarget,
  uploadTokenTarget,
  sealedChecksumsTarget,
  deleteObjectsTarget,
  listParamsTarget,
  completeMultipartTarget,
  createBucketTarget,
  requestTargetTarget,
  contentRangeTarget,
  rangedReadTarget,
  driverAnswerTarget,
];
