import { Transform, type TransformCallback } from 'node:stream';
import { BODY_HEADER_SIZE, CHUNK_SIZE, TAG_SIZE } from '../crypto/constants.js';
import { encodeBodyHeader, parseBodyHeader } from '../crypto/body-header.js';
import { openChunk } from '../crypto/chunk-cipher.js';
import { equalSecret, V1, wipe, type SuiteId } from '../crypto/kdf.js';
import { deriveSegmentKeys } from '../crypto/segment-keys.js';
import { SealError } from '../errors.js';
import { DEFAULT_RELEASE_WINDOW, HeldOutput } from './held-output.js';

export interface DecryptStreamOptions {
  /** the (verified) envelope's version and suite; the body header must carry the same */
  id?: SuiteId;
  /** plaintext held back until verified (see HeldOutput); default 1 MiB */
  releaseWindow?: number;
  highWaterMark?: number;
}

const FULL = CHUNK_SIZE + TAG_SIZE;

/**
 * Single-part body decryption (FORMAT.md §4, §11). The header's version, suite and key commitment
 * are checked (constant time) before any chunk is opened. The final chunk is recognised by the end
 * of input, and its final flag is part of its nonce, so truncation at a chunk boundary, an appended
 * chunk, and reordering all fail authentication.
 */
export class DecryptStream extends Transform {
  private readonly contentKey: Buffer;
  private readonly commitment: Buffer;
  private readonly id: SuiteId;
  private header: Buffer | undefined;
  private headerAcc: Buffer[] = [];
  private headerLen = 0;
  private counter = 0;
  private pending: Buffer | undefined;
  private acc: Buffer = Buffer.allocUnsafe(FULL);
  private accLen = 0;
  private readonly out: HeldOutput;

  constructor(dek: Uint8Array, opts: DecryptStreamOptions = {}) {
    const hwm = opts.highWaterMark ?? 256 * 1024;
    super({ readableHighWaterMark: hwm, writableHighWaterMark: hwm });
    this.id = opts.id ?? V1;
    const keys = deriveSegmentKeys(dek, this.id);
    this.contentKey = keys.contentKey;
    this.commitment = keys.commitment;
    this.out = new HeldOutput(opts.releaseWindow ?? DEFAULT_RELEASE_WINDOW, (b) => this.push(b));
  }

  private checkHeader(h: Buffer): void {
    const parsed = parseBodyHeader(h);
    if (parsed.version !== this.id.version || parsed.suite !== this.id.suite) {
      throw new SealError('UnsupportedFormatVersion', `body version ${parsed.version}/suite ${parsed.suite} does not match the envelope`);
    }
    if (!equalSecret(parsed.commitment, this.commitment)) {
      throw new SealError('KeyCommitmentMismatch', 'body key commitment does not match the data key (wrong key, or body of another object)');
    }
    this.header = encodeBodyHeader(this.id, this.commitment);
  }

  private open(sealed: Buffer, final: boolean): void {
    this.out.write(openChunk(this.contentKey, this.counter++, final, this.header!, sealed));
  }

  private takeFull(chunk: Buffer): void {
    if (this.pending) this.open(this.pending, false);
    this.pending = chunk;
  }

  override _transform(data: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      let off = 0;
      if (!this.header) {
        const n = Math.min(BODY_HEADER_SIZE - this.headerLen, data.length);
        this.headerAcc.push(data.subarray(0, n));
        this.headerLen += n;
        off = n;
        if (this.headerLen < BODY_HEADER_SIZE) return cb();
        this.checkHeader(Buffer.concat(this.headerAcc));
        this.headerAcc = [];
      }
      if (this.accLen > 0 && off < data.length) {
        const n = Math.min(FULL - this.accLen, data.length - off);
        data.copy(this.acc, this.accLen, off, off + n);
        this.accLen += n;
        off += n;
        if (this.accLen === FULL) {
          this.takeFull(this.acc);
          this.acc = Buffer.allocUnsafe(FULL);
          this.accLen = 0;
        }
      }
      while (data.length - off >= FULL) {
        this.takeFull(data.subarray(off, off + FULL));
        off += FULL;
      }
      if (off < data.length) {
        if (this.pending) {
          this.open(this.pending, false);
          this.pending = undefined;
        }
        data.copy(this.acc, 0, off);
        this.accLen = data.length - off;
      }
      cb();
    } catch (err) {
      this.fail();
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      if (!this.header) throw new SealError(this.headerLen === 0 ? 'BodyTruncated' : 'BodyTruncated', this.headerLen === 0 ? 'empty body (a 0-byte body is never valid)' : 'body shorter than its header');
      if (this.accLen > 0) {
        if (this.pending) this.open(this.pending, false);
        this.open(this.acc.subarray(0, this.accLen), true);
      } else if (this.pending) {
        this.open(this.pending, true);
      } else {
        throw new SealError('BodyTruncated', 'body has a header but no chunk');
      }
      this.pending = undefined;
      this.out.release();
      wipe(this.contentKey);
      cb();
    } catch (err) {
      this.fail();
      cb(err as Error);
    }
  }

  private fail(): void {
    this.out.discard();
    wipe(this.contentKey);
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.fail();
    cb(err);
  }
}
