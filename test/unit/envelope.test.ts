/**
 * The envelope (FORMAT.md §5): strict structural decode of hostile input, strict base64url, and the
 * 2 KiB user-metadata budget (DESIGN.md "On-object format": with bucket-key mode, the largest
 * wrapped keys and a 512-byte caller context the envelope must still fit; over budget →
 * MetadataTooLarge; callers can never set reserved names).
 */
import test from 'ava';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { ENVELOPE_MAX_DECODED, ENVELOPE_MAX_ENCODED, FIELD, LABEL, USER_METADATA_LIMIT, type Label } from '../../src/crypto/constants.js';
import { bindingContext, canonicalContext, parseStoredContext } from '../../src/crypto/encryption-context.js';
import { bucketKeyWrap } from '../../src/crypto/bucket-key-wrap.js';
import { fileWrap } from '../../src/crypto/file-wrap.js';
import { ssecWrap } from '../../src/crypto/ssec-wrap.js';
import { hkdf, V1 } from '../../src/crypto/kdf.js';
import { lp, u32 } from '../../src/crypto/bytes.js';
import { objectArn, objectBinding } from '../../src/crypto/object-id.js';
import { decodeEnvelope, decodeEnvelopeBytes, encodeEnvelope, encodeEnvelopeBytes, verifyEnvelope, type EnvelopeFields } from '../../src/crypto/envelope.js';
import { buildLayout, encodeLayout } from '../../src/crypto/layout.js';
import { LOCAL_WRAP_SIZE } from '../../src/crypto/local-wrap.js';
import { assertNoReservedMetadata, metadataSize, withEnvelope } from '../../src/engine/metadata-budget.js';
import { isSealError, type SealErrorCode } from '../../src/errors.js';
import { describe, KMS_KEY_ARN } from '../helpers/engine-fixtures.js';

const dek = randomBytes(32);

/** Hand-built TLV, independent of the encoder: tag u8 ‖ len u16 BE ‖ value. */
function tlv(tag: number, value: Buffer | string | number[], len?: number): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  const l = Buffer.alloc(2);
  l.writeUInt16BE(len ?? v.length);
  return Buffer.concat([Buffer.from([tag]), l, v]);
}
const head = (version = 1, suite = 1): Buffer => Buffer.from([version, suite]);
const MAC = (): Buffer => tlv(FIELD.mac, randomBytes(32));
const MODE_KMS = (): Buffer => tlv(FIELD.mode, [2]);
const KEYREF = (): Buffer => tlv(FIELD.keyRef, KMS_KEY_ARN);
const WRAPPED = (): Buffer => tlv(FIELD.wrappedKey, randomBytes(60));
const CONTEXT = (): Buffer => tlv(FIELD.context, '{"a":"b"}');
const kms = (...extra: Buffer[]): Buffer => Buffer.concat([head(), MODE_KMS(), KEYREF(), WRAPPED(), CONTEXT(), ...extra, MAC()]);

function throwsCode(t: import('ava').ExecutionContext, fn: () => unknown, code: SealErrorCode, what: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  t.true(isSealError(err, code), `${what}: expected ${code}, got ${describe(err)}`);
}

const kmsFields = (): EnvelopeFields => ({ mode: 'SSE-KMS', keyRef: KMS_KEY_ARN, wrappedKey: randomBytes(60), context: canonicalContext({ dept: 'finance' }) });

test('round trip: every mode decodes to the fields written and verifies only under its DEK', (t) => {
  const all: EnvelopeFields[] = [
    { mode: 'SSE-S3', keyRef: 'file:root-v3', wrappedKey: randomBytes(60) },
    kmsFields(),
    { ...kmsFields(), bucketKey: randomBytes(184) },
    { mode: 'SSE-C', wrappedKey: randomBytes(48), ssecSalt: randomBytes(16), ssecCheck: randomBytes(32) },
    { ...kmsFields(), uploadNonce: randomBytes(16) },
  ];
  for (const f of all) {
    const s = encodeEnvelope(f, dek);
    t.regex(s, /^[A-Za-z0-9_-]+$/);
    const env = decodeEnvelope(s);
    const { version, suite, mac, ...fields } = env;
    t.deepEqual(fields, f);
    t.deepEqual([version, suite], [1, 1]);
    t.is(mac.length, 32);
    t.notThrows(() => verifyEnvelope(env, dek));
    throwsCode(t, () => verifyEnvelope(env, randomBytes(32)), 'EnvelopeAuthFailed', `${f.mode} under another DEK`);
    t.deepEqual(decodeEnvelopeBytes(encodeEnvelopeBytes(f, dek)), env);
  }
  // the hand-built baseline used below is itself well-formed (so each malformation is what fails)
  t.notThrows(() => decodeEnvelopeBytes(kms()));
});

test('strict decode: unknown, duplicated and out-of-order fields, and data after the MAC, are EnvelopeMalformed', (t) => {
  const cases: [string, Buffer][] = [
    ['unknown tag 0x0a', kms(tlv(0x0a, [1]))],
    ['unknown tag 0x00 first', Buffer.concat([head(), tlv(0x00, [1]), MODE_KMS(), KEYREF(), WRAPPED(), MAC()])],
    ['unknown tag 0x7e', kms(tlv(0x7e, [1]))],
    ['unknown tag 0xff after the MAC', Buffer.concat([kms(), tlv(0xff, [1])])],
    ['duplicated mode', Buffer.concat([head(), MODE_KMS(), MODE_KMS(), KEYREF(), WRAPPED(), MAC()])],
    ['duplicated context', kms(CONTEXT())],
    ['duplicated MAC', Buffer.concat([kms(), MAC()])],
    ['wrappedKey before keyRef', Buffer.concat([head(), MODE_KMS(), WRAPPED(), KEYREF(), CONTEXT(), MAC()])],
    ['mode after keyRef', Buffer.concat([head(), KEYREF(), MODE_KMS(), WRAPPED(), MAC()])],
    ['MAC before the context', Buffer.concat([head(), MODE_KMS(), KEYREF(), WRAPPED(), MAC(), CONTEXT()])],
    ['a field after the MAC', Buffer.concat([kms(), tlv(FIELD.uploadNonce, randomBytes(16))])],
    ['a stray byte after the MAC', Buffer.concat([kms(), Buffer.from([0x7f])])],
  ];
  for (const [what, bytes] of cases) {
    throwsCode(t, () => decodeEnvelopeBytes(bytes), 'EnvelopeMalformed', what);
    throwsCode(t, () => decodeEnvelope(bytes.toString('base64url')), 'EnvelopeMalformed', `${what} (base64url)`);
  }
});

test('strict decode: field lengths outside their bounds, and truncated fields, are EnvelopeMalformed', (t) => {
  const cases: [string, Buffer][] = [
    ['mode of 2 bytes', Buffer.concat([head(), tlv(FIELD.mode, [2, 2]), KEYREF(), WRAPPED(), MAC()])],
    ['mode of 0 bytes', Buffer.concat([head(), tlv(FIELD.mode, []), KEYREF(), WRAPPED(), MAC()])],
    ['MAC of 31 bytes', Buffer.concat([head(), MODE_KMS(), KEYREF(), WRAPPED(), tlv(FIELD.mac, randomBytes(31))])],
    ['MAC of 33 bytes', Buffer.concat([head(), MODE_KMS(), KEYREF(), WRAPPED(), tlv(FIELD.mac, randomBytes(33))])],
    ['empty keyRef', Buffer.concat([head(), MODE_KMS(), tlv(FIELD.keyRef, []), WRAPPED(), MAC()])],
    ['keyRef of 513 bytes', Buffer.concat([head(), MODE_KMS(), tlv(FIELD.keyRef, 'k'.repeat(513)), WRAPPED(), MAC()])],
    ['SSE-C salt of 15 bytes', Buffer.concat([head(), tlv(FIELD.mode, [3]), WRAPPED(), tlv(FIELD.ssecSalt, randomBytes(15)), tlv(FIELD.ssecCheck, randomBytes(32)), MAC()])],
    ['upload nonce of 17 bytes', kms(tlv(FIELD.uploadNonce, randomBytes(17)))],
    ['layout shorter than its minimum', kms(tlv(FIELD.uploadNonce, randomBytes(16)), tlv(FIELD.layout, randomBytes(10)))],
    ['length 65535 on a short buffer', Buffer.concat([head(), tlv(FIELD.mode, [2], 0xffff)])],
    ['wrappedKey length 65535 on a short buffer', Buffer.concat([head(), MODE_KMS(), KEYREF(), tlv(FIELD.wrappedKey, randomBytes(4), 0xffff)])],
    ['keyRef length 500 (in bounds) with 10 bytes left', Buffer.concat([head(), MODE_KMS(), tlv(FIELD.keyRef, 'arn:aws:km', 500)])],
    ['length cut after one byte', Buffer.concat([head(), MODE_KMS(), Buffer.from([FIELD.keyRef, 0])])],
    ['tag without length', Buffer.concat([head(), MODE_KMS(), Buffer.from([FIELD.keyRef])])],
    ['empty buffer', Buffer.alloc(0)],
    ['version only', Buffer.from([1])],
    ['header only', head()],
  ];
  for (const [what, bytes] of cases) throwsCode(t, () => decodeEnvelopeBytes(bytes), 'EnvelopeMalformed', what);
});

test.serial('strict decode: a hostile length is refused before anything is allocated for it', (t) => {
  // every Buffer allocation during the decode is recorded; none may be sized by the hostile field
  const sizes: number[] = [];
  const B = Buffer as unknown as Record<string, (...a: unknown[]) => Buffer>;
  const orig = { alloc: B['alloc']!, allocUnsafe: B['allocUnsafe']!, allocUnsafeSlow: B['allocUnsafeSlow']! };
  for (const [name, f] of Object.entries(orig)) {
    B[name] = (...a: unknown[]) => {
      sizes.push(a[0] as number);
      return f.apply(Buffer, a);
    };
  }
  const errors: unknown[] = [];
  try {
    for (const tag of [FIELD.mode, FIELD.keyRef, FIELD.wrappedKey, FIELD.bucketKey, FIELD.context, FIELD.layout, FIELD.mac]) {
      const bytes = Buffer.concat([head(), tlv(tag, randomBytes(3), 0xffff)]);
      for (const fn of [() => decodeEnvelopeBytes(bytes), () => decodeEnvelope(bytes.toString('base64url'))]) {
        try {
          fn();
          errors.push('accepted');
        } catch (e) {
          errors.push(e);
        }
      }
    }
  } finally {
    Object.assign(B, orig);
  }
  for (const e of errors) t.true(isSealError(e, 'EnvelopeMalformed'), describe(e));
  t.false(errors.some((e) => e instanceof RangeError));
  t.true(Math.max(0, ...sizes) < 1024, `largest allocation during decode: ${Math.max(0, ...sizes)} bytes`);
});

test('presence rules: missing MAC / mode / wrapped key, SSE-C with KMS fields and vice versa are EnvelopeMalformed', (t) => {
  const SSEC = (): Buffer[] => [tlv(FIELD.ssecSalt, randomBytes(16)), tlv(FIELD.ssecCheck, randomBytes(32))];
  const MODE_C = (): Buffer => tlv(FIELD.mode, [3]);
  const cases: [string, Buffer][] = [
    ['missing MAC', Buffer.concat([head(), MODE_KMS(), KEYREF(), WRAPPED(), CONTEXT()])],
    ['missing mode', Buffer.concat([head(), KEYREF(), WRAPPED(), CONTEXT(), MAC()])],
    ['unknown mode 0', Buffer.concat([head(), tlv(FIELD.mode, [0]), KEYREF(), WRAPPED(), MAC()])],
    ['unknown mode 4', Buffer.concat([head(), tlv(FIELD.mode, [4]), KEYREF(), WRAPPED(), MAC()])],
    ['missing wrapped key', Buffer.concat([head(), MODE_KMS(), KEYREF(), CONTEXT(), MAC()])],
    ['SSE-C with keyRef', Buffer.concat([head(), MODE_C(), KEYREF(), WRAPPED(), ...SSEC(), MAC()])],
    ['SSE-C with bucketKey', Buffer.concat([head(), MODE_C(), WRAPPED(), tlv(FIELD.bucketKey, randomBytes(184)), ...SSEC(), MAC()])],
    ['SSE-C with context', Buffer.concat([head(), MODE_C(), WRAPPED(), CONTEXT(), ...SSEC(), MAC()])],
    ['SSE-C without salt', Buffer.concat([head(), MODE_C(), WRAPPED(), tlv(FIELD.ssecCheck, randomBytes(32)), MAC()])],
    ['SSE-C without check', Buffer.concat([head(), MODE_C(), WRAPPED(), tlv(FIELD.ssecSalt, randomBytes(16)), MAC()])],
    ['SSE-KMS without keyRef', Buffer.concat([head(), MODE_KMS(), WRAPPED(), CONTEXT(), MAC()])],
    ['SSE-KMS with SSE-C salt/check', Buffer.concat([head(), MODE_KMS(), KEYREF(), WRAPPED(), CONTEXT(), ...SSEC(), MAC()])],
    ['SSE-S3 with a context', Buffer.concat([head(), tlv(FIELD.mode, [1]), KEYREF(), WRAPPED(), CONTEXT(), MAC()])],
    ['layout without upload nonce', kms(tlv(FIELD.layout, encodeLayout(buildLayout(randomBytes(16), [{ partNumber: 1, plaintextLength: 5, salt: randomBytes(16) }]))))],
    ['keyRef not UTF-8', Buffer.concat([head(), MODE_KMS(), tlv(FIELD.keyRef, [0x61, 0xff, 0xfe]), WRAPPED(), MAC()])],
    ['context not UTF-8', Buffer.concat([head(), MODE_KMS(), KEYREF(), WRAPPED(), tlv(FIELD.context, [0x7b, 0xc3, 0x7d]), MAC()])],
  ];
  for (const [what, bytes] of cases) throwsCode(t, () => decodeEnvelopeBytes(bytes), 'EnvelopeMalformed', what);
  // the writer refuses the same combinations: nothing malformed is ever written
  const bad: [string, EnvelopeFields][] = [
    ['SSE-C with keyRef', { mode: 'SSE-C', keyRef: KMS_KEY_ARN, wrappedKey: randomBytes(48), ssecSalt: randomBytes(16), ssecCheck: randomBytes(32) }],
    ['SSE-C with context', { mode: 'SSE-C', context: '{}', wrappedKey: randomBytes(48), ssecSalt: randomBytes(16), ssecCheck: randomBytes(32) }],
    ['SSE-C with bucketKey', { mode: 'SSE-C', bucketKey: randomBytes(10), wrappedKey: randomBytes(48), ssecSalt: randomBytes(16), ssecCheck: randomBytes(32) }],
    ['SSE-KMS without keyRef', { mode: 'SSE-KMS', wrappedKey: randomBytes(60) }],
  ];
  for (const [what, f] of bad) throwsCode(t, () => encodeEnvelope(f, dek), 'EnvelopeMalformed', `encode ${what}`);
});

test('version and suite: anything but v1 / suite 1, or below the configured minimum, is UnsupportedFormatVersion', (t) => {
  const body = kms().subarray(2);
  for (const [v, s] of [
    [0, 1],
    [2, 1],
    [255, 1],
    [1, 0],
    [1, 2],
  ] as const) {
    throwsCode(t, () => decodeEnvelopeBytes(Buffer.concat([head(v, s), body])), 'UnsupportedFormatVersion', `version ${v} suite ${s}`);
  }
  t.notThrows(() => decodeEnvelopeBytes(kms(), { minVersion: 1 }));
  throwsCode(t, () => decodeEnvelopeBytes(kms(), { minVersion: 2 }), 'UnsupportedFormatVersion', 'minVersion 2');
  // an honestly MACed v0 envelope is a downgrade, refused by decode
  throwsCode(t, () => decodeEnvelope(encodeEnvelope(kmsFields(), dek, { version: 0, suite: 1 })), 'UnsupportedFormatVersion', 'v0 written');
});

test('base64url: padding, "+", "/", whitespace, non-canonical trailing bits and impossible lengths are refused', (t) => {
  // find envelopes whose encoding needs padding and contains "-" and "_"
  let s = '';
  for (let i = 0; i < 200 && !(/-/.test(s) && /_/.test(s) && s.length % 4 !== 0); i++) s = encodeEnvelope(kmsFields(), dek);
  t.true(/-/.test(s) && /_/.test(s) && s.length % 4 !== 0, 'test setup: need an encoding with "-", "_" and padding');
  t.notThrows(() => decodeEnvelope(s));
  const padded = s + '='.repeat((4 - (s.length % 4)) % 4);
  const cases: [string, string][] = [
    ['padding', padded],
    ['one "="', s + '='],
    ['standard alphabet "+"', s.replace(/-/g, '+')],
    ['standard alphabet "/"', s.replace(/_/g, '/')],
    ['standard base64 with padding', Buffer.from(s, 'base64url').toString('base64')],
    ['leading space', ' ' + s],
    ['trailing newline', s + '\n'],
    ['inner space', s.slice(0, 10) + ' ' + s.slice(10)],
    ['length ≡ 1 (mod 4)', s + 'A'.repeat((((1 - (s.length % 4)) % 4) + 4) % 4)],
    ['empty string', ''],
  ];
  // non-canonical: same bytes, but unused trailing bits set in the last character
  const last = s[s.length - 1]!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const idx = alphabet.indexOf(last);
  const spare = s.length % 4 === 2 ? 0x0f : 0x03;
  const nonCanonical = s.slice(0, -1) + alphabet[(idx & ~spare) | (((idx & spare) + 1) & spare)]!;
  t.true(Buffer.from(nonCanonical, 'base64url').equals(Buffer.from(s, 'base64url')), 'test setup: same decoded bytes');
  cases.push(['non-canonical trailing bits', nonCanonical]);
  for (const [what, v] of cases) {
    t.not(v, s);
    throwsCode(t, () => decodeEnvelope(v), 'EnvelopeMalformed', what);
  }
});

test('length bounds: an encoded value over the bound is refused before decoding, a decoded envelope over 2048 bytes too', (t) => {
  t.is(ENVELOPE_MAX_ENCODED, Math.ceil((ENVELOPE_MAX_DECODED * 4) / 3));
  throwsCode(t, () => decodeEnvelope('A'.repeat(ENVELOPE_MAX_ENCODED + 1)), 'EnvelopeMalformed', 'one character over');
  const huge = 'A'.repeat(20_000_000);
  const t0 = process.hrtime.bigint();
  throwsCode(t, () => decodeEnvelope(huge), 'EnvelopeMalformed', '20 MB value');
  t.true(process.hrtime.bigint() - t0 < 200_000_000n, 'a huge value is refused without decoding it');
  // a structurally valid envelope of 2049 bytes (a long wrapped key and bucket key)
  const bigger = Buffer.concat([head(), MODE_KMS(), KEYREF(), tlv(FIELD.wrappedKey, randomBytes(1024)), tlv(FIELD.bucketKey, randomBytes(1024)), MAC()]);
  t.true(bigger.length > ENVELOPE_MAX_DECODED, `test setup: ${bigger.length} bytes`);
  throwsCode(t, () => decodeEnvelopeBytes(bigger), 'EnvelopeMalformed', `${bigger.length}-byte envelope`);
  // and the writer never produces one: a field over its bound, or the total over 2048 bytes
  throwsCode(t, () => encodeEnvelope({ ...kmsFields(), keyRef: 'k'.repeat(513) }, dek), 'MetadataTooLarge', 'keyRef over 512 bytes');
  throwsCode(t, () => encodeEnvelope({ ...kmsFields(), context: canonicalContext({ a: 'x'.repeat(1600) }) }, dek), 'MetadataTooLarge', 'context over 1536 bytes');
  throwsCode(t, () => encodeEnvelope({ ...kmsFields(), wrappedKey: randomBytes(1024), bucketKey: randomBytes(1024) }, dek), 'MetadataTooLarge', 'total over 2048 bytes');
});

// ---------------------------------------------------------------------------------------------
// The 2 KiB user-metadata budget
// ---------------------------------------------------------------------------------------------

/** Canonical JSON context of exactly `n` bytes. */
function contextOfSize(n: number): string {
  const c = canonicalContext({ project: 'p'.repeat(n - '{"project":""}'.length) });
  if (Buffer.byteLength(c) !== n) throw new Error('test setup: context size');
  return c;
}

/**
 * Worst realistic single-part case (DESIGN.md): bucket-key mode under a full AWS KMS key ARN, the DEK
 * wrapped locally (60 bytes), the bucket key as an AWS KMS ciphertext blob (≈184–250 bytes for a
 * 32-byte key; 256 used) and a 512-byte caller context. The object key (up to 1024 bytes) is not
 * stored: the ARN entry of the context is derived, never stored.
 */
const worstCase = (): EnvelopeFields => ({
  mode: 'SSE-KMS',
  keyRef: KMS_KEY_ARN,
  wrappedKey: randomBytes(LOCAL_WRAP_SIZE),
  bucketKey: randomBytes(256),
  context: contextOfSize(512),
});

test('budget: the worst-case bucket-key envelope fits in S3 user metadata, and leaves room for caller metadata', (t) => {
  t.is(LOCAL_WRAP_SIZE, 60);
  const env = encodeEnvelope(worstCase(), dek);
  const meta = withEnvelope({}, env);
  const total = metadataSize(meta);
  t.log(`worst-case envelope: ${env.length} characters, ${total} bytes of user metadata of ${USER_METADATA_LIMIT}`);
  t.true(total <= USER_METADATA_LIMIT);
  t.is(total, 'x-amz-meta-s3seal'.length + env.length, 'header names count with their x-amz-meta- prefix');
  t.is(meta['s3seal'], env);
  // the envelope decodes back from metadata and verifies
  t.notThrows(() => verifyEnvelope(decodeEnvelope(meta['s3seal']!), dek));
  // caller metadata is passed through unchanged while the total fits
  const room = USER_METADATA_LIMIT - total;
  t.true(room >= 512, `only ${room} bytes left for caller metadata`);
  const caller = { owner: 'o'.repeat(room - 'x-amz-meta-owner'.length) };
  const withCaller = withEnvelope(caller, env);
  t.is(metadataSize(withCaller), USER_METADATA_LIMIT);
  t.is(withCaller['owner'], caller.owner);
});

test('budget: a completed multipart envelope (upload nonce + a typical layout) in the worst-case mode fits too', (t) => {
  const nonce = randomBytes(16);
  // 1000 parts of 8 MiB and a short last part: two runs
  const parts = Array.from({ length: 1000 }, (_, i) => ({ partNumber: i + 1, plaintextLength: i < 999 ? 8 * 1024 * 1024 : 12345, salt: randomBytes(16) }));
  const env = encodeEnvelope({ ...worstCase(), uploadNonce: nonce, layout: encodeLayout(buildLayout(nonce, parts)) }, dek);
  const total = metadataSize(withEnvelope({}, env));
  t.log(`worst-case multipart envelope: ${total} bytes of user metadata`);
  t.true(total <= USER_METADATA_LIMIT);
});

test('budget: caller metadata that pushes the total over 2048 bytes is MetadataTooLarge', (t) => {
  const env = encodeEnvelope(worstCase(), dek);
  const room = USER_METADATA_LIMIT - ('x-amz-meta-s3seal'.length + env.length);
  throwsCode(t, () => withEnvelope({ owner: 'o'.repeat(room - 'x-amz-meta-owner'.length + 1) }, env), 'MetadataTooLarge', 'one byte over');
  throwsCode(t, () => withEnvelope({ a: 'x'.repeat(1000), b: 'y'.repeat(1000) }, env), 'MetadataTooLarge', 'two large values');
  // multi-byte characters count as their UTF-8 bytes, as S3 counts them
  const euro = '€'; // 3 bytes
  const eRoom = room - 'x-amz-meta-e'.length;
  throwsCode(t, () => withEnvelope({ e: euro.repeat(Math.floor(eRoom / 3) + 1) }, env), 'MetadataTooLarge', 'UTF-8 bytes, not characters');
  t.notThrows(() => withEnvelope({ e: euro.repeat(Math.floor(eRoom / 3)) }, env));
  // even without caller metadata, an envelope alone over the limit is refused at PUT time
  const small = encodeEnvelope(kmsFields(), dek);
  throwsCode(t, () => withEnvelope({}, small + 'A'.repeat(USER_METADATA_LIMIT)), 'MetadataTooLarge', 'envelope alone');
});

test('reserved metadata names (the s3seal prefix, any letter case) are InvalidArgument', (t) => {
  const env = encodeEnvelope(kmsFields(), dek);
  for (const name of ['s3seal', 'S3Seal-x', 'S3SEAL', 's3seal-checksum', 's3sealx', 'S3seal']) {
    throwsCode(t, () => withEnvelope({ [name]: 'v' }, env), 'InvalidArgument', name);
    throwsCode(t, () => assertNoReservedMetadata({ ok: '1', [name]: 'v' }), 'InvalidArgument', name);
  }
  // the caller cannot replace the envelope through withEnvelope either
  for (const name of ['x-s3seal', 'seal', 'my-s3seal-note', 's3-seal']) t.notThrows(() => withEnvelope({ [name]: 'v' }, env), name);
});

// ---------------------------------------------------------------------------------------------
// Repairs (issue 6, item 18): rules an independent implementation found unstated or different
// ---------------------------------------------------------------------------------------------

test('local wraps authenticate version ‖ suite ‖ binding (FORMAT.md §2 "every AAD", §9, §10)', (t) => {
  const kek = randomBytes(32);
  const o = { bucket: 'bkt', key: 'dir/obj' };
  // decrypt by hand, from the spec alone: key = HKDF(kek, "", info(label, extra)), AAD as stated
  const open = (wrapped: Buffer, label: Label, extra: Buffer, aad: Buffer): Buffer => {
    const key = hkdf(kek, Buffer.alloc(0), V1, label, extra);
    const d = createDecipheriv('aes-256-gcm', key, wrapped.subarray(0, 12), { authTagLength: 16 });
    d.setAAD(aad);
    d.setAuthTag(wrapped.subarray(44));
    return Buffer.concat([d.update(wrapped.subarray(12, 44)), d.final()]);
  };
  const bk = bucketKeyWrap(kek, dek, o);
  t.true(open(bk, LABEL.bucketKeyWrap, Buffer.alloc(0), Buffer.concat([Buffer.from([1, 1]), lp(objectArn(o))])).equals(dek));
  t.throws(() => open(bk, LABEL.bucketKeyWrap, Buffer.alloc(0), lp(objectArn(o))), undefined, 'the AAD without version and suite must not verify');
  const ctx = bindingContext(o);
  const rec = fileWrap(kek, { keyName: 'k1', keyVersion: 7 }, ctx, dek);
  const extra = Buffer.concat([lp('k1'), u32(7)]);
  t.true(open(rec.subarray(1 + 2 + 2 + 4), LABEL.fileWrap, extra, Buffer.concat([Buffer.from([1, 1]), lp(ctx)])).equals(dek));
  t.throws(() => open(rec.subarray(1 + 2 + 2 + 4), LABEL.fileWrap, extra, lp(ctx)));
  // and the SSE-C wrap's AAD is version ‖ suite (FORMAT.md §8), unchanged
  const w = ssecWrap(kek, dek, o);
  const wk = hkdf(kek, w.salt, V1, LABEL.ssecWrap, objectBinding(o));
  const d = createDecipheriv('aes-256-gcm', wk, Buffer.alloc(12), { authTagLength: 16 });
  d.setAAD(Buffer.from([1, 1]));
  d.setAuthTag(w.wrappedKey.subarray(32));
  t.true(Buffer.concat([d.update(w.wrappedKey.subarray(0, 32)), d.final()]).equals(dek));
});

test('wrapped-key lengths of s3seal\'s own wraps are decoding rules: SSE-C 48 bytes, bucket-key mode 60 (FORMAT.md §5.6)', (t) => {
  const MODE_C = tlv(FIELD.mode, [3]);
  const SSEC = [tlv(FIELD.ssecSalt, randomBytes(16)), tlv(FIELD.ssecCheck, randomBytes(32))];
  const ssec = (n: number): Buffer => Buffer.concat([head(), MODE_C, tlv(FIELD.wrappedKey, randomBytes(n)), ...SSEC, MAC()]);
  const bucketKey = (n: number): Buffer => Buffer.concat([head(), MODE_KMS(), KEYREF(), tlv(FIELD.wrappedKey, randomBytes(n)), tlv(FIELD.bucketKey, randomBytes(184)), MAC()]);
  t.notThrows(() => decodeEnvelopeBytes(ssec(48)));
  t.notThrows(() => decodeEnvelopeBytes(bucketKey(60)));
  for (const n of [1, 47, 49, 60]) throwsCode(t, () => decodeEnvelopeBytes(ssec(n)), 'EnvelopeMalformed', `SSE-C wrapped key of ${n} bytes`);
  for (const n of [1, 48, 59, 61, 184]) throwsCode(t, () => decodeEnvelopeBytes(bucketKey(n)), 'EnvelopeMalformed', `bucket-key wrapped key of ${n} bytes`);
  // without a bucket key the wrapped key is the keystore's, of any length in bounds
  t.notThrows(() => decodeEnvelopeBytes(Buffer.concat([head(), MODE_KMS(), KEYREF(), tlv(FIELD.wrappedKey, randomBytes(59)), MAC()])));
  // the writer never produces what the reader refuses
  throwsCode(t, () => encodeEnvelope({ mode: 'SSE-C', wrappedKey: randomBytes(47), ssecSalt: randomBytes(16), ssecCheck: randomBytes(32) }, dek), 'EnvelopeMalformed', 'encode SSE-C 47');
  throwsCode(t, () => encodeEnvelope({ ...kmsFields(), bucketKey: randomBytes(184), wrappedKey: randomBytes(59) }, dek), 'EnvelopeMalformed', 'encode bucket key 59');
});

test('a stored context with no entries ({}) is EnvelopeMalformed, and is never written (FORMAT.md §5.1)', (t) => {
  throwsCode(t, () => decodeEnvelopeBytes(Buffer.concat([head(), MODE_KMS(), KEYREF(), WRAPPED(), tlv(FIELD.context, '{}'), MAC()])), 'EnvelopeMalformed', 'stored {}');
  throwsCode(t, () => parseStoredContext('{}'), 'EnvelopeMalformed', 'parse {}');
  throwsCode(t, () => encodeEnvelope({ ...kmsFields(), context: '{}' }, dek), 'EnvelopeMalformed', 'encode {}');
  // a non-canonical context is refused by the writer as by the reader
  throwsCode(t, () => encodeEnvelope({ ...kmsFields(), context: '{"b":"1","a":"2"}' }, dek), 'EnvelopeMalformed', 'encode non-canonical');
  t.deepEqual(parseStoredContext('{"a":"b"}'), { a: 'b' });
});

test('the layout field takes 38 + 12 bytes per run, the upload nonce field 19 (FORMAT.md §5.3)', (t) => {
  const nonce = randomBytes(16);
  const base = encodeEnvelopeBytes({ ...kmsFields(), uploadNonce: nonce }, dek);
  t.is(base.length - encodeEnvelopeBytes(kmsFields(), dek).length, 19);
  for (const runs of [1, 2, 64]) {
    const parts = Array.from({ length: runs }, (_, i) => ({ partNumber: i + 1, plaintextLength: i % 2 === 0 ? 100 : 200, salt: randomBytes(16) }));
    const withLayout = encodeEnvelopeBytes({ ...kmsFields(), uploadNonce: nonce, layout: encodeLayout(buildLayout(nonce, parts)) }, dek);
    t.is(withLayout.length - base.length, 38 + 12 * runs, `${runs} runs`);
  }
});
