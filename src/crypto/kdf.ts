import { createHmac, timingSafeEqual } from 'node:crypto';
import { FORMAT_VERSION, KEY_SIZE, SUITE_AES256GCM_HKDF_SHA256, type Label } from './constants.js';

export interface SuiteId {
  version: number;
  suite: number;
}

export const V1: SuiteId = { version: FORMAT_VERSION, suite: SUITE_AES256GCM_HKDF_SHA256 };

/**
 * info(label, extra) = "s3seal" ‖ 0x00 ‖ version ‖ suite ‖ label ‖ 0x00 ‖ extra (FORMAT.md §3).
 * Version and suite are in every info so a body or envelope relabelled with another version
 * derives different keys (no downgrade by editing a byte).
 */
export function info(id: SuiteId, label: Label, extra: Uint8Array = Buffer.alloc(0)): Buffer {
  return Buffer.concat([
    Buffer.from('s3seal\0', 'ascii'),
    Buffer.from([id.version, id.suite]),
    Buffer.from(label, 'ascii'),
    Buffer.from([0]),
    extra,
  ]);
}

const HASH_LEN = 32;
const ZERO_SALT = Buffer.alloc(HASH_LEN);

/**
 * HKDF-SHA-256 (RFC 5869), extract then expand, over node:crypto's HMAC. An empty salt means
 * HashLen zero bytes, per the RFC. Written out instead of `hkdfSync` because that costs ~24 µs a
 * call here against ~5 µs for the two HMACs, and every read and write derives several keys (the
 * RFC 5869 test vectors in test/unit/hkdf.test.ts and the format vectors pin the output).
 */
export function hkdf(
  ikm: Uint8Array,
  salt: Uint8Array,
  id: SuiteId,
  label: Label,
  extra?: Uint8Array,
  length = KEY_SIZE,
): Buffer {
  return hkdfSha256(ikm, salt, info(id, label, extra), length);
}

/**
 * RFC 5869 HKDF-SHA-256 of `length` bytes (at most 255 blocks); the pseudorandom key is wiped after
 * use. A 32-byte output (every key s3seal derives) is the expand HMAC's own digest, not a copy, so
 * there is exactly one buffer to wipe.
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, infoBytes: Uint8Array, length: number): Buffer {
  if (!Number.isSafeInteger(length) || length < 1 || length > 255 * HASH_LEN) throw new RangeError('HKDF-SHA-256 output length out of range');
  const prk = createHmac('sha256', salt.length === 0 ? ZERO_SALT : salt).update(ikm).digest();
  try {
    const blocks: Buffer[] = [];
    let t: Buffer | undefined;
    for (let i = 0; i * HASH_LEN < length; i++) {
      const h = createHmac('sha256', prk);
      if (t) h.update(t);
      t = h.update(infoBytes).update(Buffer.of(i + 1)).digest();
      blocks.push(t);
    }
    if (blocks.length === 1 && length === HASH_LEN) return blocks[0]!;
    const all = Buffer.concat(blocks);
    const out = Buffer.from(all.subarray(0, length));
    for (const b of [all, ...blocks]) b.fill(0);
    return out;
  } finally {
    prk.fill(0);
  }
}

/** Constant-time equality for secrets and MACs; unequal lengths compare false without early exit on content. */
export function equalSecret(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** Overwrite key material once it is no longer needed (DESIGN.md: key buffers are zeroed after use). */
export function wipe(...bufs: (Uint8Array | undefined)[]): void {
  for (const b of bufs) b?.fill(0);
}
