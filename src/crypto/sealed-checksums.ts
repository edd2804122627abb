import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  CHECKSUM_ALGORITHM_ID,
  CHECKSUM_DIGEST_SIZE,
  CHECKSUM_ENTRY_HEADER_SIZE,
  CHECKSUM_TYPE_BYTE,
  LABEL,
  NONCE_SIZE,
  S3_MAX_PARTS,
  SEALED_CHECKSUMS_MAX,
  SEALED_CHECKSUMS_MIN,
  TAG_SIZE,
} from './constants.js';
import { Reader, u16 } from './bytes.js';
import { hkdf, V1, wipe, type SuiteId } from './kdf.js';
import { SealError } from '../errors.js';

/** The plaintext checksums a sealed-checksums field can hold (FORMAT.md §5.7); MD5 is the optional plaintext-MD5 ETag's. */
export type SealedChecksumAlgorithm = keyof typeof CHECKSUM_ALGORITHM_ID;
export const SEALED_CHECKSUM_ALGORITHMS = Object.keys(CHECKSUM_ALGORITHM_ID) as SealedChecksumAlgorithm[];
/** S3's x-amz-checksum-type: the whole object's checksum, or (multipart) a checksum of the part checksums */
export type ChecksumType = keyof typeof CHECKSUM_TYPE_BYTE;

/** One plaintext checksum: the raw digest bytes (S3 writes them base64). */
export interface SealedChecksum {
  algorithm: SealedChecksumAlgorithm;
  type: ChecksumType;
  /** COMPOSITE only: the part count N of the "…-N" value */
  parts?: number;
  digest: Buffer;
}

/** What an opened field is checked against: the envelope's version and suite, and its layout's part count if multipart. */
export interface SealedChecksumsContext extends SuiteId {
  /** the envelope's encoded layout (FORMAT.md §7.3), whose first u16 is the part count */
  layout?: Buffer;
}

const malformed = (msg: string): SealError => new SealError('EnvelopeMalformed', `sealed checksums: ${msg}`);
const ALG_BY_ID = new Map<number, SealedChecksumAlgorithm>(SEALED_CHECKSUM_ALGORITHMS.map((a) => [CHECKSUM_ALGORITHM_ID[a], a]));
const TYPE_BY_BYTE = new Map<number, ChecksumType>((Object.keys(CHECKSUM_TYPE_BYTE) as ChecksumType[]).map((t) => [CHECKSUM_TYPE_BYTE[t], t]));
/** S3: CRC64NVME is full-object only; MD5 is never a part checksum */
const COMPOSITE_ALGORITHMS: ReadonlySet<SealedChecksumAlgorithm> = new Set(['CRC32', 'CRC32C', 'SHA1', 'SHA256']);

/**
 * The entry rules of FORMAT.md §5.7, for writers and readers alike: at least one entry; algorithm
 * ids strictly ascending (each algorithm once); a known type; FULL_OBJECT with parts 0; COMPOSITE
 * only for CRC32, CRC32C, SHA1, SHA256, only in a multipart envelope, with parts equal to its
 * layout's part count; every entry but MD5 of one type; each digest exactly its algorithm's size.
 */
function checkEntries(entries: readonly SealedChecksum[], layoutParts: number | undefined): void {
  if (entries.length === 0) throw malformed('no entry');
  let last = 0;
  let flexibleType: ChecksumType | undefined;
  for (const e of entries) {
    const id = CHECKSUM_ALGORITHM_ID[e.algorithm];
    if (id === undefined) throw malformed('unknown algorithm');
    if (id <= last) throw malformed(`${e.algorithm} out of order or repeated`);
    last = id;
    if (e.digest.length !== CHECKSUM_DIGEST_SIZE[e.algorithm]) throw malformed(`${e.algorithm} digest of ${e.digest.length} bytes`);
    if (e.type === 'FULL_OBJECT') {
      if ((e.parts ?? 0) !== 0) throw malformed('a FULL_OBJECT entry with a part count');
    } else if (e.type === 'COMPOSITE') {
      if (!COMPOSITE_ALGORITHMS.has(e.algorithm)) throw malformed(`${e.algorithm} cannot be COMPOSITE`);
      const n = e.parts ?? 0;
      if (!Number.isInteger(n) || n < 1 || n > S3_MAX_PARTS) throw malformed(`COMPOSITE part count ${n}`);
      if (layoutParts === undefined) throw malformed('COMPOSITE entry in a single-part envelope');
      if (n !== layoutParts) throw malformed(`COMPOSITE part count ${n}, layout has ${layoutParts}`);
    } else throw malformed('unknown type');
    if (e.algorithm !== 'MD5') {
      if (flexibleType !== undefined && flexibleType !== e.type) throw malformed('entries of different types');
      flexibleType = e.type;
    }
  }
}

/** entry* = u8(algorithm) ‖ u8(type) ‖ u16(parts) ‖ digest, in ascending algorithm order (FORMAT.md §5.7) */
export function encodeChecksumEntries(entries: readonly SealedChecksum[], layoutParts?: number): Buffer {
  const sorted = [...entries].sort((a, b) => CHECKSUM_ALGORITHM_ID[a.algorithm] - CHECKSUM_ALGORITHM_ID[b.algorithm]);
  checkEntries(sorted, layoutParts);
  return Buffer.concat(sorted.flatMap((e) => [Buffer.from([CHECKSUM_ALGORITHM_ID[e.algorithm], CHECKSUM_TYPE_BYTE[e.type]]), u16(e.parts ?? 0), e.digest]));
}

/** Strict decode of the opened plaintext; every length is known from the algorithm id before it is read. */
export function decodeChecksumEntries(plain: Buffer, layoutParts?: number): SealedChecksum[] {
  if (plain.length > SEALED_CHECKSUMS_MAX - NONCE_SIZE - TAG_SIZE) throw malformed(`${plain.length} bytes of entries`);
  const r = new Reader(plain, malformed);
  const out: SealedChecksum[] = [];
  while (r.remaining > 0) {
    if (r.remaining < CHECKSUM_ENTRY_HEADER_SIZE) throw malformed('truncated entry header');
    const algorithm = ALG_BY_ID.get(r.u8());
    if (!algorithm) throw malformed('unknown algorithm');
    const type = TYPE_BY_BYTE.get(r.u8());
    if (!type) throw malformed('unknown type');
    const parts = r.u16();
    const digest = Buffer.from(r.bytes(CHECKSUM_DIGEST_SIZE[algorithm]));
    out.push({ algorithm, type, ...(type === 'COMPOSITE' || parts !== 0 ? { parts } : {}), digest });
  }
  checkEntries(out, layoutParts);
  return out;
}

function checksumsKey(dek: Uint8Array, id: SuiteId): Buffer {
  return hkdf(dek, Buffer.alloc(0), id, LABEL.sealedChecksums);
}

/** AAD = version ‖ suite (FORMAT.md §5.7); the object is bound through the DEK the key derives from. */
function aad(id: SuiteId): Buffer {
  return Buffer.from([id.version, id.suite]);
}

function layoutPartCount(layout: Buffer | undefined): number | undefined {
  return layout && layout.length >= 2 ? layout.readUInt16BE(0) : undefined;
}

/**
 * Seals a checksum set for envelope field 0x0a (FORMAT.md §5.7):
 * nonce ‖ GCM(KDF(DEK, "", "sealed checksums", ""), nonce, version ‖ suite, entries). The nonce is
 * fresh and random for every seal: the DEK outlives one seal (a PUT whose checksum arrives in a
 * trailer is sealed again once it is known; copies keep the DEK), so a fixed nonce could repeat.
 */
export function sealChecksums(dek: Uint8Array, entries: readonly SealedChecksum[], ctx: SealedChecksumsContext = V1, nonce: Buffer = randomBytes(NONCE_SIZE)): Buffer {
  if (nonce.length !== NONCE_SIZE) throw new RangeError('sealed checksums nonce must be 12 bytes');
  const plain = encodeChecksumEntries(entries, layoutPartCount(ctx.layout));
  const key = checksumsKey(dek, ctx);
  try {
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(aad(ctx));
    const out = Buffer.concat([nonce, c.update(plain), c.final(), c.getAuthTag()]);
    if (out.length < SEALED_CHECKSUMS_MIN || out.length > SEALED_CHECKSUMS_MAX) throw new RangeError('sealed checksums out of bounds');
    return out;
  } finally {
    wipe(key);
  }
}

/**
 * Opens field 0x0a after the envelope MAC verified (FORMAT.md §5.7, §11 step 4): a tag failure is
 * EnvelopeAuthFailed, entries that break §5.7's rules EnvelopeMalformed. The length bound (§5.1) was
 * checked by the envelope decoder before anything was allocated; it is checked again here so the
 * function is safe on its own.
 */
export function openChecksums(dek: Uint8Array, sealed: Buffer, ctx: SealedChecksumsContext): SealedChecksum[] {
  if (sealed.length < SEALED_CHECKSUMS_MIN || sealed.length > SEALED_CHECKSUMS_MAX) throw malformed(`field of ${sealed.length} bytes`);
  const key = checksumsKey(dek, ctx);
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_SIZE), { authTagLength: TAG_SIZE });
    d.setAAD(aad(ctx));
    d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
    plain = d.update(sealed.subarray(NONCE_SIZE, sealed.length - TAG_SIZE));
    try {
      d.final();
    } catch {
      throw new SealError('EnvelopeAuthFailed', 'sealed checksums failed authentication (tampered, or sealed for another object)');
    }
  } finally {
    wipe(key);
  }
  return decodeChecksumEntries(plain, layoutPartCount(ctx.layout));
}

/** S3's text form of a checksum: base64 of the digest, "-N" appended for a COMPOSITE one. */
export function checksumText(c: SealedChecksum): string {
  const b64 = c.digest.toString('base64');
  return c.type === 'COMPOSITE' ? `${b64}-${c.parts ?? 0}` : b64;
}
