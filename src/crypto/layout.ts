import { createHash } from 'node:crypto';
import { LABEL, LAYOUT_MAX_RUNS, S3_MAX_PARTS, UPLOAD_NONCE_SIZE } from './constants.js';
import { Reader, u16, u64 } from './bytes.js';
import { info, V1, type SuiteId } from './kdf.js';
import { SealError } from '../errors.js';

/** One completed part as s3seal saw it: its S3 part number, plaintext length and attempt salt. */
export interface PartRecord {
  partNumber: number;
  plaintextLength: number;
  salt: Buffer;
}

/** A run of consecutive part numbers with equal plaintext lengths (FORMAT.md §7.3). */
export interface LayoutRun {
  count: number;
  firstPartNumber: number;
  plaintextLength: number;
}

export interface Layout {
  partCount: number;
  runs: LayoutRun[];
  /** SHA-256 over every (part number, length, salt) in order: pins which attempt of each part */
  digest: Buffer;
}

/** D = SHA-256(info("layout digest", U) ‖ for each part: u16 number ‖ u64 length ‖ salt) (FORMAT.md §7.3). */
export function layoutDigest(uploadNonce: Buffer, parts: readonly PartRecord[], id: SuiteId = V1): Buffer {
  const h = createHash('sha256');
  h.update(info(id, LABEL.layoutDigest, uploadNonce));
  for (const p of parts) h.update(Buffer.concat([u16(p.partNumber), u64(p.plaintextLength), p.salt]));
  return h.digest();
}

/** Build the committed layout of a Complete: parts must be in ascending part-number order. */
export function buildLayout(uploadNonce: Buffer, parts: readonly PartRecord[], id: SuiteId = V1): Layout {
  if (uploadNonce.length !== UPLOAD_NONCE_SIZE) throw new RangeError('upload nonce must be 16 bytes');
  if (parts.length < 1 || parts.length > S3_MAX_PARTS) throw new SealError('InvalidArgument', `a multipart upload has 1..${S3_MAX_PARTS} parts`);
  const runs: LayoutRun[] = [];
  let prev = 0;
  for (const p of parts) {
    if (p.partNumber <= prev || p.partNumber > S3_MAX_PARTS) throw new SealError('InvalidArgument', 'parts must be in ascending part-number order');
    prev = p.partNumber;
    const r = runs[runs.length - 1];
    if (r && r.plaintextLength === p.plaintextLength && r.firstPartNumber + r.count === p.partNumber) r.count++;
    else runs.push({ count: 1, firstPartNumber: p.partNumber, plaintextLength: p.plaintextLength });
  }
  if (runs.length > LAYOUT_MAX_RUNS) {
    throw new SealError('MetadataTooLarge', `the part layout needs ${runs.length} runs of equal-sized consecutive parts; at most ${LAYOUT_MAX_RUNS} fit in the envelope`);
  }
  return { partCount: parts.length, runs, digest: layoutDigest(uploadNonce, parts, id) };
}

/** u16 part count ‖ u8 run count ‖ runs (u16 count ‖ u16 first part number ‖ u64 length) ‖ digest(32). */
export function encodeLayout(l: Layout): Buffer {
  return Buffer.concat([
    u16(l.partCount),
    Buffer.from([l.runs.length]),
    ...l.runs.map((r) => Buffer.concat([u16(r.count), u16(r.firstPartNumber), u64(r.plaintextLength)])),
    l.digest,
  ]);
}

const bad = (m: string): SealError => new SealError('EnvelopeMalformed', `layout: ${m}`);

/** Strict decode: counts must add up, part numbers ascend within 1..10000, runs are maximal. */
export function decodeLayout(b: Buffer, maxPartPlaintext: number): Layout {
  const r = new Reader(b, bad);
  const partCount = r.u16();
  const runCount = r.u8();
  if (runCount < 1 || runCount > LAYOUT_MAX_RUNS) throw bad(`run count ${runCount}`);
  const runs: LayoutRun[] = [];
  let total = 0;
  let next = 1;
  for (let i = 0; i < runCount; i++) {
    const count = r.u16();
    const firstPartNumber = r.u16();
    const plaintextLength = r.u64();
    if (count < 1 || firstPartNumber < next || firstPartNumber + count - 1 > S3_MAX_PARTS) throw bad('part numbers out of order or range');
    if (plaintextLength > maxPartPlaintext) throw bad('part length over the limit');
    const prev = runs[runs.length - 1];
    if (prev && prev.plaintextLength === plaintextLength && prev.firstPartNumber + prev.count === firstPartNumber) throw bad('runs not maximal');
    runs.push({ count, firstPartNumber, plaintextLength });
    total += count;
    next = firstPartNumber + count;
  }
  const digest = Buffer.from(r.bytes(32));
  r.end();
  if (total !== partCount || partCount < 1) throw bad('part count does not match runs');
  return { partCount, runs, digest };
}

/** Expand runs to the per-position list (part number, plaintext length, ciphertext offset). */
export interface LayoutEntry {
  index: number;
  partNumber: number;
  plaintextLength: number;
  plaintextOffset: number;
}

export function expandLayout(l: Layout): LayoutEntry[] {
  const out: LayoutEntry[] = [];
  let offset = 0;
  for (const r of l.runs) {
    for (let i = 0; i < r.count; i++) {
      out.push({ index: out.length, partNumber: r.firstPartNumber + i, plaintextLength: r.plaintextLength, plaintextOffset: offset });
      offset += r.plaintextLength;
    }
  }
  return out;
}
