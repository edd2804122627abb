import { createCipheriv, createDecipheriv } from 'node:crypto';
import { NONCE_SIZE, TAG_SIZE } from './constants.js';
import { SealError } from '../errors.js';

/**
 * STREAM nonce (FORMAT.md §4.2): 3 zero bytes ‖ chunk counter u64 BE ‖ final flag (0x01 on the last
 * chunk of a segment, else 0x00). Every segment has its own content key, so counters restart at 0.
 */
export function chunkNonce(counter: number, final: boolean, out: Buffer = Buffer.alloc(NONCE_SIZE)): Buffer {
  out.fill(0, 0, 3);
  out.writeBigUInt64BE(BigInt(counter), 3);
  out[11] = final ? 1 : 0;
  return out;
}

/** Encrypt one chunk; returns [ciphertext, tag] so callers can push both without a copy. */
export function sealChunk(key: Buffer, counter: number, final: boolean, aad: Buffer, plaintext: Buffer): [Buffer, Buffer] {
  const c = createCipheriv('aes-256-gcm', key, chunkNonce(counter, final));
  c.setAAD(aad);
  const ct = c.update(plaintext);
  c.final();
  return [ct, c.getAuthTag()];
}

/** Decrypt and authenticate one chunk (ciphertext ‖ tag). Throws BodyAuthFailed on any mismatch. */
export function openChunk(key: Buffer, counter: number, final: boolean, aad: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < TAG_SIZE) throw new SealError('BodyTruncated', `chunk ${counter} shorter than its tag`);
  const d = createDecipheriv('aes-256-gcm', key, chunkNonce(counter, final), { authTagLength: TAG_SIZE });
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
  const pt = d.update(sealed.subarray(0, sealed.length - TAG_SIZE));
  try {
    d.final();
  } catch {
    throw new SealError('BodyAuthFailed', `chunk ${counter}${final ? ' (final)' : ''} failed authentication`);
  }
  return pt;
}
