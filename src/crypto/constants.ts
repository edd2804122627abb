/**
 * Wire constants of the s3seal v1 format. Every value here is normative and defined in
 * docs/FORMAT.md; the section that defines it is named next to it. Change nothing here without
 * changing the spec and the vectors in test/vectors/.
 */

/** FORMAT.md §2 — the only format version this code writes. */
export const FORMAT_VERSION = 1;
/** FORMAT.md §2 — suite 1: AES-256-GCM chunks, HKDF-SHA-256, HMAC-SHA-256, 64 KiB chunks. */
export const SUITE_AES256GCM_HKDF_SHA256 = 1;

/** FORMAT.md §4 — "S3SL": start of a single-part body. */
export const BODY_MAGIC = Buffer.from('S3SL', 'ascii');
/** FORMAT.md §7.2 — "S3SP": start of each part of a multipart body. */
export const PART_MAGIC = Buffer.from('S3SP', 'ascii');

/** FORMAT.md §4 — plaintext bytes per chunk (all but the final chunk are exactly this long). */
export const CHUNK_SIZE = 64 * 1024;
/** FORMAT.md §4 — AES-GCM tag length. */
export const TAG_SIZE = 16;
/** FORMAT.md §4 — AES-GCM nonce length. */
export const NONCE_SIZE = 12;
export const KEY_SIZE = 32;
export const COMMITMENT_SIZE = 32;
export const MAC_SIZE = 32;
export const SALT_SIZE = 16;
export const UPLOAD_NONCE_SIZE = 16;

/** FORMAT.md §4 — magic(4) ‖ version(1) ‖ suite(1) ‖ commitment(32). */
export const BODY_HEADER_SIZE = 4 + 1 + 1 + COMMITMENT_SIZE;
/** FORMAT.md §7.2 — magic(4) ‖ version ‖ suite ‖ part number u16 ‖ length u64 ‖ salt(16) ‖ commitment(32). */
export const PART_HEADER_SIZE = 4 + 1 + 1 + 2 + 8 + SALT_SIZE + COMMITMENT_SIZE;

/** FORMAT.md §3 — HKDF labels; each is used with exactly one purpose. */
export const LABEL = {
  contentKey: 'content key',
  commitment: 'commitment',
  partKey: 'part key',
  envelopeMac: 'envelope mac',
  ssecWrap: 'sse-c wrap',
  ssecCheck: 'sse-c check',
  sealedChecksums: 'sealed checksums',
  bucketKeyWrap: 'bucket key wrap',
  uploadToken: 'upload token',
  layoutDigest: 'layout digest',
  fileWrap: 'file wrap',
  derivedSecret: 'derived secret',
  bucketConfig: 'bucket config',
} as const;
export type Label = (typeof LABEL)[keyof typeof LABEL];

/** FORMAT.md §5 — user-metadata name (after `x-amz-meta-`) that holds the envelope. */
export const ENVELOPE_METADATA_KEY = 's3seal';
/** FORMAT.md §5 — every user-metadata name with this prefix is reserved for s3seal. */
export const RESERVED_METADATA_PREFIX = 's3seal';

/**
 * FORMAT.md §5.7 — sealed checksums: algorithm ids and digest sizes. An entry is
 * u8(algorithm) ‖ u8(type) ‖ u16(parts) ‖ digest; the field is nonce(12) ‖ GCM(entries) (tag 16).
 */
export const CHECKSUM_ALGORITHM_ID = { CRC32: 1, CRC32C: 2, CRC64NVME: 3, SHA1: 4, SHA256: 5, MD5: 6 } as const;
export const CHECKSUM_DIGEST_SIZE = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32, MD5: 16 } as const;
/** FORMAT.md §5.7 — checksum type byte: the whole object's checksum, or a checksum of part checksums ("-N") */
export const CHECKSUM_TYPE_BYTE = { FULL_OBJECT: 1, COMPOSITE: 2 } as const;
export const CHECKSUM_ENTRY_HEADER_SIZE = 4;
/** FORMAT.md §5.7 — one CRC32 entry (the smallest set) and every algorithm once (the largest) */
export const SEALED_CHECKSUMS_MIN = NONCE_SIZE + CHECKSUM_ENTRY_HEADER_SIZE + 4 + TAG_SIZE;
export const SEALED_CHECKSUMS_MAX = NONCE_SIZE + 6 * CHECKSUM_ENTRY_HEADER_SIZE + (4 + 4 + 8 + 20 + 32 + 16) + TAG_SIZE;

/** FORMAT.md §5.1 — envelope field tags, in the (ascending) order they must appear. */
export const FIELD = {
  mode: 0x01,
  keyRef: 0x02,
  wrappedKey: 0x03,
  bucketKey: 0x04,
  context: 0x05,
  ssecSalt: 0x06,
  ssecCheck: 0x07,
  uploadNonce: 0x08,
  layout: 0x09,
  sealedChecksums: 0x0a,
  mac: 0x7f,
} as const;
export type FieldTag = (typeof FIELD)[keyof typeof FIELD];

/** FORMAT.md §5.1 — [min, max] value length per field, checked before any allocation. */
export const FIELD_LENGTH: Record<FieldTag, readonly [number, number]> = {
  [FIELD.mode]: [1, 1],
  [FIELD.keyRef]: [1, 512],
  [FIELD.wrappedKey]: [1, 1024],
  [FIELD.bucketKey]: [1, 1024],
  [FIELD.context]: [2, 1536],
  [FIELD.ssecSalt]: [SALT_SIZE, SALT_SIZE],
  [FIELD.ssecCheck]: [32, 32],
  [FIELD.uploadNonce]: [UPLOAD_NONCE_SIZE, UPLOAD_NONCE_SIZE],
  [FIELD.layout]: [2 + 1 + 12 + 32, 2 + 1 + 64 * 12 + 32],
  [FIELD.sealedChecksums]: [SEALED_CHECKSUMS_MIN, SEALED_CHECKSUMS_MAX],
  [FIELD.mac]: [MAC_SIZE, MAC_SIZE],
};

/**
 * FORMAT.md §5.4 — fields outside the envelope MAC: the "wrap group". A rewrap (rotation, or a move
 * to another KMS key through the KMS's own ReEncrypt/rewrap) replaces them without ever seeing the
 * DEK; each is authenticated by the unwrap it steers instead (the KMS or local AEAD refuses a blob
 * under another key or context).
 */
export const UNMACED_FIELDS: ReadonlySet<number> = new Set([FIELD.keyRef, FIELD.wrappedKey, FIELD.bucketKey, FIELD.mac]);

/** FORMAT.md §5 — mode byte values. */
export const MODE_BYTE = { 'SSE-S3': 1, 'SSE-KMS': 2, 'SSE-C': 3 } as const;

/**
 * FORMAT.md §5.3 — S3 allows 2 KiB of user metadata in total (names + values, UTF-8). The envelope
 * must leave room for the caller's own metadata, so the whole user metadata (ours + theirs) is
 * checked against this limit at PUT time.
 */
export const USER_METADATA_LIMIT = 2048;
/** FORMAT.md §5.2 — longest envelope value accepted by a reader (base64url of ≤ 2048 bytes). */
export const ENVELOPE_MAX_ENCODED = 2731;
export const ENVELOPE_MAX_DECODED = 2048;

/** FORMAT.md §6.2 — S3's limit on a single PUT: the ciphertext of a single-part object must fit it. */
export const S3_MAX_PUT_SIZE = 5 * 1024 * 1024 * 1024;
/** FORMAT.md §7.4 — S3's limits that ciphertext parts must respect. */
export const S3_MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;
export const S3_MAX_PARTS = 10000;
/** FORMAT.md §7.3 — most runs a layout may hold (bounds the layout field). */
export const LAYOUT_MAX_RUNS = 64;
