import { LABEL } from './constants.js';
import { hkdf, type SuiteId } from './kdf.js';

/**
 * A "segment" is a run of STREAM chunks under one key: a whole single-part body, or one part of a
 * multipart body. Its keys are derived from its segment key material (SKM): the DEK itself for a
 * single-part body, the part key material for a part (FORMAT.md §3, §7.2).
 */
export interface SegmentKeys {
  contentKey: Buffer;
  commitment: Buffer;
}

export function deriveSegmentKeys(skm: Uint8Array, id: SuiteId): SegmentKeys {
  const empty = Buffer.alloc(0);
  return {
    contentKey: hkdf(skm, empty, id, LABEL.contentKey),
    commitment: hkdf(skm, empty, id, LABEL.commitment),
  };
}
