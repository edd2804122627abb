import { randomBytes } from 'node:crypto';
import { SALT_SIZE } from '../crypto/constants.js';
import { encodePartHeader } from '../crypto/body-header.js';
import { V1, type SuiteId } from '../crypto/kdf.js';
import { derivePartKeys } from '../crypto/part-keys.js';
import type { PartRecord } from '../crypto/layout.js';
import { SealError } from '../errors.js';
import type { BeforeFinal } from './framed-transform.js';
import type { SegmentSeal } from './seal-segment.js';
import { SealingTransform } from './sealing-transform.js';
import { MAX_PART_PLAINTEXT } from './size-math.js';

export interface PartEncryptOptions {
  id?: SuiteId;
  /** per-attempt salt; random unless a test vector fixes it */
  salt?: Buffer;
  /** awaited before the part's final chunk is sealed; a throw fails the stream without it (FramedTransform) */
  beforeFinal?: BeforeFinal;
}

function checkedLength(partNumber: number, plaintextLength: number): number {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) throw new SealError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
  if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0) throw new SealError('InvalidArgument', 'invalid part length');
  if (plaintextLength > MAX_PART_PLAINTEXT) throw new SealError('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size: a part holds at most ${MAX_PART_PLAINTEXT} bytes once encrypted`);
  return plaintextLength;
}

/**
 * Encrypts one part of a multipart upload (FORMAT.md §7.2). The plaintext length is declared up
 * front (S3 UploadPart always has a Content-Length) because it is bound into the part key; input of
 * any other length fails with PartLengthMismatch and never yields a complete part (SealingTransform
 * holds the final chunk back until the input ended at exactly that length).
 */
/**
 * One part's content key, header and record (FORMAT.md §7.2), after the same checks PartEncryptStream
 * makes: what the stream, and sealSegment for a part in memory, seal with. A fresh salt unless given.
 */
export function partSegment(dek: Uint8Array, uploadNonce: Buffer, partNumber: number, plaintextLength: number, opts: Omit<PartEncryptOptions, 'beforeFinal'> = {}): SegmentSeal & { record: PartRecord } {
  const length = checkedLength(partNumber, plaintextLength);
  const id = opts.id ?? V1;
  const record = { partNumber, plaintextLength: length, salt: opts.salt ?? randomBytes(SALT_SIZE) };
  const keys = derivePartKeys(dek, uploadNonce, partNumber, length, record.salt, id);
  return { contentKey: keys.contentKey, header: encodePartHeader(id, record, keys.commitment), record };
}

export class PartEncryptStream extends SealingTransform {
  readonly record: PartRecord;

  constructor(dek: Uint8Array, uploadNonce: Buffer, partNumber: number, plaintextLength: number, opts: PartEncryptOptions = {}) {
    const seg = partSegment(dek, uploadNonce, partNumber, plaintextLength, opts);
    super(seg.contentKey, seg.header, seg.record.plaintextLength, undefined, opts.beforeFinal);
    this.record = seg.record;
  }
}
