import { CHUNK_SIZE } from '../crypto/constants.js';
import { sealChunk } from '../crypto/chunk-cipher.js';
import { wipe } from '../crypto/kdf.js';
import { SealError } from '../errors.js';
import { FramedTransform, type BeforeFinal } from './framed-transform.js';
import { chunkCount } from './size-math.js';

/** what sealing a body of another length than it declared fails with, streamed or in memory */
export function bodyLengthMismatch(body: 'shorter' | 'longer'): SealError {
  return new SealError('PartLengthMismatch', `body is ${body} than its declared length`);
}

/**
 * Encrypts one segment (FORMAT.md §4, §7.2): its header, then 64 KiB STREAM chunks, each sealed
 * synchronously from the frame FramedTransform hands over, so no input buffer is kept.
 *
 * With a declared plaintext length (S3 always has one: Content-Length) the final chunk is known by
 * its number, and FramedTransform hands it over only once the input has ended at exactly that
 * length: an over-long or short body fails with PartLengthMismatch and its final chunk is never
 * emitted, so the backend never receives a complete, valid body. Without one ('open'), the end of
 * input marks the final chunk.
 *
 * `beforeFinal` (the body's checksums, see PlaintextChecksums) is awaited after the last input byte
 * and before the final chunk is sealed: if it throws, the final chunk never leaves.
 */
export abstract class SealingTransform extends FramedTransform {
  private counter = 0;
  private readonly chunks: number | undefined;

  constructor(
    private readonly contentKey: Buffer,
    private readonly header: Buffer,
    private readonly plaintextLength: number | undefined,
    hwm?: number,
    beforeFinal?: BeforeFinal,
  ) {
    // release window 0: ciphertext needs no holding back, only the final chunk's input does
    super(0, hwm, plaintextLength ?? 'open', beforeFinal);
    this.chunks = plaintextLength === undefined ? undefined : chunkCount(plaintextLength);
    this.push(header);
  }

  protected nextFrame(): number | undefined {
    if (this.chunks === undefined || this.plaintextLength === undefined) return CHUNK_SIZE;
    if (this.counter >= this.chunks) return undefined;
    if (this.counter < this.chunks - 1) return CHUNK_SIZE;
    return this.plaintextLength - CHUNK_SIZE * (this.chunks - 1);
  }

  protected onFrame(frame: Buffer, last: boolean): void {
    const final = this.chunks === undefined ? last : this.counter === this.chunks - 1;
    const [ct, tag] = sealChunk(this.contentKey, this.counter++, final, this.header, frame);
    this.out.write(ct);
    this.out.write(tag);
  }

  protected override truncated(): SealError {
    return bodyLengthMismatch('shorter');
  }

  protected override trailing(): SealError {
    return bodyLengthMismatch('longer');
  }

  protected wipeKeys(): void {
    wipe(this.contentKey);
  }
}
