import { createCipheriv, createDecipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BODY_HEADER_SIZE, CHUNK_SIZE, TAG_SIZE } from '../../src/crypto/constants.js';

/**
 * The "raw" baselines of the crypto benchmark: what the s3seal v1 body costs in plain node:crypto,
 * with none of the engine's structure (no look-ahead, no held output, no header checks).
 */

const FULL = CHUNK_SIZE + TAG_SIZE;

/** nonce = 3 zero bytes ‖ u64 BE counter ‖ final flag (FORMAT.md §4.2), built the cheap way */
function rawNonce(counter: number, final: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeUInt32BE(Math.floor(counter / 2 ** 32), 3);
  n.writeUInt32BE(counter >>> 0, 7);
  n[11] = final ? 1 : 0;
  return n;
}

/**
 * Baseline "raw" encryption: the minimum the format needs, with no framing logic. One cipher per
 * 64 KiB chunk (createCipheriv, setAAD, update, final, getAuthTag), output pushed through a Transform
 * with the engine's highWaterMark. It knows the total length up front (so it needs no look-ahead to
 * set the final flag) and expects input pieces that are multiples of 64 KiB (except the last), which
 * the source guarantees. Its output is byte-identical to EncryptStream's (checked in selfCheck).
 */
export class RawEncrypt extends Transform {
  private counter = 0;
  private readonly lastChunk: number;
  constructor(
    private readonly key: Buffer,
    private readonly header: Buffer,
    total: number,
  ) {
    super({ readableHighWaterMark: 256 * 1024, writableHighWaterMark: 256 * 1024 });
    this.lastChunk = Math.max(0, Math.ceil(total / CHUNK_SIZE) - 1);
    this.push(header);
  }
  override _transform(data: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    for (let off = 0; off < data.length; off += CHUNK_SIZE) {
      const i = this.counter++;
      const c = createCipheriv('aes-256-gcm', this.key, rawNonce(i, i === this.lastChunk));
      c.setAAD(this.header);
      this.push(c.update(data.subarray(off, off + CHUNK_SIZE)));
      c.final();
      this.push(c.getAuthTag());
    }
    cb();
  }
}

/**
 * Baseline "raw" decryption: one decipher per sealed chunk, with only the framing the input needs
 * (body pieces do not line up with 65,552-byte sealed chunks: whole chunks are used in place, a
 * split one is gathered into one buffer). Knows the total length (no look-ahead for the final flag),
 * skips the header without checking the commitment, releases plaintext at once (no held window).
 */
export class RawDecrypt extends Transform {
  private counter = 0;
  private readonly lastChunk: number;
  private skip = BODY_HEADER_SIZE;
  private acc = Buffer.allocUnsafe(FULL);
  private accLen = 0;
  constructor(
    private readonly key: Buffer,
    private readonly header: Buffer,
    bodyLength: number,
  ) {
    super({ readableHighWaterMark: 256 * 1024, writableHighWaterMark: 256 * 1024 });
    this.lastChunk = Math.ceil((bodyLength - BODY_HEADER_SIZE) / FULL) - 1;
  }
  private open(sealed: Buffer): void {
    const i = this.counter++;
    const d = createDecipheriv('aes-256-gcm', this.key, rawNonce(i, i === this.lastChunk), { authTagLength: TAG_SIZE });
    d.setAAD(this.header);
    d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
    this.push(d.update(sealed.subarray(0, sealed.length - TAG_SIZE)));
    d.final();
  }
  override _transform(data: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let off = Math.min(this.skip, data.length);
    this.skip -= off;
    if (this.accLen > 0) {
      const n = Math.min(FULL - this.accLen, data.length - off);
      data.copy(this.acc, this.accLen, off, off + n);
      this.accLen += n;
      off += n;
      if (this.accLen === FULL) {
        this.open(this.acc);
        this.acc = Buffer.allocUnsafe(FULL);
        this.accLen = 0;
      }
    }
    while (data.length - off >= FULL) {
      this.open(data.subarray(off, off + FULL));
      off += FULL;
    }
    if (off < data.length) {
      data.copy(this.acc, 0, off);
      this.accLen = data.length - off;
    }
    cb();
  }
  override _flush(cb: TransformCallback): void {
    if (this.accLen > 0) this.open(this.acc.subarray(0, this.accLen));
    cb();
  }
}

