import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { LABEL } from '../crypto/constants.js';
import { equalSecret, hkdf, V1 } from '../crypto/kdf.js';
import { SealError } from '../errors.js';
import type { BucketEncryption } from '../engine/facade/bucket-encryption.js';

// canonicalize ships CommonJS with an ESM-style typing (see src/crypto/encryption-context.ts)
const canonicalize = createRequire(import.meta.url)('canonicalize') as (v: unknown) => string | undefined;

/** FORMAT.md §13 — the document's format id */
export const DOCUMENT_FORMAT = 's3seal bucket encryption 1';
/** FORMAT.md §13 — the one object in the reserved bucket that holds every configuration */
export const DOCUMENT_KEY = 's3seal/bucket-encryption.json';
/** FORMAT.md §13 — a stored document longer than this is refused unread (and none this long is written) */
export const DOCUMENT_LIMIT = 1024 * 1024;
/** KMS key ids, ARNs and alias names are at most 2048 characters (KMS API reference, KeyId) */
const KEY_ID_MAX = 2048;
const BUCKET_NAME_MAX = 255;

/** A document whose MAC verified: its version and the configuration of each bucket. */
export interface BucketEncryptionDocument {
  version: number;
  buckets: ReadonlyMap<string, BucketEncryption>;
}

/** A verified document with its MAC (two documents of one version must have the same MAC). */
export interface VerifiedDocument extends BucketEncryptionDocument {
  mac: Buffer;
}

/** A document that is not what an s3seal instance of this deployment wrote: `message` says why. */
class Untrusted extends Error {}

/** FORMAT.md §13 — the HMAC key of the document: KDF(R, "", "bucket config", ""), R the upload-token root (§7.1). */
export function bucketConfigMacKey(root: Uint8Array): Buffer {
  if (root.length !== 32) throw new RangeError('the upload-token root must be 32 bytes');
  return hkdf(root, Buffer.alloc(0), V1, LABEL.bucketConfig);
}

/** the configuration of one bucket as the document stores it: exactly the fields FORMAT.md §13 names */
function configurationJson(c: BucketEncryption): Record<string, unknown> {
  return {
    algorithm: c.algorithm,
    ...(c.kmsKeyId !== undefined ? { kmsKeyId: c.kmsKeyId } : {}),
    bucketKeyEnabled: c.bucketKeyEnabled,
    blockedEncryptionTypes: [...c.blockedEncryptionTypes],
  };
}

/** the MACed part of a document: every field but `mac` */
function bodyJson(reservedBucket: string, doc: BucketEncryptionDocument): Record<string, unknown> {
  const buckets: Record<string, unknown> = {};
  for (const [name, c] of doc.buckets) buckets[name] = configurationJson(c);
  return { format: DOCUMENT_FORMAT, reservedBucket, version: doc.version, buckets };
}

function canonical(v: unknown): Buffer {
  const s = canonicalize(v);
  if (s === undefined) throw new SealError('InvalidArgument', 'bucket encryption document cannot be serialised');
  return Buffer.from(s, 'utf8');
}

function macOf(macKey: Uint8Array, body: Record<string, unknown>): Buffer {
  return createHmac('sha256', macKey).update(canonical(body)).digest();
}

/**
 * Why a configuration is not one s3seal stores, or undefined when it is: the rules of FORMAT.md §13
 * for one bucket's entry (also what PutBucketEncryption must have checked).
 */
export function configurationProblem(c: unknown): string | undefined {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return 'is not an object';
  const o = c as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['algorithm', 'kmsKeyId', 'bucketKeyEnabled', 'blockedEncryptionTypes'].includes(k)) return `has an unknown field "${k}"`;
  if (o['algorithm'] !== 'AES256' && o['algorithm'] !== 'aws:kms') return 'has an algorithm other than AES256 or aws:kms';
  const keyId = o['kmsKeyId'];
  if (keyId !== undefined) {
    if (o['algorithm'] !== 'aws:kms') return 'names a kmsKeyId without aws:kms';
    if (typeof keyId !== 'string' || keyId.trim() === '' || keyId.length > KEY_ID_MAX) return 'has a kmsKeyId that is not a key id';
  }
  if (typeof o['bucketKeyEnabled'] !== 'boolean') return 'has a bucketKeyEnabled that is not a boolean';
  const blocked = o['blockedEncryptionTypes'];
  if (!Array.isArray(blocked) || blocked.some((b) => b !== 'SSE-C') || blocked.length > 1) return 'has blockedEncryptionTypes other than [] or ["SSE-C"]';
  return undefined;
}

/** a bucket name the document may hold: non-empty, not the reserved bucket */
function bucketNameProblem(name: string, reservedBucket: string): string | undefined {
  if (name === '' || name.length > BUCKET_NAME_MAX) return 'has a name of the wrong length';
  if (name === reservedBucket) return 'is the reserved bucket itself';
  return undefined;
}

/**
 * The stored bytes of a document (FORMAT.md §13): the RFC 8785 canonical JSON of its fields and
 * `mac`, the base64url HMAC-SHA-256 under `macKey` of the canonical JSON of the other fields.
 * Refuses a document longer than DOCUMENT_LIMIT.
 */
export function encodeBucketEncryptionDocument(macKey: Uint8Array, reservedBucket: string, doc: BucketEncryptionDocument): { bytes: Buffer; mac: Buffer } {
  if (!Number.isSafeInteger(doc.version) || doc.version < 1) throw new RangeError('document version must be a positive integer');
  for (const [name, c] of doc.buckets) {
    const problem = bucketNameProblem(name, reservedBucket) ?? configurationProblem(configurationJson(c));
    if (problem !== undefined) throw new SealError('InvalidArgument', `bucket encryption of "${name}": ${problem}`);
  }
  const body = bodyJson(reservedBucket, doc);
  const mac = macOf(macKey, body);
  const bytes = canonical({ ...body, mac: mac.toString('base64url') });
  if (bytes.length > DOCUMENT_LIMIT) throw new SealError('InvalidArgument', `the bucket encryption document would be over ${DOCUMENT_LIMIT} bytes (too many configured buckets)`);
  return { bytes, mac };
}

function parseJson(bytes: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new Untrusted('the document is not UTF-8 JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Untrusted('the document is not a JSON object');
  return v as Record<string, unknown>;
}

/** base64url of exactly 32 bytes, canonical (FORMAT.md §1) */
function macField(v: unknown): Buffer {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(v)) throw new Untrusted('the document has no well-formed mac');
  const mac = Buffer.from(v, 'base64url');
  if (mac.toString('base64url') !== v) throw new Untrusted('the document has no well-formed mac');
  return mac;
}

/**
 * A stored document, verified (FORMAT.md §13 "Reading"): parsed, its MAC checked (constant time)
 * before any field is believed, then its format id, reserved-bucket name, version and every entry.
 * Anything else is SealError BucketConfigurationInvalid whose message says what failed (never a key).
 */
export function decodeBucketEncryptionDocument(macKey: Uint8Array, reservedBucket: string, bytes: Buffer): VerifiedDocument {
  try {
    if (bytes.length > DOCUMENT_LIMIT) throw new Untrusted(`the document is over ${DOCUMENT_LIMIT} bytes`);
    const o = parseJson(bytes);
    const mac = macField(o['mac']);
    const { mac: _, ...body } = o;
    if (!equalSecret(macOf(macKey, body), mac)) throw new Untrusted('the document MAC does not verify (edited, or written under another deployment root)');
    for (const k of Object.keys(o)) if (!['format', 'reservedBucket', 'version', 'buckets', 'mac'].includes(k)) throw new Untrusted(`the document has an unknown field "${k}"`);
    if (o['format'] !== DOCUMENT_FORMAT) throw new Untrusted('the document is of another format');
    if (o['reservedBucket'] !== reservedBucket) throw new Untrusted('the document names another reserved bucket');
    const version = o['version'];
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw new Untrusted('the document version is not a positive integer');
    const entries = o['buckets'];
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) throw new Untrusted('the document has no buckets object');
    const buckets = new Map<string, BucketEncryption>();
    for (const [name, c] of Object.entries(entries as Record<string, unknown>)) {
      const problem = bucketNameProblem(name, reservedBucket) ?? configurationProblem(c);
      if (problem !== undefined) throw new Untrusted(`the entry of bucket "${name}" ${problem}`);
      const e = c as BucketEncryption;
      buckets.set(name, {
        algorithm: e.algorithm,
        ...(e.kmsKeyId !== undefined ? { kmsKeyId: e.kmsKeyId } : {}),
        bucketKeyEnabled: e.bucketKeyEnabled,
        blockedEncryptionTypes: e.blockedEncryptionTypes.length > 0 ? ['SSE-C'] : [],
      });
    }
    return { version, buckets, mac };
  } catch (err) {
    // anything else thrown over these bytes (a number canonical JSON cannot write, say) is untrusted too
    throw new SealError('BucketConfigurationInvalid', err instanceof Untrusted ? err.message : 'the document cannot be read as canonical JSON');
  }
}
