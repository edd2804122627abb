import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { CHUNK_SIZE } from '../crypto/constants.js';
import { sealChunk } from '../crypto/chunk-cipher.js';
import { chunkCount, segmentCiphertextSize } from './size-math.js';

/** What a whole segment is sealed from: its content key and its header (body or part header), as a SealingTransform is built. */
export interface SegmentSeal {
  contentKey: Buffer;
  header: Buffer;
}

/** A sealed segment and the digests a backend request sends with it (CRC32 base64 as S3 writes it; SHA-256 hex as SigV4 does, when asked for). */
export interface SealedSegment {
  body: Buffer;
  crc32: string;
  sha256?: string;
}

/**
 * One whole segment (FORMAT.md §4, §7.2) sealed into `out`: the header, then every 64 KiB chunk's
 * ciphertext and tag — byte for byte what SealingTransform emits for the same key, header and
 * plaintext (its frames are these chunks, and the final flag is on the last one by number). Without
 * streams, for bodies already in memory; `out` must be exactly the segment's size. Also returns the
 * CRC32 and (unless `sha256: false`) the SHA-256 of the sealed bytes, computed chunk by chunk while
 * each is still in cache.
 */
export function sealSegmentInto(seg: SegmentSeal, plaintext: Uint8Array, out: Buffer, opts: { sha256?: boolean } = {}): { crc32: string; sha256?: string } {
  const headerSize = seg.header.length;
  if (out.length !== segmentCiphertextSize(plaintext.length, headerSize)) throw new RangeError('sealed segment buffer has the wrong size');
  const sha = opts.sha256 === false ? undefined : createHash('sha256');
  seg.header.copy(out, 0);
  let crc = crc32(seg.header);
  sha?.update(seg.header);
  const chunks = chunkCount(plaintext.length);
  const input = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  let off = headerSize;
  for (let i = 0; i < chunks; i++) {
    const frame = input.subarray(i * CHUNK_SIZE, Math.min((i + 1) * CHUNK_SIZE, input.length));
    const [ct, tag] = sealChunk(seg.contentKey, i, i === chunks - 1, seg.header, frame);
    const start = off;
    off += ct.copy(out, off);
    off += tag.copy(out, off);
    const sealed = out.subarray(start, off);
    crc = crc32(sealed, crc);
    sha?.update(sealed);
  }
  if (off !== out.length) throw new RangeError('sealed segment is shorter than its computed size');
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc >>> 0);
  return { crc32: c.toString('base64'), ...(sha ? { sha256: sha.digest('hex') } : {}) };
}

/** sealSegmentInto a fresh buffer */
export function sealSegment(seg: SegmentSeal, plaintext: Uint8Array, opts: { sha256?: boolean } = {}): SealedSegment {
  const body = Buffer.allocUnsafe(segmentCiphertextSize(plaintext.length, seg.header.length));
  return { body, ...sealSegmentInto(seg, plaintext, body, opts) };
}
