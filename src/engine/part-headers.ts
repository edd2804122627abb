import type { Readable } from 'node:stream';
import { PART_HEADER_SIZE } from '../crypto/constants.js';
import { parsePartHeader, type ParsedPartHeader } from '../crypto/body-header.js';
import { equalSecret, wipe, type SuiteId } from '../crypto/kdf.js';
import { derivePartKeys } from '../crypto/part-keys.js';
import type { SegmentKeys } from '../crypto/segment-keys.js';
import { SealError } from '../errors.js';
import { readExactly } from './exact-length.js';
import { partCiphertextSize } from './size-math.js';

/** What position `index` of a multipart object must hold (FORMAT.md §7.3). */
export interface ExpectedPart {
  index: number;
  partNumber: number;
  plaintextLength: number;
  /** the salt verified earlier for this position, when there is one (ranged reads) */
  salt?: Buffer;
}

/**
 * The checks every reader of a part header makes, in FORMAT.md §11's order: version and suite,
 * number and length against the layout, the salt verified earlier (if any), then the key
 * commitment. Returns the part's keys; the caller wipes the content key when done with it.
 */
export function checkPartHeader(dek: Uint8Array, uploadNonce: Buffer, id: SuiteId, h: ParsedPartHeader, expected: ExpectedPart): SegmentKeys {
  if (h.version !== id.version || h.suite !== id.suite) {
    throw new SealError('UnsupportedFormatVersion', `part version ${h.version}/suite ${h.suite} does not match the envelope`);
  }
  if (h.partNumber !== expected.partNumber || h.plaintextLength !== expected.plaintextLength) {
    throw new SealError('LayoutMismatch', `position ${expected.index} holds part ${h.partNumber} (${h.plaintextLength} bytes), the committed layout says part ${expected.partNumber} (${expected.plaintextLength} bytes)`);
  }
  if (expected.salt && !equalSecret(expected.salt, h.salt)) {
    throw new SealError('LayoutMismatch', `part ${h.partNumber} changed since its header was verified`);
  }
  const keys = derivePartKeys(dek, uploadNonce, h.partNumber, h.plaintextLength, h.salt, id);
  if (!equalSecret(keys.commitment, h.commitment)) {
    wipe(keys.contentKey);
    throw new SealError('KeyCommitmentMismatch', `part ${h.partNumber} belongs to another upload or key`);
  }
  return keys;
}

/** Stored offset of each part, from the plaintext lengths in order. */
export function partOffsets(lengths: readonly number[]): number[] {
  const offsets: number[] = [];
  let off = 0;
  for (const len of lengths) {
    offsets.push(off);
    off += partCiphertextSize(len);
  }
  return offsets;
}

/**
 * Fetch every part header (64 bytes each) with bounded concurrency, in position order. Each response
 * must be exactly 64 bytes (exact-length.ts); the first failed read stops the workers. Nothing is
 * parsed here, so callers check positions in order and the first failure reported does not depend
 * on which response arrived first.
 */
export async function readRawPartHeaders(
  read: (range: { start: number; end: number }) => Promise<Readable> | Readable,
  lengths: readonly number[],
  concurrency = 8,
): Promise<Buffer[]> {
  const offsets = partOffsets(lengths);
  const headers = new Array<Buffer>(lengths.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < lengths.length && !failed) {
      const i = next++;
      try {
        const start = offsets[i]!;
        headers[i] = await readExactly(await read({ start, end: start + PART_HEADER_SIZE - 1 }), PART_HEADER_SIZE, `part header at position ${i}`);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, lengths.length)) }, worker));
  return headers;
}

/** Fetch every part header (readRawPartHeaders) and parse them in position order. */
export async function readPartHeaders(
  read: (range: { start: number; end: number }) => Promise<Readable> | Readable,
  lengths: readonly number[],
  concurrency?: number,
): Promise<ParsedPartHeader[]> {
  return (await readRawPartHeaders(read, lengths, concurrency)).map((b) => parsePartHeader(b));
}
