import { LABEL } from './constants.js';
import { u16, u64 } from './bytes.js';
import { hkdf, type SuiteId } from './kdf.js';
import { deriveSegmentKeys, type SegmentKeys } from './segment-keys.js';
import { wipe } from './kdf.js';

/**
 * Part key material PKM = HKDF(DEK, salt = part salt, info("part key", U ‖ u16 part number ‖ u64
 * plaintext length)) (FORMAT.md §7.2). Binding U, the part number and the length into the key means
 * a part cannot be moved to another upload or position, or re-labelled, without failing its tags;
 * the fresh salt per attempt means a re-uploaded part never reuses a (key, nonce) pair.
 */
export function derivePartKeys(dek: Uint8Array, uploadNonce: Buffer, partNumber: number, plaintextLength: number, salt: Buffer, id: SuiteId): SegmentKeys {
  const pkm = hkdf(dek, salt, id, LABEL.partKey, Buffer.concat([uploadNonce, u16(partNumber), u64(plaintextLength)]));
  const keys = deriveSegmentKeys(pkm, id);
  wipe(pkm);
  return keys;
}
