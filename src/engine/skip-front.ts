import { Transform, type TransformCallback } from 'node:stream';

/**
 * Drops the first `n` bytes of a stream: a suffix range of a single-part object is fetched with a
 * few ciphertext bytes more than its chunks need (the chunk boundaries depend on the length the
 * answer reveals), and those bytes are passed over, never decrypted or released.
 */
export class SkipFront extends Transform {
  constructor(private left: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.left >= chunk.length) {
      this.left -= chunk.length;
      cb();
      return;
    }
    const rest = this.left > 0 ? chunk.subarray(this.left) : chunk;
    this.left = 0;
    cb(null, rest);
  }
}
