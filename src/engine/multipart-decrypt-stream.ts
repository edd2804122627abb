import { createHash } from 'node:crypto';
import { CHUNK_SIZE, LABEL, PART_HEADER_SIZE, TAG_SIZE } from '../crypto/constants.js';
import { encodePartHeader, parsePartHeader } from '../crypto/body-header.js';
import { openChunk } from '../crypto/chunk-cipher.js';
import { u16, u64 } from '../crypto/bytes.js';
import { equalSecret, info, V1, wipe, type SuiteId } from '../crypto/kdf.js';
import { derivePartKeys } from '../crypto/part-keys.js';
import type { Layout, LayoutEntry } from '../crypto/layout.js';
import { expandLayout } from '../crypto/layout.js';
import { SealError } from '../errors.js';
import { FramedTransform } from './framed-transform.js';
import { chunkCount, type ChunkSpan } from './size-math.js';

/** What to decrypt of one part: all of it, or a span of its chunks (ranged reads). */
export interface PartPlan {
  entry: LayoutEntry;
  span?: ChunkSpan;
  /** ranged reads: the salt this part's header had when the layout digest was verified up front */
  verifiedSalt?: Buffer;
}

export interface MultipartDecryptOptions {
  id?: SuiteId;
  releaseWindow?: number;
}

/**
 * Decrypts a multipart body (FORMAT.md §7) against its committed layout. Input is, for each planned
 * part in order, its 64-byte header followed by its chunks (all of them, or the span's). Each header
 * must name the part number and length the layout expects at that position, and carry the right
 * key commitment. For a whole-object read, the layout digest over every (number, length, salt) is
 * checked as soon as the last header is in — before the last part's chunks are opened — so a
 * substituted attempt of any part is refused before the object's end is released. A ranged read
 * verifies the digest over all part headers first (object-reader.ts) and passes each planned part's
 * verified salt, which the header read here must repeat (no swap between the two reads).
 */
export class MultipartDecryptStream extends FramedTransform {
  private readonly id: SuiteId;
  private partIdx = 0;
  private inHeader = true;
  private counter = 0;
  private lastCounter = 0;
  private totalChunks = 0;
  private contentKey: Buffer | undefined;
  private header: Buffer | undefined;
  private skip = 0;
  private left = 0;
  private readonly digest = createHash('sha256');
  private readonly dek: Buffer;

  constructor(
    dek: Uint8Array,
    private readonly uploadNonce: Buffer,
    private readonly layout: Layout,
    private readonly plan: PartPlan[],
    /** true when the plan covers every part whole: only then is the layout digest checkable */
    private readonly whole: boolean,
    opts: MultipartDecryptOptions = {},
  ) {
    super(opts.releaseWindow);
    // our own copy: it is wiped when the stream ends, the caller's buffer is left alone
    this.dek = Buffer.from(dek);
    this.id = opts.id ?? V1;
    this.digest.update(info(this.id, LABEL.layoutDigest, uploadNonce));
  }

  static wholeObject(dek: Uint8Array, uploadNonce: Buffer, layout: Layout, opts?: MultipartDecryptOptions): MultipartDecryptStream {
    return new MultipartDecryptStream(dek, uploadNonce, layout, expandLayout(layout).map((entry) => ({ entry })), true, opts);
  }

  protected nextFrame(): number | undefined {
    const p = this.plan[this.partIdx];
    if (!p) return undefined;
    if (this.inHeader) return PART_HEADER_SIZE;
    const full = CHUNK_SIZE + TAG_SIZE;
    if (this.counter < this.totalChunks - 1) return full;
    return p.entry.plaintextLength - CHUNK_SIZE * (this.totalChunks - 1) + TAG_SIZE;
  }

  private onHeader(frame: Buffer, p: PartPlan): void {
    const h = parsePartHeader(frame);
    if (h.version !== this.id.version || h.suite !== this.id.suite) {
      throw new SealError('UnsupportedFormatVersion', `part version ${h.version}/suite ${h.suite} does not match the envelope`);
    }
    if (h.partNumber !== p.entry.partNumber || h.plaintextLength !== p.entry.plaintextLength) {
      throw new SealError('LayoutMismatch', `position ${p.entry.index} holds part ${h.partNumber} (${h.plaintextLength} bytes), the committed layout says part ${p.entry.partNumber} (${p.entry.plaintextLength} bytes)`);
    }
    if (p.verifiedSalt && !equalSecret(p.verifiedSalt, h.salt)) {
      throw new SealError('LayoutMismatch', `part ${h.partNumber} changed since its header was verified`);
    }
    const keys = derivePartKeys(this.dek, this.uploadNonce, h.partNumber, h.plaintextLength, h.salt, this.id);
    if (!equalSecret(keys.commitment, h.commitment)) {
      wipe(keys.contentKey);
      throw new SealError('KeyCommitmentMismatch', `part ${h.partNumber} belongs to another upload or key`);
    }
    this.header = encodePartHeader(this.id, h, keys.commitment);
    this.contentKey = keys.contentKey;
    this.totalChunks = chunkCount(h.plaintextLength);
    if (this.whole) {
      this.digest.update(Buffer.concat([u16(h.partNumber), u64(h.plaintextLength), h.salt]));
      if (this.partIdx === this.plan.length - 1 && !equalSecret(this.digest.digest(), this.layout.digest)) {
        throw new SealError('LayoutMismatch', 'parts differ from the committed layout (a part was substituted)');
      }
    }
    this.counter = p.span ? p.span.firstChunk : 0;
    this.lastCounter = p.span ? p.span.lastChunk : this.totalChunks - 1;
    this.skip = p.span ? p.span.skip : 0;
    this.left = p.span ? p.span.take : h.plaintextLength;
    this.inHeader = false;
  }

  protected onFrame(frame: Buffer): void {
    const p = this.plan[this.partIdx]!;
    if (this.inHeader) return this.onHeader(frame, p);
    const final = this.counter === this.totalChunks - 1;
    const pt = openChunk(this.contentKey!, this.counter, final, this.header!, frame);
    const piece = pt.subarray(this.skip, this.skip + Math.min(this.left, pt.length - this.skip));
    this.skip = 0;
    this.left -= piece.length;
    this.out.write(piece);
    if (this.counter === this.lastCounter) {
      wipe(this.contentKey);
      this.partIdx++;
      this.inHeader = true;
    } else {
      this.counter++;
    }
  }

  protected wipeKeys(): void {
    wipe(this.contentKey, this.dek);
  }
}
