/**
 * Writes test/vectors/*.json (docs/FORMAT.md §12) from fixed inputs. Deterministic: running it twice
 * gives the same bytes, and test/unit/vectors.test.ts regenerates them in memory and compares.
 * Expected errors of tampered variants are stated here from the spec's check order (§11), not taken
 * from running the reader, so the vectors test the reader rather than describe it.
 *
 *   node dist/scripts/gen-vectors.js [outDir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pathToFileURL } from 'node:url';
import { encodeEnvelope, decodeEnvelope, type EnvelopeFields } from '../src/crypto/envelope.js';
import { ssecWrap } from '../src/crypto/ssec-wrap.js';
import { fileWrap } from '../src/crypto/file-wrap.js';
import { bucketKeyWrap } from '../src/crypto/bucket-key-wrap.js';
import { bindingContext, canonicalContext } from '../src/crypto/encryption-context.js';
import { encodeUploadToken } from '../src/crypto/upload-token.js';
import { EncryptStream } from '../src/engine/encrypt-stream.js';
import { startMultipart, encryptPart, completeMultipart, singlePartEnvelope } from '../src/engine/object-writer.js';
import { chunkSpan, MAX_PART_PLAINTEXT, MAX_SINGLE_PART_PLAINTEXT, partCiphertextSize, singlePartCiphertextSize } from '../src/engine/size-math.js';
import { metadataSize } from '../src/engine/metadata-budget.js';
import { BODY_HEADER_SIZE, CHUNK_SIZE, S3_MAX_PART_SIZE, S3_MAX_PUT_SIZE, TAG_SIZE } from '../src/crypto/constants.js';
import { detBytes, hex, type Tampered, type VectorFile } from '../test/helpers/vector-model.js';
import { createCipheriv } from 'node:crypto';
import { sealChecksums, type SealedChecksum, type SealedChecksumAlgorithm } from '../src/crypto/sealed-checksums.js';
import { hkdf, V1 } from '../src/crypto/kdf.js';
import { CHECKSUM_ALGORITHM_ID, LABEL } from '../src/crypto/constants.js';
import { newDigester } from '../src/adapters/s3/checksum-algorithms.js';

const FULL = CHUNK_SIZE + TAG_SIZE;
const b64u = (b: Buffer): string => b.toString('base64url');

async function encryptBody(dek: Buffer, plaintext: Buffer): Promise<Buffer> {
  return buffer(Readable.from([plaintext]).pipe(new EncryptStream(dek)));
}

/** FORMAT.md §12 edit: the new value is the concatenation of byte ranges [start, end) of vector fields, then bits flipped. */
interface Edit {
  concat: [string, number, number][];
  flip?: number[];
}
const whole = (field: string, len: number): [string, number, number] => [field, 0, len];
const flipAt = (field: string, len: number, offset: number): Edit => ({ concat: [whole(field, len)], flip: [offset] });

function flipB64u(s: string, byteOffset: number): string {
  const b = Buffer.from(s, 'base64url');
  b[byteOffset] = b[byteOffset]! ^ 0x01;
  return b64u(b);
}

/** Offset of a field's value inside the binary envelope. */
function fieldOffset(envB64u: string, tag: number): number {
  const b = Buffer.from(envB64u, 'base64url');
  let off = 2;
  while (off < b.length) {
    const t = b[off]!;
    const len = b.readUInt16BE(off + 1);
    if (t === tag) return off + 3;
    off += 3 + len;
  }
  throw new Error(`no field ${tag}`);
}

/** Replace the value of one field, keeping the stored MAC (as an attacker without the DEK would). */
function replaceField(envB64u: string, tag: number, value: Buffer): string {
  const b = Buffer.from(envB64u, 'base64url');
  const parts: Buffer[] = [b.subarray(0, 2)];
  let off = 2;
  while (off < b.length) {
    const t = b[off]!;
    const len = b.readUInt16BE(off + 1);
    if (t === tag) {
      const hdr = Buffer.from([t, 0, 0]);
      hdr.writeUInt16BE(value.length, 1);
      parts.push(hdr, value);
    } else parts.push(b.subarray(off, off + 3 + len));
    off += 3 + len;
  }
  return b64u(Buffer.concat(parts));
}

const CONTEXT = { department: 'finance', project: 'täst 42' };
const BUCKET = 'vectors';

function bodyTampers(body: Buffer, plaintextLength: number): Tampered[] {
  const L = body.length;
  const n = Math.max(1, Math.ceil(plaintextLength / CHUNK_SIZE));
  const lastStart = BODY_HEADER_SIZE + (n - 1) * FULL;
  const t: Tampered[] = [
    { name: 'empty body', changes: { body: '' }, error: 'BodyTruncated' },
    { name: 'magic changed', changes: { body: flipAt('body', L, 0) }, error: 'BodyMalformed' },
    { name: 'body header version lowered', changes: { body: { concat: [['body', 0, 4], ['zero_byte', 0, 1], ['body', 5, L]] } }, error: 'UnsupportedFormatVersion' },
    { name: 'commitment byte flipped', changes: { body: flipAt('body', L, 6) }, error: 'KeyCommitmentMismatch' },
    { name: 'first ciphertext byte flipped', changes: { body: flipAt('body', L, BODY_HEADER_SIZE) }, error: 'BodyAuthFailed' },
    { name: 'last tag byte flipped', changes: { body: flipAt('body', L, L - 1) }, error: 'BodyAuthFailed' },
    { name: 'body of another object', changes: { body: { concat: [['other_body', 0, 55]] } }, error: 'KeyCommitmentMismatch' },
    { name: 'a copy of the final chunk appended', changes: { body: { concat: [whole('body', L), ['body', lastStart, L]] } }, error: 'BodyAuthFailed' },
  ];
  if (n > 1) {
    t.push({ name: 'truncated at the last chunk boundary', changes: { body: { concat: [['body', 0, lastStart]] } }, error: 'BodyAuthFailed' });
    if (n > 2 || plaintextLength === 2 * CHUNK_SIZE) {
      const c0 = BODY_HEADER_SIZE;
      const c1 = BODY_HEADER_SIZE + FULL;
      const c2 = BODY_HEADER_SIZE + 2 * FULL;
      t.push({ name: 'chunks 0 and 1 swapped', changes: { body: { concat: [['body', 0, c0], ['body', c1, c2], ['body', c0, c1], ['body', c2, L]] } }, error: 'BodyAuthFailed' });
    }
  }
  if (plaintextLength % CHUNK_SIZE !== 0) {
    // one byte less leaves a final chunk of 16 bytes after full ones when p ≡ 1 (mod 65536): an impossible size
    t.push({ name: 'one byte cut from the end', changes: { body: { concat: [['body', 0, L - 1]] } }, error: plaintextLength % CHUNK_SIZE === 1 && n > 1 ? 'BodyMalformed' : 'BodyAuthFailed' });
  }
  return t;
}

async function singleVectors(): Promise<VectorFile> {
  const vectors: Record<string, unknown>[] = [];
  const otherDek = detBytes('single/other dek', 32);
  for (const p of [0, 1, 65536, 65537, 131073]) {
    const name = `single-${p}`;
    const dek = detBytes(`${name}/dek`, 32);
    const plaintext = detBytes(`${name}/plaintext`, p);
    const key = `objects/${name}.bin`;
    const fields: EnvelopeFields = {
      mode: 'SSE-KMS',
      keyRef: 'arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9',
      wrappedKey: detBytes(`${name}/opaque kms blob`, 184),
      context: canonicalContext(CONTEXT),
    };
    const env = encodeEnvelope(fields, dek);
    const body = await encryptBody(dek, plaintext);
    const other = await encryptBody(otherDek, detBytes('single/other plaintext', 1));
    const macAt = fieldOffset(env, 0x7f);
    vectors.push({
      kind: 'single',
      name,
      dek: hex(dek),
      bucket_utf8: BUCKET,
      key_utf8: key,
      plaintext: hex(plaintext),
      envelope_b64u: env,
      body: hex(body),
      other_body: hex(other),
      zero_byte: '00',
      note: 'the wrapped key is an opaque stand-in for a KMS ciphertext blob: decode with the given DEK. other_body is a body of another object (other DEK), used by tampered variants',
      tampered: [
        ...bodyTampers(body, p),
        { name: 'envelope version lowered to 0', changes: { envelope_b64u: b64u(Buffer.concat([Buffer.from([0]), Buffer.from(env, 'base64url').subarray(1)])) }, error: 'UnsupportedFormatVersion' },
        { name: 'envelope MAC byte flipped', changes: { envelope_b64u: flipB64u(env, macAt) }, error: 'EnvelopeAuthFailed' },
        { name: 'envelope mode changed to SSE-S3 (context now forbidden)', changes: { envelope_b64u: replaceField(env, 0x01, Buffer.from([1])) }, error: 'EnvelopeMalformed' },
        { name: 'context value changed', changes: { envelope_b64u: replaceField(env, 0x05, Buffer.from(canonicalContext({ ...CONTEXT, department: 'financf' }))) }, error: 'EnvelopeAuthFailed' },
        { name: 'context removed', changes: { envelope_b64u: b64u(Buffer.concat([Buffer.from(env, 'base64url').subarray(0, fieldOffset(env, 0x05) - 3), Buffer.from(env, 'base64url').subarray(fieldOffset(env, 0x05) + Buffer.from(canonicalContext(CONTEXT)).length)])) }, error: 'EnvelopeAuthFailed' },
        { name: 'wrong DEK', changes: { dek: hex(otherDek) }, error: 'EnvelopeAuthFailed' },
        { name: 'unknown field appended before the MAC', changes: { envelope_b64u: b64u(Buffer.concat([Buffer.from(env, 'base64url').subarray(0, macAt - 3), Buffer.from([0x0b, 0, 1, 0]), Buffer.from(env, 'base64url').subarray(macAt - 3)])) }, error: 'EnvelopeMalformed' },
        { name: 'envelope padded base64', changes: { envelope_b64u: Buffer.from(env, 'base64url').toString('base64') }, error: 'EnvelopeMalformed' },
        // §5.1: an empty context is stored as no field, so a stored {} is malformed (refused before the MAC)
        { name: 'context stored as {}', changes: { envelope_b64u: replaceField(env, 0x05, Buffer.from('{}')) }, error: 'EnvelopeMalformed' },
        // §2: a reader configured with minimum version 2 refuses this version-1 object
        { name: 'reader minimum version 2', changes: { reader_min_version: 2 }, error: 'UnsupportedFormatVersion' },
      ],
    });
  }
  return { description: 'Single-part SSE-KMS objects (FORMAT.md §4, §5): decode with the given DEK. Plaintext lengths 0, 1, one chunk, one chunk + 1, two chunks + 1.', vectors };
}

async function ssecVectors(): Promise<VectorFile> {
  const name = 'ssec-70000';
  const k = detBytes(`${name}/customer key`, 32);
  const dek = detBytes(`${name}/dek`, 32);
  const plaintext = detBytes(`${name}/plaintext`, 70000);
  const o = { bucket: BUCKET, key: 'customer/ключ.dat' };
  const w = ssecWrap(k, dek, o, undefined, detBytes(`${name}/salt`, 16));
  const env = encodeEnvelope({ mode: 'SSE-C', wrappedKey: w.wrappedKey, ssecSalt: w.salt, ssecCheck: w.check }, dek);
  const body = await encryptBody(dek, plaintext);
  return {
    description: 'SSE-C (FORMAT.md §8): recover the DEK from the customer key, then decode as a single-part body.',
    vectors: [
      {
        kind: 'ssec',
        name,
        ssec_key: hex(k),
        bucket_utf8: o.bucket,
        key_utf8: o.key,
        plaintext: hex(plaintext),
        envelope_b64u: env,
        body: hex(body),
        expected_dek: hex(dek),
        tampered: [
          { name: 'wrong customer key', changes: { ssec_key: hex(detBytes('another customer key', 32)) }, error: 'AccessDenied' },
          { name: 'object renamed (check binds bucket and key)', changes: { key_utf8: 'customer/other.dat' }, error: 'AccessDenied' },
          { name: 'check value flipped', changes: { envelope_b64u: flipB64u(env, fieldOffset(env, 0x07)) }, error: 'AccessDenied' },
          { name: 'salt flipped', changes: { envelope_b64u: flipB64u(env, fieldOffset(env, 0x06)) }, error: 'AccessDenied' },
          { name: 'wrapped key flipped', changes: { envelope_b64u: flipB64u(env, fieldOffset(env, 0x03)) }, error: 'EnvelopeAuthFailed' },
          // §5.6: the 48-byte length is a decoding rule, checked before the check value (whatever key is offered)
          { name: 'wrapped key cut to 47 bytes, with the wrong customer key', changes: { envelope_b64u: replaceField(env, 0x03, w.wrappedKey.subarray(0, 47)), ssec_key: hex(detBytes('another customer key', 32)) }, error: 'EnvelopeMalformed' },
          { name: 'wrapped key extended to 49 bytes', changes: { envelope_b64u: replaceField(env, 0x03, Buffer.concat([w.wrappedKey, Buffer.from([0])])) }, error: 'EnvelopeMalformed' },
          { name: 'key id added to an SSE-C envelope', changes: { envelope_b64u: b64u(Buffer.concat([Buffer.from(env, 'base64url').subarray(0, 6), Buffer.from([0x02, 0, 1, 0x41]), Buffer.from(env, 'base64url').subarray(6)])) }, error: 'EnvelopeMalformed' },
        ],
      },
    ],
  };
}

async function wrapVectors(): Promise<VectorFile> {
  const vectors: Record<string, unknown>[] = [];
  {
    const name = 'file-sse-s3';
    const root = detBytes(`${name}/root key v3`, 32);
    const dek = detBytes(`${name}/dek`, 32);
    const plaintext = detBytes(`${name}/plaintext`, 1000);
    const o = { bucket: BUCKET, key: 'reports/2026.csv' };
    const wrapped = fileWrap(root, { keyName: 's3-default', keyVersion: 3 }, bindingContext(o), dek, undefined, detBytes(`${name}/nonce`, 12));
    const env = encodeEnvelope({ mode: 'SSE-S3', keyRef: 'file:s3-default', wrappedKey: wrapped }, dek);
    const recAt = fieldOffset(env, 0x03);
    vectors.push({
      kind: 'file',
      name,
      root_key: hex(root),
      root_key_name_utf8: 's3-default',
      root_key_version: 3,
      bucket_utf8: o.bucket,
      key_utf8: o.key,
      binding_context_utf8: bindingContext(o),
      plaintext: hex(plaintext),
      envelope_b64u: env,
      body: hex(await encryptBody(dek, plaintext)),
      expected_dek: hex(dek),
      // §10: the record is the keystore's ciphertext; every way it fails to unwrap is the keystore's
      // refusal, KMS.InvalidCiphertextException (as AWS KMS answers for a blob it cannot decrypt)
      tampered: [
        { name: 'object renamed (binding context changes)', changes: { key_utf8: 'reports/2027.csv' }, error: 'KMS.InvalidCiphertextException' },
        { name: 'wrong root key', changes: { root_key: hex(detBytes('another root', 32)) }, error: 'KMS.InvalidCiphertextException' },
        { name: 'record names a key version the keystore does not hold', changes: { envelope_b64u: flipB64u(env, recAt + 1 + 2 + 10 + 3) }, error: 'KMS.InvalidCiphertextException' },
        { name: 'record format byte changed', changes: { envelope_b64u: flipB64u(env, recAt) }, error: 'KMS.InvalidCiphertextException' },
        { name: 'record with a trailing byte', changes: { envelope_b64u: replaceField(env, 0x03, Buffer.concat([wrapped, Buffer.from([0])])) }, error: 'KMS.InvalidCiphertextException' },
        { name: 'record cut by one byte', changes: { envelope_b64u: replaceField(env, 0x03, wrapped.subarray(0, wrapped.length - 1)) }, error: 'KMS.InvalidCiphertextException' },
        { name: 'record key name of length 0', changes: { envelope_b64u: replaceField(env, 0x03, Buffer.concat([Buffer.from([1, 0, 0]), wrapped.subarray(1 + 2 + 10)])) }, error: 'KMS.InvalidCiphertextException' },
        { name: 'record names another key than the key id', changes: { envelope_b64u: flipB64u(env, recAt + 1 + 2 + 9) }, error: 'KMS.InvalidCiphertextException' },
        { name: 'GCM tag of the record flipped', changes: { envelope_b64u: flipB64u(env, recAt + wrapped.length - 1) }, error: 'KMS.InvalidCiphertextException' },
      ],
    });
  }
  {
    const name = 'bucket-key';
    const bk = detBytes(`${name}/bucket key`, 32);
    const dek = detBytes(`${name}/dek`, 32);
    const plaintext = detBytes(`${name}/plaintext`, 300);
    const o = { bucket: BUCKET, key: 'bk/object-1' };
    const wrapped = bucketKeyWrap(bk, dek, o, undefined, detBytes(`${name}/nonce`, 12));
    const env = encodeEnvelope(
      {
        mode: 'SSE-KMS',
        keyRef: 'arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9',
        wrappedKey: wrapped,
        bucketKey: detBytes(`${name}/opaque kms blob of the bucket key`, 184),
      },
      dek,
    );
    vectors.push({
      kind: 'bucket_key',
      name,
      bucket_key: hex(bk),
      bucket_utf8: o.bucket,
      key_utf8: o.key,
      plaintext: hex(plaintext),
      envelope_b64u: env,
      body: hex(await encryptBody(dek, plaintext)),
      expected_dek: hex(dek),
      note: 'field 0x04 is an opaque stand-in for the KMS-wrapped bucket key; bucket_key is what the KMS would return for it',
      tampered: [
        { name: 'wrapped DEK moved to another object key', changes: { key_utf8: 'bk/object-2' }, error: 'EnvelopeAuthFailed' },
        { name: 'wrong bucket key', changes: { bucket_key: hex(detBytes('another bucket key', 32)) }, error: 'EnvelopeAuthFailed' },
        // §5.6: the 60-byte length is a decoding rule, checked before the keystore is asked for the bucket key
        { name: 'wrapped key cut to 59 bytes, with the wrong bucket key', changes: { envelope_b64u: replaceField(env, 0x03, wrapped.subarray(0, 59)), bucket_key: hex(detBytes('another bucket key', 32)) }, error: 'EnvelopeMalformed' },
      ],
    });
  }
  return { description: 'Keystore-side wraps: the file keystore record (FORMAT.md §10) in SSE-S3 mode, and bucket-key mode (§9).', vectors };
}

async function multipartVectors(): Promise<VectorFile> {
  const name = 'multipart-3';
  const dek = detBytes(`${name}/dek`, 32);
  const U = detBytes(`${name}/upload nonce`, 16);
  const fields: EnvelopeFields = { mode: 'SSE-S3', keyRef: 'file:s3-default', wrappedKey: detBytes(`${name}/opaque wrap`, 80) };
  const up = startMultipart(dek, fields, undefined, U);
  const sizes = [65537, 65537, 10];
  const parts = [];
  const bodies: Buffer[] = [];
  const plains: Buffer[] = [];
  for (let i = 0; i < sizes.length; i++) {
    const pt = detBytes(`${name}/part ${i + 1}`, sizes[i]!);
    const s = encryptPart(dek, up.envelope, i + 1, sizes[i]!, { salt: detBytes(`${name}/salt ${i + 1}`, 16) });
    bodies.push(await buffer(Readable.from([pt]).pipe(s)));
    plains.push(pt);
    parts.push({ partNumber: i + 1, plaintextLength: sizes[i]!, salt: detBytes(`${name}/salt ${i + 1}`, 16), plaintext: pt, body: bodies[i]! });
  }
  // a second upload attempt of part 2 (same plaintext length, another salt), and a part 2 of another upload
  const retry = await buffer(Readable.from([detBytes(`${name}/part 2 retry`, 65537)]).pipe(encryptPart(dek, up.envelope, 2, 65537, { salt: detBytes(`${name}/salt 2 retry`, 16) })));
  const otherDek = detBytes(`${name}/other dek`, 32);
  const otherUp = startMultipart(otherDek, fields, undefined, detBytes(`${name}/other upload nonce`, 16));
  const foreign = await buffer(Readable.from([plains[1]!]).pipe(encryptPart(otherDek, otherUp.envelope, 2, 65537, { salt: detBytes(`${name}/salt 2`, 16) })));
  const env = completeMultipart(dek, up.envelope, parts);
  const body = Buffer.concat(bodies);
  const [b1, b2] = bodies as [Buffer, Buffer, Buffer];
  const envBytes = Buffer.from(env, 'base64url');
  const P1: [string, number, number] = ['body', 0, b1.length];
  const P2: [string, number, number] = ['body', b1.length, b1.length + b2.length];
  const P3: [string, number, number] = ['body', b1.length + b2.length, body.length];
  const pendingEnv = b64u(up.envelope);
  const ranges = [
    [0, 0],
    [65530, 65545],
    [65536, 131075],
    [131073, 131083],
    [100000, 100000],
  ].map(([a, z]) => ({ start: a!, end: z! }));
  return {
    description: 'A 3-part multipart object (FORMAT.md §7): parts of 65537, 65537 and 10 bytes, committed layout in the envelope. `parts` gives each part (part_number, salt, plaintext_length); `body` is the stored parts concatenated; `retry_part_2` is another upload attempt of part 2 and `foreign_part_2` a part 2 of another upload, used by tampered variants (with `zero_byte` and `ff_bytes`). `ranges` lists plaintext ranges (inclusive) and the plaintext they must return.',
    vectors: [
      {
        kind: 'multipart',
        name,
        dek: hex(dek),
        upload_nonce: hex(U),
        bucket_utf8: BUCKET,
        key_utf8: 'big/object',
        parts: parts.map((p) => ({ part_number: p.partNumber, salt: hex(p.salt), plaintext_length: p.plaintextLength })),
        plaintext: hex(Buffer.concat(plains)),
        envelope_b64u: env,
        body: hex(body),
        retry_part_2: hex(retry),
        foreign_part_2: hex(foreign),
        zero_byte: '00',
        ff_bytes: 'ffffffffffffffff',
        ranges: ranges.map((r) => ({ ...r, plaintext: hex(Buffer.concat(plains).subarray(r.start, r.end + 1)) })),
        tampered: [
          { name: 'parts 1 and 2 swapped', changes: { body: { concat: [P2, P1, P3] } }, error: 'LayoutMismatch' },
          { name: 'part 2 dropped (size no longer matches)', changes: { body: { concat: [P1, P3] } }, error: 'BodyTruncated' },
          { name: 'trailing part dropped', changes: { body: { concat: [P1, P2] } }, error: 'BodyTruncated' },
          { name: 'part 1 duplicated in place of part 2', changes: { body: { concat: [P1, P1, P3] } }, error: 'LayoutMismatch' },
          { name: 'another attempt of part 2 substituted', changes: { body: { concat: [P1, ['retry_part_2', 0, retry.length], P3] } }, error: 'LayoutMismatch' },
          { name: 'part 2 taken from another upload', changes: { body: { concat: [P1, ['foreign_part_2', 0, foreign.length], P3] } }, error: 'KeyCommitmentMismatch' },
          { name: 'byte flipped in part 3 header length', changes: { body: flipAt('body', body.length, b1.length + b2.length + 15) }, error: 'LayoutMismatch' },
          // §1, §7.2: a length over 2^53−1 is malformed while the header is parsed, before its version is looked at
          { name: 'part 3 header: length over 2^53-1 and version 0', changes: { body: { concat: [P1, P2, ['body', P3[1], P3[1] + 4], ['zero_byte', 0, 1], ['body', P3[1] + 5, P3[1] + 8], ['ff_bytes', 0, 8], ['body', P3[1] + 16, body.length]] } }, error: 'BodyMalformed' },
          { name: 'byte flipped in part 2 chunk', changes: { body: flipAt('body', body.length, b1.length + 64 + 5) }, error: 'BodyAuthFailed' },
          { name: 'layout missing (upload not completed by s3seal)', changes: { envelope_b64u: pendingEnv }, error: 'MultipartIncomplete' },
          { name: 'layout digest flipped', changes: { envelope_b64u: flipB64u(env, envBytes.length - 3 - 32 - 1) }, error: 'EnvelopeAuthFailed' },
        ],
      },
    ],
  };
}

/** GCM under the sealed-checksums key (FORMAT.md §5.7) of any bytes: tampered variants seal entries that break the rules */
function sealRaw(dek: Buffer, plain: Buffer, nonce: Buffer): Buffer {
  const key = hkdf(dek, Buffer.alloc(0), V1, LABEL.sealedChecksums);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(Buffer.from([V1.version, V1.suite]));
  return Buffer.concat([nonce, c.update(plain), c.final(), c.getAuthTag()]);
}

async function digestsOf(plaintext: Buffer, algorithms: readonly SealedChecksumAlgorithm[]): Promise<SealedChecksum[]> {
  const out: SealedChecksum[] = [];
  for (const algorithm of algorithms) {
    const d = newDigester(algorithm);
    d.update(plaintext);
    out.push({ algorithm, type: 'FULL_OBJECT', digest: Buffer.from(await d.digest()) });
  }
  return out;
}

async function checksumVectors(): Promise<VectorFile> {
  const vectors: Record<string, unknown>[] = [];
  const otherDek = detBytes('checksums/other dek', 32);
  const cases: [string, number, SealedChecksumAlgorithm[]][] = [
    ['checksums-crc32-sha256', 1000, ['CRC32', 'SHA256']],
    // every algorithm once: the largest field the format allows (136 bytes)
    ['checksums-all', 70000, ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256', 'MD5']],
  ];
  for (const [name, p, algorithms] of cases) {
    const dek = detBytes(`${name}/dek`, 32);
    const plaintext = detBytes(`${name}/plaintext`, p);
    const entries = await digestsOf(plaintext, algorithms);
    const nonce = detBytes(`${name}/checksums nonce`, 12);
    const wrapFields: EnvelopeFields = { mode: 'SSE-S3', keyRef: 'file:s3-default', wrappedKey: detBytes(`${name}/opaque wrap`, 80) };
    // the production builder of single-part envelopes (what SealedObjects.put sends)
    const env = singlePartEnvelope(dek, wrapFields, entries, V1, nonce);
    const sealed = decodeEnvelope(env).sealedChecksums!;
    const fields: EnvelopeFields = { ...wrapFields, sealedChecksums: sealed };
    const at = fieldOffset(env, 0x0a);
    const flipped = Buffer.from(sealed);
    flipped[12] = flipped[12]! ^ 0x01;
    const foreign = sealChecksums(otherDek, await digestsOf(detBytes('checksums/other plaintext', 10), algorithms), V1, detBytes(`${name}/other nonce`, 12));
    const reMac = (value: Buffer): string => encodeEnvelope({ ...fields, sealedChecksums: value }, dek);
    const plainEntries = Buffer.concat(entries.map((e) => Buffer.concat([Buffer.from([CHECKSUM_ALGORITHM_ID[e.algorithm], 1, 0, 0]), e.digest])));
    const swappedOrder = Buffer.concat([plainEntries.subarray(8), plainEntries.subarray(0, 8)]);
    const composite = Buffer.from(plainEntries);
    composite[1] = 2;
    composite[3] = 1;
    const withParts = Buffer.from(plainEntries);
    withParts[3] = 1;
    const envBytes = Buffer.from(env, 'base64url');
    vectors.push({
      kind: 'checksums',
      name,
      dek: hex(dek),
      bucket_utf8: BUCKET,
      key_utf8: `sums/${name}`,
      plaintext: hex(plaintext),
      envelope_b64u: env,
      body: hex(await encryptBody(dek, plaintext)),
      expected_checksums: entries.map((e) => ({ algorithm: e.algorithm, type: e.type, parts: 0, value_b64: e.digest.toString('base64') })),
      note: 'decode as `single` (the wrapped key is an opaque stand-in); variants named "re-MACed" carry an envelope whose MAC was recomputed under the given DEK over the changed field, so only the GCM tag or the entry rules of §5.7 can refuse them',
      tampered: [
        { name: 'sealed checksums: ciphertext byte flipped', changes: { envelope_b64u: flipB64u(env, at + 12) }, error: 'EnvelopeAuthFailed' },
        { name: 'sealed checksums: ciphertext byte flipped, re-MACed', changes: { envelope_b64u: reMac(flipped) }, error: 'EnvelopeAuthFailed' },
        { name: 'sealed checksums: nonce byte flipped, re-MACed', changes: { envelope_b64u: reMac(Buffer.concat([Buffer.from([sealed[0]! ^ 0x01]), sealed.subarray(1)])) }, error: 'EnvelopeAuthFailed' },
        { name: 'sealed checksums: swapped in from another object', changes: { envelope_b64u: replaceField(env, 0x0a, foreign) }, error: 'EnvelopeAuthFailed' },
        { name: 'sealed checksums: swapped in from another object, re-MACed', changes: { envelope_b64u: reMac(foreign) }, error: 'EnvelopeAuthFailed' },
        { name: 'sealed checksums: removed', changes: { envelope_b64u: b64u(Buffer.concat([envBytes.subarray(0, at - 3), envBytes.subarray(at + sealed.length)])) }, error: 'EnvelopeAuthFailed' },
        { name: 'sealed checksums: cut to 35 bytes', changes: { envelope_b64u: replaceField(env, 0x0a, sealed.subarray(0, 35)) }, error: 'EnvelopeMalformed' },
        { name: 'sealed checksums: 137 bytes', changes: { envelope_b64u: replaceField(env, 0x0a, Buffer.concat([sealed, Buffer.alloc(137 - sealed.length)])) }, error: 'EnvelopeMalformed' },
        { name: 'sealed checksums: entries out of order, sealed and re-MACed', changes: { envelope_b64u: reMac(sealRaw(dek, swappedOrder, nonce)) }, error: 'EnvelopeMalformed' },
        { name: 'sealed checksums: COMPOSITE entry in a single-part envelope, sealed and re-MACed', changes: { envelope_b64u: reMac(sealRaw(dek, composite, nonce)) }, error: 'EnvelopeMalformed' },
        { name: 'sealed checksums: FULL_OBJECT entry with a part count, sealed and re-MACed', changes: { envelope_b64u: reMac(sealRaw(dek, withParts, nonce)) }, error: 'EnvelopeMalformed' },
        ...(sealed.length < 136 ? [{ name: 'sealed checksums: a trailing byte after the entries, sealed and re-MACed', changes: { envelope_b64u: reMac(sealRaw(dek, Buffer.concat([plainEntries, Buffer.from([0])]), nonce)) }, error: 'EnvelopeMalformed' }] : []),
        { name: 'wrong DEK', changes: { dek: hex(otherDek) }, error: 'EnvelopeAuthFailed' },
      ],
    });
  }
  return {
    description: 'Sealed plaintext checksums (FORMAT.md §5.7) in single-part SSE-S3 envelopes: decode as `single` with the given DEK, then open field 0x0a after the MAC and compare with `expected_checksums` (value_b64 as S3 writes it). The second vector holds every algorithm once, the largest field the format allows.',
    vectors,
  };
}

function tokenVectors(): VectorFile {
  const root = detBytes('token/root', 32);
  const o = { bucket: BUCKET, key: 'big/object' };
  const dek = detBytes('token/dek', 32);
  const up = startMultipart(dek, { mode: 'SSE-S3', keyRef: 'file:s3-default', wrappedKey: detBytes('token/wrap', 80) }, undefined, detBytes('token/U', 16));
  const backendUploadId = 'ZjU5NmE2YjQtOTYyYi00YjQ0LWE5ZGYtZjM4ZjJlZjM3ZjQ4';
  // §7.1: the caller metadata size counts each name with its x-amz-meta- prefix (as MinIO does): 11 + 5 + 3
  const callerMetadata = { owner: 'ops' };
  const token = encodeUploadToken(root, o, { backendUploadId, envelope: up.envelope, callerMetadataSize: metadataSize(callerMetadata) });
  return {
    description: 'Upload tokens (FORMAT.md §7.1): decode with root R for the given bucket and key. `caller_metadata_utf8` is the caller metadata given at CreateMultipartUpload (names without the x-amz-meta- prefix); its size (§5.3, prefix counted) is the token\'s caller metadata size.',
    vectors: [
      {
        kind: 'upload_token',
        name: 'token-1',
        root: hex(root),
        bucket_utf8: o.bucket,
        key_utf8: o.key,
        token_b64u: token,
        expected_backend_upload_id_utf8: backendUploadId,
        expected_envelope: hex(up.envelope),
        caller_metadata_utf8: callerMetadata,
        expected_caller_metadata_size: metadataSize(callerMetadata),
        tampered: [
          { name: 'other object key', changes: { key_utf8: 'big/other' }, error: 'UploadTokenInvalid' },
          { name: 'tag flipped', changes: { token_b64u: flipB64u(token, Buffer.from(token, 'base64url').length - 1) }, error: 'UploadTokenInvalid' },
          { name: 'backend upload id flipped', changes: { token_b64u: flipB64u(token, 5) }, error: 'UploadTokenInvalid' },
          { name: 'wrong root', changes: { root: hex(detBytes('token/other root', 32)) }, error: 'UploadTokenInvalid' },
        ],
      },
    ],
  };
}

function sizeVectors(): VectorFile {
  const valid = [0, 1, 65535, 65536, 65537, 131072, 131073, 1_000_000, 5 * 1024 ** 3].map((p) => ({ plaintext_length: p, stored_size: singlePartCiphertextSize(p) }));
  const impossible = [
    { stored_size: 0, error: 'BodyTruncated' },
    { stored_size: 53, error: 'BodyTruncated' },
    { stored_size: 38 + FULL + 16, error: 'BodyMalformed' },
    { stored_size: 38 + FULL + 1, error: 'BodyMalformed' },
  ];
  const p = 131073;
  const ranges = [
    [0, 0],
    [0, p - 1],
    [65535, 65536],
    [65536, 131071],
    [131072, 131072],
    [70000, 70010],
  ].map(([a, z]) => {
    const s = chunkSpan(a!, z!, p, BODY_HEADER_SIZE);
    return { plaintext_length: p, start: a, end: z, stored_start: s.cipherStart, stored_end: s.cipherEnd };
  });
  const limits = {
    kind: 'limits',
    s3_max_put_size: S3_MAX_PUT_SIZE,
    max_single_part_plaintext: MAX_SINGLE_PART_PLAINTEXT,
    max_single_part_stored: singlePartCiphertextSize(MAX_SINGLE_PART_PLAINTEXT),
    s3_max_part_size: S3_MAX_PART_SIZE,
    max_part_plaintext: MAX_PART_PLAINTEXT,
    max_part_stored: partCiphertextSize(MAX_PART_PLAINTEXT),
  };
  return {
    description: 'Size formula (FORMAT.md §6) and the stored byte range a ranged read fetches (§6.1), for single-part objects; `limits`: the largest single-part plaintext (§6.2) and part plaintext (§7.4) and their stored sizes. A valid size pair may lie above the single-part limit: the formula holds, the PUT is refused.',
    vectors: [{ kind: 'sizes', valid, impossible }, { kind: 'ranges', ranges }, limits],
  };
}

export async function generateVectors(): Promise<Record<string, string>> {
  const files: Record<string, VectorFile> = {
    'single.json': await singleVectors(),
    'ssec.json': await ssecVectors(),
    'keystore-wraps.json': await wrapVectors(),
    'multipart.json': await multipartVectors(),
    'upload-token.json': tokenVectors(),
    'sizes.json': sizeVectors(),
    'checksums.json': await checksumVectors(),
  };
  const out: Record<string, string> = {};
  for (const [f, v] of Object.entries(files)) out[f] = JSON.stringify(v, null, 1) + '\n';
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? 'test/vectors';
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(await generateVectors())) {
    writeFileSync(join(dir, f), text);
    console.log(`wrote ${join(dir, f)} (${text.length} bytes)`);
  }
}
