import { CHUNK_SIZE, TAG_SIZE } from '../crypto/constants.js';
import { openChunk } from '../crypto/chunk-cipher.js';
import { wipe } from '../crypto/kdf.js';
import { FramedTransform } from './framed-transform.js';
import type { ChunkSpan } from './size-math.js';

/**
 * Decrypts exactly the chunks of a ChunkSpan (FORMAT.md §6.1) and emits the requested plaintext
 * bytes. The AAD is the header the segment must have (rebuilt from the verified envelope and the
 * DEK), so a ranged read needs no extra request for the stored header: a chunk that verifies
 * against it is authentic.
 */
export class RangeDecryptStream extends FramedTransform {
  private counter: number;
  private skip: number;
  private left: number;

  constructor(
    private readonly contentKey: Buffer,
    private readonly aad: Buffer,
    private readonly span: ChunkSpan,
    releaseWindow?: number,
  ) {
    super(releaseWindow);
    this.counter = span.firstChunk;
    this.skip = span.skip;
    this.left = span.take;
  }

  protected nextFrame(): number | undefined {
    if (this.counter > this.span.lastChunk) return undefined;
    const full = CHUNK_SIZE + TAG_SIZE;
    if (this.counter === this.span.lastChunk) {
      return this.span.cipherEnd + 1 - (this.span.cipherStart + (this.counter - this.span.firstChunk) * full);
    }
    return full;
  }

  protected onFrame(frame: Buffer): void {
    const final = this.counter === this.span.totalChunks - 1;
    const pt = openChunk(this.contentKey, this.counter++, final, this.aad, frame);
    const piece = pt.subarray(this.skip, this.skip + Math.min(this.left, pt.length - this.skip));
    this.skip = 0;
    this.left -= piece.length;
    this.out.write(piece);
  }

  protected wipeKeys(): void {
    wipe(this.contentKey);
  }
}
