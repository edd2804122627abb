import { CHUNK_SIZE, PART_HEADER_SIZE, TAG_SIZE } from '../crypto/constants.js';
import { encodePartHeader, parsePartHeader } from '../crypto/body-header.js';
import { openChunk } from '../crypto/chunk-cipher.js';
import { equalSecret, V1, wipe, type SuiteId } from '../crypto/kdf.js';
import { layoutDigest, type Layout, type LayoutEntry, type PartRecord } from '../crypto/layout.js';
import { SealError } from '../errors.js';
import { FramedTransform } from './framed-transform.js';
import { checkPartHeader } from './part-headers.js';
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
  /** whole reads: every part header seen so far, for the layout digest */
  private readonly seen: PartRecord[] = [];
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
    const keys = checkPartHeader(this.dek, this.uploadNonce, this.id, h, { ...p.entry, ...(p.verifiedSalt ? { salt: p.verifiedSalt } : {}) });
    this.header = encodePartHeader(this.id, h, keys.commitment);
    this.contentKey = keys.contentKey;
    this.totalChunks = chunkCount(h.plaintextLength);
    if (this.whole) {
      this.seen.push({ partNumber: h.partNumber, plaintextLength: h.plaintextLength, salt: Buffer.from(h.salt) });
      if (this.partIdx === this.plan.length - 1 && !equalSecret(layoutDigest(this.uploadNonce, this.seen, this.id), this.layout.digest)) {
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
