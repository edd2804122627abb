import { createHmac } from 'node:crypto';
import {
  ENVELOPE_MAX_DECODED,
  KEY_SIZE,
  TAG_SIZE,
  ENVELOPE_MAX_ENCODED,
  FIELD,
  FIELD_LENGTH,
  FORMAT_VERSION,
  LABEL,
  MODE_BYTE,
  SUITE_AES256GCM_HKDF_SHA256,
  UNMACED_FIELDS,
  type FieldTag,
} from './constants.js';
import { Reader, fromB64uStrict, toB64u, u16 } from './bytes.js';
import { equalSecret, hkdf, V1, wipe, type SuiteId } from './kdf.js';
import { SealError } from '../errors.js';
import { parseStoredContext } from './encryption-context.js';
import { LOCAL_WRAP_SIZE } from './local-wrap.js';

export type SseMode = keyof typeof MODE_BYTE;

/** What a writer puts into an envelope (FORMAT.md §5). Presence rules per mode are in §5.1. */
export interface EnvelopeFields {
  mode: SseMode;
  /** resolved key id (SSE-S3: the managed root key; SSE-KMS: the KMS key); absent for SSE-C */
  keyRef?: string;
  /** the DEK wrapped by the keystore, by the bucket key, or under the SSE-C wrap key */
  wrappedKey: Buffer;
  /** bucket-key mode: the bucket key as wrapped by the keystore */
  bucketKey?: Buffer;
  /** SSE-KMS: the caller's encryption context as RFC 8785 canonical JSON (derived entries excluded) */
  context?: string;
  ssecSalt?: Buffer;
  ssecCheck?: Buffer;
  /** multipart objects: the s3seal upload nonce U */
  uploadNonce?: Buffer;
  /** multipart objects after Complete: the encoded committed layout (FORMAT.md §7.3) */
  layout?: Buffer;
  /** the caller's verified plaintext checksums, sealed under the DEK (FORMAT.md §5.7; sealed-checksums.ts) */
  sealedChecksums?: Buffer;
}

export interface Envelope extends EnvelopeFields, SuiteId {
  mac: Buffer;
}

export interface DecodeOptions {
  /** lowest format version this reader accepts (DESIGN.md: readers refuse versions below it) */
  minVersion?: number;
}

const malformed = (msg: string): SealError => new SealError('EnvelopeMalformed', `envelope: ${msg}`);

function tlv(tag: number, value: Buffer): Buffer {
  const [min, max] = FIELD_LENGTH[tag as FieldTag];
  if (value.length < min || value.length > max) throw new SealError('MetadataTooLarge', `envelope field 0x${tag.toString(16)} has length ${value.length}, allowed ${min}..${max}`);
  return Buffer.concat([Buffer.from([tag]), u16(value.length), value]);
}

function fieldList(f: EnvelopeFields): [number, Buffer][] {
  const out: [number, Buffer][] = [[FIELD.mode, Buffer.from([MODE_BYTE[f.mode]])]];
  if (f.keyRef !== undefined) out.push([FIELD.keyRef, Buffer.from(f.keyRef, 'utf8')]);
  out.push([FIELD.wrappedKey, f.wrappedKey]);
  if (f.bucketKey) out.push([FIELD.bucketKey, f.bucketKey]);
  if (f.context !== undefined) out.push([FIELD.context, Buffer.from(f.context, 'utf8')]);
  if (f.ssecSalt) out.push([FIELD.ssecSalt, f.ssecSalt]);
  if (f.ssecCheck) out.push([FIELD.ssecCheck, f.ssecCheck]);
  if (f.uploadNonce) out.push([FIELD.uploadNonce, f.uploadNonce]);
  if (f.layout) out.push([FIELD.layout, f.layout]);
  if (f.sealedChecksums) out.push([FIELD.sealedChecksums, f.sealedChecksums]);
  return out;
}

function checkPresence(f: EnvelopeFields): void {
  const has = (v: unknown): boolean => v !== undefined;
  if (f.mode === 'SSE-C') {
    if (has(f.keyRef) || has(f.bucketKey) || has(f.context)) throw malformed('SSE-C envelope carries a KMS field');
    if (!has(f.ssecSalt) || !has(f.ssecCheck)) throw malformed('SSE-C envelope lacks salt or check value');
  } else {
    if (!has(f.keyRef)) throw malformed(`${f.mode} envelope lacks a key id`);
    if (has(f.ssecSalt) || has(f.ssecCheck)) throw malformed(`${f.mode} envelope carries SSE-C fields`);
    if (f.mode === 'SSE-S3' && has(f.context)) throw malformed('SSE-S3 envelope carries an encryption context');
  }
  if (has(f.layout) && !has(f.uploadNonce)) throw malformed('layout without upload nonce');
}

/** FORMAT.md §8: the SSE-C wrap is GCM of the 32-byte DEK under a zero nonce (no nonce stored). */
export const SSEC_WRAPPED_SIZE = KEY_SIZE + TAG_SIZE;

/**
 * Lengths of the wraps s3seal makes itself (FORMAT.md §5.6): an SSE-C wrapped key is 48 bytes, a
 * bucket-key-mode wrapped key 60. Checked while decoding — before the SSE-C check value is
 * compared and before any keystore is asked for the bucket key — so a malformed envelope costs no
 * KMS call and gets the same answer whatever customer key is offered.
 */
function checkWrapLengths(f: EnvelopeFields): void {
  if (f.mode === 'SSE-C' && f.wrappedKey.length !== SSEC_WRAPPED_SIZE) throw malformed(`SSE-C wrapped key is ${f.wrappedKey.length} bytes, not ${SSEC_WRAPPED_SIZE}`);
  if (f.bucketKey && f.wrappedKey.length !== LOCAL_WRAP_SIZE) throw malformed(`bucket-key wrapped key is ${f.wrappedKey.length} bytes, not ${LOCAL_WRAP_SIZE}`);
}

/** MAC key = HKDF(DEK, "", info("envelope mac")) (FORMAT.md §5.4). */
function macOf(id: SuiteId, fields: [number, Buffer][], dek: Uint8Array): Buffer {
  const key = hkdf(dek, Buffer.alloc(0), id, LABEL.envelopeMac);
  const h = createHmac('sha256', key);
  h.update(Buffer.from([id.version, id.suite]));
  for (const [tag, value] of fields) {
    if (!UNMACED_FIELDS.has(tag)) h.update(Buffer.concat([Buffer.from([tag]), u16(value.length), value]));
  }
  wipe(key);
  return h.digest();
}

/** Binary envelope: version ‖ suite ‖ TLV fields in ascending tag order ‖ MAC field (FORMAT.md §5.1). */
export function encodeEnvelopeBytes(f: EnvelopeFields, dek: Uint8Array, id: SuiteId = V1): Buffer {
  checkPresence(f);
  const fields = fieldList(f);
  const mac = macOf(id, fields, dek);
  const bytes = Buffer.concat([Buffer.from([id.version, id.suite]), ...fields.map(([t, v]) => tlv(t, v)), tlv(FIELD.mac, mac)]);
  if (bytes.length > ENVELOPE_MAX_DECODED) throw new SealError('MetadataTooLarge', `envelope is ${bytes.length} bytes, limit ${ENVELOPE_MAX_DECODED}`);
  // nothing a reader refuses is ever written
  checkWrapLengths(f);
  if (f.context !== undefined) parseStoredContext(f.context);
  return bytes;
}

/** The envelope as stored in user metadata `x-amz-meta-s3seal`: base64url without padding (FORMAT.md §5.2). */
export function encodeEnvelope(f: EnvelopeFields, dek: Uint8Array, id: SuiteId = V1): string {
  return toB64u(encodeEnvelopeBytes(f, dek, id));
}

const MODE_BY_BYTE = new Map<number, SseMode>(Object.entries(MODE_BYTE).map(([k, v]) => [v, k as SseMode]));

/**
 * Strict structural decode (FORMAT.md §5.6). Lengths are bounded before anything is allocated;
 * unknown, duplicated, out-of-order or out-of-bounds fields, and versions below `minVersion`, are
 * refused. The MAC is NOT checked here (that needs the DEK): call verifyEnvelope before trusting it.
 */
export function decodeEnvelopeBytes(bytes: Buffer, opts: DecodeOptions = {}): Envelope {
  if (bytes.length > ENVELOPE_MAX_DECODED) throw malformed(`${bytes.length} bytes exceeds ${ENVELOPE_MAX_DECODED}`);
  const r = new Reader(bytes, malformed);
  const version = r.u8();
  const suite = r.u8();
  const minVersion = opts.minVersion ?? FORMAT_VERSION;
  if (version < minVersion || version !== FORMAT_VERSION) {
    throw new SealError('UnsupportedFormatVersion', `envelope version ${version} is not accepted (minimum ${minVersion}, supported ${FORMAT_VERSION})`);
  }
  if (suite !== SUITE_AES256GCM_HKDF_SHA256) throw new SealError('UnsupportedFormatVersion', `envelope suite ${suite} is not supported`);
  const seen = new Map<number, Buffer>();
  let last = 0;
  while (r.remaining > 0) {
    const tag = r.u8();
    if (!(tag in FIELD_LENGTH)) throw malformed(`unknown field 0x${tag.toString(16)}`);
    if (tag <= last) throw malformed(seen.has(tag) ? `duplicated field 0x${tag.toString(16)}` : `field 0x${tag.toString(16)} out of order`);
    const len = r.u16();
    const [min, max] = FIELD_LENGTH[tag as FieldTag];
    if (len < min || len > max) throw malformed(`field 0x${tag.toString(16)} has length ${len}, allowed ${min}..${max}`);
    seen.set(tag, r.bytes(len));
    last = tag;
  }
  const mac = seen.get(FIELD.mac);
  if (!mac) throw malformed('missing MAC');
  const modeByte = seen.get(FIELD.mode)?.[0];
  const mode = modeByte === undefined ? undefined : MODE_BY_BYTE.get(modeByte);
  if (!mode) throw malformed(modeByte === undefined ? 'missing mode' : `unknown mode ${modeByte}`);
  const wrappedKey = seen.get(FIELD.wrappedKey);
  if (!wrappedKey) throw malformed('missing wrapped key');
  const str = (tag: number): string | undefined => {
    const b = seen.get(tag);
    if (!b) return undefined;
    const s = b.toString('utf8');
    if (!Buffer.from(s, 'utf8').equals(b)) throw malformed(`field 0x${tag.toString(16)} is not valid UTF-8`);
    return s;
  };
  const env: Envelope = {
    version,
    suite,
    mode,
    keyRef: str(FIELD.keyRef),
    wrappedKey: Buffer.from(wrappedKey),
    bucketKey: copyOpt(seen.get(FIELD.bucketKey)),
    context: str(FIELD.context),
    ssecSalt: copyOpt(seen.get(FIELD.ssecSalt)),
    ssecCheck: copyOpt(seen.get(FIELD.ssecCheck)),
    uploadNonce: copyOpt(seen.get(FIELD.uploadNonce)),
    layout: copyOpt(seen.get(FIELD.layout)),
    sealedChecksums: copyOpt(seen.get(FIELD.sealedChecksums)),
    mac: Buffer.from(mac),
  };
  for (const k of Object.keys(env) as (keyof Envelope)[]) if (env[k] === undefined) delete env[k];
  checkPresence(env);
  // FORMAT.md §5.1: a non-empty string map in RFC 8785 form, without derived entries
  if (env.context !== undefined) parseStoredContext(env.context);
  checkWrapLengths(env);
  return env;
}

function copyOpt(b: Buffer | undefined): Buffer | undefined {
  return b ? Buffer.from(b) : undefined;
}

export function decodeEnvelope(value: string, opts: DecodeOptions = {}): Envelope {
  // bound the string before decoding so a hostile value cannot make us allocate
  if (value.length > ENVELOPE_MAX_ENCODED) throw malformed(`encoded length ${value.length} exceeds ${ENVELOPE_MAX_ENCODED}`);
  const bytes = fromB64uStrict(value);
  if (!bytes) throw malformed('not canonical base64url');
  return decodeEnvelopeBytes(bytes, opts);
}

/** Check the envelope MAC under the DEK in constant time (FORMAT.md §5.4). Throws EnvelopeAuthFailed. */
export function verifyEnvelope(env: Envelope, dek: Uint8Array): void {
  const expected = macOf(env, fieldList(env), dek);
  if (!equalSecret(expected, env.mac)) throw new SealError('EnvelopeAuthFailed', 'envelope MAC does not match (tampered envelope, or body and envelope of different objects)');
}
