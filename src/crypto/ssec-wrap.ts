import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KEY_SIZE, LABEL, NONCE_SIZE, SALT_SIZE, TAG_SIZE } from './constants.js';
import { equalSecret, hkdf, V1, wipe, type SuiteId } from './kdf.js';
import { objectBinding, type ObjectId } from './object-id.js';
import { SealError } from '../errors.js';

export interface SsecWrapped {
  salt: Buffer;
  check: Buffer;
  wrappedKey: Buffer;
}

function derive(k: Uint8Array, salt: Uint8Array, id: SuiteId, o: ObjectId): { wrapKey: Buffer; check: Buffer } {
  if (k.length !== KEY_SIZE) throw new SealError('InvalidArgument', 'The SSE-C key must be exactly 256 bits');
  const binding = objectBinding(o);
  return {
    wrapKey: hkdf(k, salt, id, LABEL.ssecWrap, binding),
    check: hkdf(k, salt, id, LABEL.ssecCheck, binding),
  };
}

/**
 * FORMAT.md §8: wrap the DEK under HKDF(K, salt, "sse-c wrap", lp(bucket) ‖ lp(key)) with a zero
 * nonce — the wrap key is single-use because every write draws a fresh salt — and store a check value
 * HKDF(K, salt, "sse-c check", …) so a wrong key is refused before any unwrap or body byte.
 */
export function ssecWrap(k: Uint8Array, dek: Uint8Array, o: ObjectId, id: SuiteId = V1, salt: Buffer = randomBytes(SALT_SIZE)): SsecWrapped {
  const { wrapKey, check } = derive(k, salt, id, o);
  const c = createCipheriv('aes-256-gcm', wrapKey, Buffer.alloc(NONCE_SIZE));
  c.setAAD(Buffer.from([id.version, id.suite]));
  const wrappedKey = Buffer.concat([c.update(dek), c.final(), c.getAuthTag()]);
  wipe(wrapKey);
  return { salt, check, wrappedKey };
}

/** Check the key first (constant time, 403 AccessDenied on mismatch), then unwrap. */
export function ssecUnwrap(k: Uint8Array, w: SsecWrapped, o: ObjectId, id: SuiteId = V1): Buffer {
  const { wrapKey, check } = derive(k, w.salt, id, o);
  try {
    if (!equalSecret(check, w.check)) {
      throw new SealError('AccessDenied', 'The SSE-C key provided does not match the key the object was stored with');
    }
    if (w.wrappedKey.length !== KEY_SIZE + TAG_SIZE) throw new SealError('EnvelopeMalformed', 'SSE-C wrapped key has the wrong length');
    const d = createDecipheriv('aes-256-gcm', wrapKey, Buffer.alloc(NONCE_SIZE), { authTagLength: TAG_SIZE });
    d.setAAD(Buffer.from([id.version, id.suite]));
    d.setAuthTag(w.wrappedKey.subarray(KEY_SIZE));
    const dek = d.update(w.wrappedKey.subarray(0, KEY_SIZE));
    try {
      d.final();
    } catch {
      wipe(dek);
      throw new SealError('EnvelopeAuthFailed', 'SSE-C wrapped key failed authentication');
    }
    return dek;
  } finally {
    wipe(wrapKey);
  }
}
