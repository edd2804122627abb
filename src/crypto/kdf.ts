import { hkdfSync, timingSafeEqual } from 'node:crypto';
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

/** HKDF-SHA-256 (RFC 5869) from node:crypto. An empty salt means HashLen zero bytes, per the RFC. */
export function hkdf(
  ikm: Uint8Array,
  salt: Uint8Array,
  id: SuiteId,
  label: Label,
  extra?: Uint8Array,
  length = KEY_SIZE,
): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info(id, label, extra), length));
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
