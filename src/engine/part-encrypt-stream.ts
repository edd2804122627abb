import { randomBytes } from 'node:crypto';
import { CHUNK_SIZE, SALT_SIZE } from '../crypto/constants.js';
import { encodePartHeader } from '../crypto/body-header.js';
import { sealChunk } from '../crypto/chunk-cipher.js';
import { V1, wipe, type SuiteId } from '../crypto/kdf.js';
import { derivePartKeys } from '../crypto/part-keys.js';
import type { PartRecord } from '../crypto/layout.js';
import { SealError } from '../errors.js';
import { FramedTransform } from './framed-transform.js';
import { chunkCount, MAX_PART_PLAINTEXT } from './size-math.js';

export interface PartEncryptOptions {
  id?: SuiteId;
  /** per-attempt salt; random unless a test vector fixes it */
  salt?: Buffer;
}

/**
 * Encrypts one part of a multipart upload (FORMAT.md §7.2). The plaintext length is declared up
 * front (S3 UploadPart always has a Content-Length) because it is bound into the part key; input of
 * any other length fails with PartLengthMismatch and never yields a complete part.
 */
export class PartEncryptStream extends FramedTransform {
  readonly record: PartRecord;
  private readonly contentKey: Buffer;
  private readonly header: Buffer;
  private readonly chunks: number;
  private counter = 0;

  constructor(dek: Uint8Array, uploadNonce: Buffer, partNumber: number, plaintextLength: number, opts: PartEncryptOptions = {}) {
    super(0);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) throw new SealError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
    if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0) throw new SealError('InvalidArgument', 'invalid part length');
    if (plaintextLength > MAX_PART_PLAINTEXT) throw new SealError('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size: a part holds at most ${MAX_PART_PLAINTEXT} bytes once encrypted`);
    const id = opts.id ?? V1;
    const salt = opts.salt ?? randomBytes(SALT_SIZE);
    this.record = { partNumber, plaintextLength, salt };
    const keys = derivePartKeys(dek, uploadNonce, partNumber, plaintextLength, salt, id);
    this.contentKey = keys.contentKey;
    this.header = encodePartHeader(id, this.record, keys.commitment);
    this.chunks = chunkCount(plaintextLength);
    this.push(this.header);
  }

  protected nextFrame(): number | undefined {
    if (this.counter >= this.chunks) return undefined;
    if (this.counter < this.chunks - 1) return CHUNK_SIZE;
    return this.record.plaintextLength - CHUNK_SIZE * (this.chunks - 1);
  }

  protected onFrame(frame: Buffer): void {
    const final = this.counter === this.chunks - 1;
    const [ct, tag] = sealChunk(this.contentKey, this.counter++, final, this.header, frame);
    this.out.write(ct);
    this.out.write(tag);
  }

  protected override truncated(): SealError {
    return new SealError('PartLengthMismatch', 'part body is shorter than its declared length');
  }

  protected override trailing(): SealError {
    return new SealError('PartLengthMismatch', 'part body is longer than its declared length');
  }

  protected wipeKeys(): void {
    wipe(this.contentKey);
  }
}
