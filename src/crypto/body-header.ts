import {
  BODY_HEADER_SIZE,
  BODY_MAGIC,
  COMMITMENT_SIZE,
  PART_HEADER_SIZE,
  PART_MAGIC,
  SALT_SIZE,
} from './constants.js';
import { u16, u64 } from './bytes.js';
import { SealError } from '../errors.js';
import type { SuiteId } from './kdf.js';

/** FORMAT.md §4.1: "S3SL" ‖ version ‖ suite ‖ commitment(32). It is also the AAD of every chunk. */
export function encodeBodyHeader(id: SuiteId, commitment: Buffer): Buffer {
  return Buffer.concat([BODY_MAGIC, Buffer.from([id.version, id.suite]), commitment]);
}

export interface ParsedBodyHeader extends SuiteId {
  commitment: Buffer;
}

export function parseBodyHeader(b: Buffer): ParsedBodyHeader {
  if (b.length < BODY_HEADER_SIZE) throw new SealError('BodyTruncated', 'body shorter than its header');
  if (!b.subarray(0, 4).equals(BODY_MAGIC)) throw new SealError('BodyMalformed', 'body does not start with the s3seal magic');
  return { version: b[4]!, suite: b[5]!, commitment: b.subarray(6, 6 + COMMITMENT_SIZE) };
}

export interface PartHeaderFields {
  partNumber: number;
  plaintextLength: number;
  salt: Buffer;
}

/** FORMAT.md §7.2: "S3SP" ‖ version ‖ suite ‖ part number u16 ‖ plaintext length u64 ‖ salt(16) ‖ commitment(32). */
export function encodePartHeader(id: SuiteId, f: PartHeaderFields, commitment: Buffer): Buffer {
  return Buffer.concat([
    PART_MAGIC,
    Buffer.from([id.version, id.suite]),
    u16(f.partNumber),
    u64(f.plaintextLength),
    f.salt,
    commitment,
  ]);
}

export interface ParsedPartHeader extends SuiteId, PartHeaderFields {
  commitment: Buffer;
}

export function parsePartHeader(b: Buffer): ParsedPartHeader {
  if (b.length < PART_HEADER_SIZE) throw new SealError('BodyTruncated', 'part shorter than its header');
  if (!b.subarray(0, 4).equals(PART_MAGIC)) throw new SealError('BodyMalformed', 'part does not start with the part magic');
  const big = b.readBigUInt64BE(8);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new SealError('BodyMalformed', 'part length out of range');
  return {
    version: b[4]!,
    suite: b[5]!,
    partNumber: b.readUInt16BE(6),
    plaintextLength: Number(big),
    salt: b.subarray(16, 16 + SALT_SIZE),
    commitment: b.subarray(32, 32 + COMMITMENT_SIZE),
  };
}
