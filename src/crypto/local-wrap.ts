import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KEY_SIZE, NONCE_SIZE, TAG_SIZE, type Label } from './constants.js';
import { hkdf, V1, wipe, type SuiteId } from './kdf.js';
import { SealError } from '../errors.js';

/**
 * Local AES-256-GCM key wrap used by bucket-key mode (FORMAT.md §9) and by the file keystore
 * (FORMAT.md §10): wrapped = nonce(12) ‖ E(DEK) (32) ‖ tag(16) under HKDF(kek, "", label, extra),
 * with AAD = version ‖ suite ‖ `binding`. Version and suite are in the AAD as well as in the HKDF
 * info because FORMAT.md §2 (and DESIGN.md) put them in every AAD. Each call draws a fresh random
 * nonce (the wrap key is the same for every object under one kek, so the nonce must never repeat).
 */
export function localWrap(kek: Uint8Array, label: Label, extra: Buffer, binding: Buffer, dek: Uint8Array, id: SuiteId = V1, nonce: Buffer = randomBytes(NONCE_SIZE)): Buffer {
  const key = hkdf(kek, Buffer.alloc(0), id, label, extra);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(localWrapAad(id, binding));
  const out = Buffer.concat([nonce, c.update(dek), c.final(), c.getAuthTag()]);
  wipe(key);
  return out;
}

export const LOCAL_WRAP_SIZE = NONCE_SIZE + KEY_SIZE + TAG_SIZE;

/** AAD of a local wrap (FORMAT.md §9): version ‖ suite ‖ what the wrap binds (an lp() string). */
export function localWrapAad(id: SuiteId, binding: Buffer): Buffer {
  return Buffer.concat([Buffer.from([id.version, id.suite]), binding]);
}

export function localUnwrap(kek: Uint8Array, label: Label, extra: Buffer, binding: Buffer, wrapped: Buffer, id: SuiteId = V1): Buffer {
  if (wrapped.length !== LOCAL_WRAP_SIZE) throw new SealError('EnvelopeMalformed', 'wrapped key has the wrong length');
  const key = hkdf(kek, Buffer.alloc(0), id, label, extra);
  const d = createDecipheriv('aes-256-gcm', key, wrapped.subarray(0, NONCE_SIZE), { authTagLength: TAG_SIZE });
  d.setAAD(localWrapAad(id, binding));
  d.setAuthTag(wrapped.subarray(NONCE_SIZE + KEY_SIZE));
  const dek = d.update(wrapped.subarray(NONCE_SIZE, NONCE_SIZE + KEY_SIZE));
  try {
    d.final();
  } catch {
    wipe(dek);
    throw new SealError('EnvelopeAuthFailed', 'wrapped key failed authentication (wrong key or context)');
  } finally {
    wipe(key);
  }
  return dek;
}
