import { BODY_HEADER_SIZE, CHUNK_SIZE, PART_HEADER_SIZE, S3_MAX_PART_SIZE, S3_MAX_PUT_SIZE, TAG_SIZE } from '../crypto/constants.js';
import { SealError } from '../errors.js';

/** FORMAT.md §6: a segment of P plaintext bytes has max(1, ceil(P / 65536)) chunks. */
export function chunkCount(plaintextLength: number): number {
  return Math.max(1, Math.ceil(plaintextLength / CHUNK_SIZE));
}

/** Bytes a segment (header + chunks) occupies for P plaintext bytes. */
export function segmentCiphertextSize(plaintextLength: number, headerSize: number): number {
  return headerSize + plaintextLength + TAG_SIZE * chunkCount(plaintextLength);
}

/**
 * The inverse: plaintext length of a segment from its stored size, or an error if no plaintext
 * length produces that size (FORMAT.md §6). Pure function of the size — no backend request needed.
 */
export function segmentPlaintextSize(ciphertextSize: number, headerSize: number): number {
  const body = ciphertextSize - headerSize;
  if (!Number.isSafeInteger(ciphertextSize) || ciphertextSize < 0) throw new SealError('BodyMalformed', `impossible ciphertext size ${ciphertextSize}`);
  // shorter than a header and one empty chunk: nothing s3seal writes is this small (0-byte bodies included)
  if (body < TAG_SIZE) throw new SealError('BodyTruncated', `body of ${ciphertextSize} bytes is shorter than the smallest s3seal body`);
  const full = CHUNK_SIZE + TAG_SIZE;
  const n = Math.ceil(body / full);
  const last = body - (n - 1) * full;
  // the final chunk carries at least one byte unless it is the only chunk (empty plaintext)
  if (last < TAG_SIZE || (last === TAG_SIZE && n > 1)) {
    throw new SealError('BodyMalformed', `impossible ciphertext size ${ciphertextSize}`);
  }
  return body - TAG_SIZE * n;
}

export const singlePartCiphertextSize = (p: number): number => segmentCiphertextSize(p, BODY_HEADER_SIZE);
export const singlePartPlaintextSize = (s: number): number => segmentPlaintextSize(s, BODY_HEADER_SIZE);
export const partCiphertextSize = (p: number): number => segmentCiphertextSize(p, PART_HEADER_SIZE);

/** The largest plaintext whose segment (header + chunks) still fits `limit` stored bytes. */
function maxSegmentPlaintext(limit: number, headerSize: number): number {
  const full = CHUNK_SIZE + TAG_SIZE;
  const room = limit - headerSize;
  const fullChunks = Math.floor(room / full);
  const rest = room - fullChunks * full;
  return fullChunks * CHUNK_SIZE + Math.max(0, rest - TAG_SIZE);
}

/** FORMAT.md §7.4: the largest plaintext part whose ciphertext part still fits S3's 5 GiB part limit. */
export const MAX_PART_PLAINTEXT = maxSegmentPlaintext(S3_MAX_PART_SIZE, PART_HEADER_SIZE);

/** FORMAT.md §6.2: the largest single-part plaintext whose body still fits S3's 5 GiB PUT limit. */
export const MAX_SINGLE_PART_PLAINTEXT = maxSegmentPlaintext(S3_MAX_PUT_SIZE, BODY_HEADER_SIZE);

/** Chunks [first, last] and the ciphertext byte range (inclusive) that cover a plaintext range. */
export interface ChunkSpan {
  firstChunk: number;
  lastChunk: number;
  /** total chunks of the segment: the chunk numbered totalChunks-1 is the final one */
  totalChunks: number;
  /** ciphertext offsets relative to the segment start, inclusive */
  cipherStart: number;
  cipherEnd: number;
  /** bytes to drop from the first decrypted chunk, and plaintext bytes to emit in total */
  skip: number;
  take: number;
}

/**
 * Map an inclusive plaintext range [start, end] of a segment to the chunks that cover it
 * (FORMAT.md §6.1). Only those chunks are read from the backend.
 */
export function chunkSpan(start: number, end: number, plaintextLength: number, headerSize: number): ChunkSpan {
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end)) || start < 0 || end < start || end >= plaintextLength) {
    throw new SealError('InvalidRange', `range ${start}-${end} not satisfiable for ${plaintextLength} bytes`);
  }
  const full = CHUNK_SIZE + TAG_SIZE;
  const totalChunks = chunkCount(plaintextLength);
  const firstChunk = Math.floor(start / CHUNK_SIZE);
  const lastChunk = Math.floor(end / CHUNK_SIZE);
  const segmentSize = segmentCiphertextSize(plaintextLength, headerSize);
  return {
    firstChunk,
    lastChunk,
    totalChunks,
    cipherStart: headerSize + firstChunk * full,
    cipherEnd: Math.min(headerSize + (lastChunk + 1) * full, segmentSize) - 1,
    skip: start - firstChunk * CHUNK_SIZE,
    take: end - start + 1,
  };
}
