import { CHUNK_SIZE, PART_HEADER_SIZE, TAG_SIZE } from '../crypto/constants.js';
import { encodePartHeader, parsePartHeader, type ParsedPartHeader } from '../crypto/body-header.js';
import { openChunk } from '../crypto/chunk-cipher.js';
import { V1, wipe, type SuiteId } from '../crypto/kdf.js';
import type { LayoutEntry } from '../crypto/layout.js';
import { derivePartKeys } from '../crypto/part-keys.js';
import { FramedTransform } from './framed-transform.js';
import { checkPartHeader } from './part-headers.js';
import { chunkCount, type ChunkSpan } from './size-math.js';

/** What to decrypt of one part: all of it, or a span of its chunks (ranged reads). */
export interface PartPlan {
  entry: LayoutEntry;
  /** the salt verified against the committed layout for this position (object-reader.ts) */
  salt: Buffer;
  span?: ChunkSpan;
  /**
   * whether the input carries the part's stored header. Only a part whose span starts past its
   * first chunk (the first part of a ranged read) comes without: its header is rebuilt from the
   * verified salt, as a single-part ranged read rebuilds the body header.
   */
  withHeader: boolean;
}

export interface MultipartDecryptOptions {
  id?: SuiteId;
  releaseWindow?: number;
}

/**
 * Decrypts planned parts of a multipart body (FORMAT.md §7) whose layout was verified up front:
 * every position's salt was checked against the committed layout digest before this stream exists,
 * so each part is pinned to its committed upload attempt before any of its plaintext is released —
 * whole reads and ranged reads alike. Input is, for each planned part in order, its 64-byte header
 * (unless `withHeader` is false) followed by its chunks (all of them, or the span's). A stored
 * header must name the number and length the layout expects at that position, repeat the verified
 * salt (no swap between the header reads and this one) and carry the right key commitment. The
 * chunks' AAD is the header rebuilt from the verified fields.
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
  private readonly dek: Buffer;

  constructor(
    dek: Uint8Array,
    private readonly uploadNonce: Buffer,
    private readonly plan: PartPlan[],
    opts: MultipartDecryptOptions = {},
  ) {
    super(opts.releaseWindow);
    if (plan.some((p, i) => !p.withHeader && (i > 0 || !p.span))) throw new RangeError('only a ranged read\'s first part may come without its header');
    // our own copy: it is wiped when the stream ends, the caller's buffer is left alone
    this.dek = Buffer.from(dek);
    this.id = opts.id ?? V1;
  }

  protected nextFrame(): number | undefined {
    const p = this.plan[this.partIdx];
    if (!p) return undefined;
    if (this.inHeader) {
      if (p.withHeader) return PART_HEADER_SIZE;
      this.enter(p);
    }
    const full = CHUNK_SIZE + TAG_SIZE;
    if (this.counter < this.totalChunks - 1) return full;
    return p.entry.plaintextLength - CHUNK_SIZE * (this.totalChunks - 1) + TAG_SIZE;
  }

  /** Start a part: check its stored header (if the input has it) and derive its keys. */
  private enter(p: PartPlan, stored?: ParsedPartHeader): void {
    const { partNumber, plaintextLength } = p.entry;
    const keys = stored
      ? checkPartHeader(this.dek, this.uploadNonce, this.id, stored, { ...p.entry, salt: p.salt })
      : derivePartKeys(this.dek, this.uploadNonce, partNumber, plaintextLength, p.salt, this.id);
    this.header = encodePartHeader(this.id, { partNumber, plaintextLength, salt: p.salt }, keys.commitment);
    this.contentKey = keys.contentKey;
    this.totalChunks = chunkCount(plaintextLength);
    this.counter = p.span ? p.span.firstChunk : 0;
    this.lastCounter = p.span ? p.span.lastChunk : this.totalChunks - 1;
    this.skip = p.span ? p.span.skip : 0;
    this.left = p.span ? p.span.take : plaintextLength;
    this.inHeader = false;
  }

  protected onFrame(frame: Buffer): void {
    const p = this.plan[this.partIdx]!;
    if (this.inHeader) return this.enter(p, parsePartHeader(frame));
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
