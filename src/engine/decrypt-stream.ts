import { BODY_HEADER_SIZE, CHUNK_SIZE, TAG_SIZE } from '../crypto/constants.js';
import { encodeBodyHeader, parseBodyHeader } from '../crypto/body-header.js';
import { openChunk } from '../crypto/chunk-cipher.js';
import { equalSecret, V1, wipe, type SuiteId } from '../crypto/kdf.js';
import { deriveSegmentKeys } from '../crypto/segment-keys.js';
import { SealError } from '../errors.js';
import { FramedTransform } from './framed-transform.js';
import { DEFAULT_RELEASE_WINDOW } from './held-output.js';
import { chunkCount, singlePartPlaintextSize } from './size-math.js';

export interface DecryptStreamOptions {
  /** the (verified) envelope's version and suite; the body header must carry the same */
  id?: SuiteId;
  /** plaintext held back until verified (see HeldOutput); default 1 MiB */
  releaseWindow?: number;
  highWaterMark?: number;
  /**
   * The exact body length expected (the stored size the plaintext length was computed from): a
   * longer body fails with BodyTrailingData, a shorter one with BodyTruncated, before the held
   * output is released. Without it, the end of input marks the final chunk.
   */
  ciphertextLength?: number;
}

const FULL = CHUNK_SIZE + TAG_SIZE;

/**
 * Single-part body decryption (FORMAT.md §4, §11). The header's version, suite and key commitment
 * are checked (constant time) before any chunk is opened. The final chunk is the one the expected
 * length says (or the one the input ends with), and its final flag is part of its nonce, so
 * truncation at a chunk boundary, an appended chunk, and reordering all fail authentication.
 */
export class DecryptStream extends FramedTransform {
  private readonly contentKey: Buffer;
  private readonly commitment: Buffer;
  private readonly id: SuiteId;
  private header: Buffer | undefined;
  private counter = 0;
  /** with an expected length: the number of chunks and the stored size of the final one */
  private readonly chunks: number | undefined;
  private readonly finalFrame: number;

  constructor(dek: Uint8Array, opts: DecryptStreamOptions = {}) {
    const length = opts.ciphertextLength;
    // an impossible expected size fails here, before any input is read
    const plain = length === undefined ? undefined : singlePartPlaintextSize(length);
    super(opts.releaseWindow ?? DEFAULT_RELEASE_WINDOW, opts.highWaterMark ?? 256 * 1024, length ?? 'open');
    this.chunks = plain === undefined ? undefined : chunkCount(plain);
    this.finalFrame = plain === undefined || this.chunks === undefined ? FULL : plain - CHUNK_SIZE * (this.chunks - 1) + TAG_SIZE;
    this.id = opts.id ?? V1;
    const keys = deriveSegmentKeys(dek, this.id);
    this.contentKey = keys.contentKey;
    this.commitment = keys.commitment;
  }

  private checkHeader(h: Buffer): void {
    if (h.length === 0) throw new SealError('BodyTruncated', 'empty body (a 0-byte body is never valid)');
    const parsed = parseBodyHeader(h);
    if (parsed.version !== this.id.version || parsed.suite !== this.id.suite) {
      throw new SealError('UnsupportedFormatVersion', `body version ${parsed.version}/suite ${parsed.suite} does not match the envelope`);
    }
    if (!equalSecret(parsed.commitment, this.commitment)) {
      throw new SealError('KeyCommitmentMismatch', 'body key commitment does not match the data key (wrong key, or body of another object)');
    }
    this.header = encodeBodyHeader(this.id, this.commitment);
  }

  protected nextFrame(): number | undefined {
    if (!this.header) return BODY_HEADER_SIZE;
    if (this.chunks === undefined) return FULL;
    if (this.counter >= this.chunks) return undefined;
    return this.counter < this.chunks - 1 ? FULL : this.finalFrame;
  }

  protected onFrame(frame: Buffer, last: boolean): void {
    if (!this.header) {
      this.checkHeader(frame);
      if (last) throw new SealError('BodyTruncated', 'body has a header but no chunk');
      return;
    }
    const final = this.chunks === undefined ? last : this.counter === this.chunks - 1;
    this.out.write(openChunk(this.contentKey, this.counter++, final, this.header, frame));
  }

  protected wipeKeys(): void {
    wipe(this.contentKey);
  }
}
