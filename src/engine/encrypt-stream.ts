import { encodeBodyHeader } from '../crypto/body-header.js';
import { V1, wipe, type SuiteId } from '../crypto/kdf.js';
import { deriveSegmentKeys } from '../crypto/segment-keys.js';
import { SealError } from '../errors.js';
import type { BeforeFinal } from './framed-transform.js';
import { SealingTransform } from './sealing-transform.js';

export interface EncryptStreamOptions {
  id?: SuiteId;
  highWaterMark?: number;
  /**
   * The declared plaintext length (a PUT's Content-Length): input of any other length fails with
   * PartLengthMismatch and the final chunk is never emitted. Without it, the end of input decides.
   */
  plaintextLength?: number;
  /** awaited before the final chunk is sealed; a throw fails the stream without it (FramedTransform) */
  beforeFinal?: BeforeFinal;
}

/**
 * Single-part body encryption (FORMAT.md §4): header, then 64 KiB STREAM chunks. Buffering is
 * bounded (one chunk of plaintext) whatever the object size; see SealingTransform.
 */
export class EncryptStream extends SealingTransform {
  constructor(dek: Uint8Array, opts: EncryptStreamOptions = {}) {
    const length = opts.plaintextLength;
    if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) throw new SealError('InvalidArgument', 'invalid plaintext length');
    const id = opts.id ?? V1;
    const keys = deriveSegmentKeys(dek, id);
    const header = encodeBodyHeader(id, keys.commitment);
    wipe(keys.commitment);
    super(keys.contentKey, header, length, opts.highWaterMark ?? 256 * 1024, opts.beforeFinal);
  }
}
