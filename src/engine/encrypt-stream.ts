import { Transform, type TransformCallback } from 'node:stream';
import { CHUNK_SIZE } from '../crypto/constants.js';
import { encodeBodyHeader } from '../crypto/body-header.js';
import { sealChunk } from '../crypto/chunk-cipher.js';
import { V1, wipe, type SuiteId } from '../crypto/kdf.js';
import { deriveSegmentKeys } from '../crypto/segment-keys.js';

export interface EncryptStreamOptions {
  id?: SuiteId;
  highWaterMark?: number;
}

/**
 * Single-part body encryption (FORMAT.md §4): header, then 64 KiB STREAM chunks. A full chunk is
 * sealed only once the next input byte (or the end) shows whether it is the final one, so at most
 * two chunks of plaintext are buffered whatever the object size.
 */
export class EncryptStream extends Transform {
  private readonly contentKey: Buffer;
  private readonly header: Buffer;
  private counter = 0;
  /** a complete chunk not yet sealed (we do not know yet whether it is final) */
  private pending: Buffer | undefined;
  private acc: Buffer = Buffer.allocUnsafe(CHUNK_SIZE);
  private accLen = 0;

  constructor(dek: Uint8Array, opts: EncryptStreamOptions = {}) {
    const hwm = opts.highWaterMark ?? 256 * 1024;
    super({ readableHighWaterMark: hwm, writableHighWaterMark: hwm });
    const id = opts.id ?? V1;
    const keys = deriveSegmentKeys(dek, id);
    this.contentKey = keys.contentKey;
    this.header = encodeBodyHeader(id, keys.commitment);
    this.push(this.header);
  }

  private seal(plain: Buffer, final: boolean): void {
    const [ct, tag] = sealChunk(this.contentKey, this.counter++, final, this.header, plain);
    this.push(ct);
    this.push(tag);
  }

  private takeFull(chunk: Buffer): void {
    if (this.pending) {
      this.seal(this.pending, false);
      this.pending = undefined;
    }
    this.pending = chunk;
  }

  override _transform(data: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let off = 0;
    // finish a partly filled accumulator first
    if (this.accLen > 0) {
      const n = Math.min(CHUNK_SIZE - this.accLen, data.length);
      data.copy(this.acc, this.accLen, 0, n);
      this.accLen += n;
      off = n;
      if (this.accLen === CHUNK_SIZE) {
        this.takeFull(this.acc);
        this.acc = Buffer.allocUnsafe(CHUNK_SIZE);
        this.accLen = 0;
      }
    }
    // whole chunks straight from the input, without copying
    while (data.length - off >= CHUNK_SIZE) {
      this.takeFull(data.subarray(off, off + CHUNK_SIZE));
      off += CHUNK_SIZE;
    }
    if (off < data.length) {
      if (this.pending) {
        this.seal(this.pending, false);
        this.pending = undefined;
      }
      data.copy(this.acc, 0, off);
      this.accLen = data.length - off;
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.accLen > 0) {
      if (this.pending) this.seal(this.pending, false);
      this.seal(this.acc.subarray(0, this.accLen), true);
    } else if (this.pending) {
      this.seal(this.pending, true);
    } else {
      // empty plaintext: one final empty chunk (a 0-byte body is never valid)
      this.seal(Buffer.alloc(0), true);
    }
    this.pending = undefined;
    wipe(this.contentKey, this.acc);
    cb();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    wipe(this.contentKey, this.acc);
    cb(err);
  }
}
