import { encodeBodyHeader } from '../crypto/body-header.js';
import { V1, wipe, type SuiteId } from '../crypto/kdf.js';
import { deriveSegmentKeys } from '../crypto/segment-keys.js';
import { SealError } from '../errors.js';
import type { BeforeFinal } from './framed-transform.js';
import type { SegmentSeal } from './seal-segment.js';
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

/** A single-part body's content key and header (FORMAT.md §4): what EncryptStream, and sealSegment for a body in memory, seal with. */
export function singlePartSegment(dek: Uint8Array, id: SuiteId = V1): SegmentSeal {
  const keys = deriveSegmentKeys(dek, id);
  const header = encodeBodyHeader(id, keys.commitment);
  wipe(keys.commitment);
  return { contentKey: keys.contentKey, header };
}

/**
 * Single-part body encryption (FORMAT.md §4): header, then 64 KiB STREAM chunks. Buffering is
 * bounded (one chunk of plaintext) whatever the object size; see SealingTransform.
 */
export class EncryptStream extends SealingTransform {
  constructor(dek: Uint8Array, opts: EncryptStreamOptions = {}) {
    const length = opts.plaintextLength;
    if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) throw new SealError('InvalidArgument', 'invalid plaintext length');
    const seg = singlePartSegment(dek, opts.id ?? V1);
    super(seg.contentKey, seg.header, length, opts.highWaterMark ?? 256 * 1024, opts.beforeFinal);
  }
}
