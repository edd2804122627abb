import { createHash } from 'node:crypto';
import { SealError } from '../../errors.js';

/**
 * An SSE-C key as minio-js users write it: `{ type: 'SSE-C', SSECustomerKey }` on CopySourceOptions /
 * CopyDestinationOptions `Encryption`; the key base64 (as S3's header carries it) or its 32 bytes.
 * minio-js's own typing of `Encryption` has no key field: `sseCustomerKey(key)` builds one.
 */
export interface SseCustomerKeyEncryption {
  type: 'SSE-C';
  SSECustomerKey: string | Uint8Array;
  /** base64 MD5 of the key; computed when absent */
  SSECustomerKeyMD5?: string;
}

/** the three SSE-C values of S3's headers (algorithm, base64 key, base64 MD5 of the key) */
export interface SseCustomerKeyTriple {
  SSECustomerAlgorithm: 'AES256';
  SSECustomerKey: string;
  SSECustomerKeyMD5: string;
}

function base64Of(key: string | Uint8Array): string {
  return typeof key === 'string' ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64');
}

/**
 * The S3 header values of an SSE-C key — what minio-js's getObject / getPartialObject / fGetObject /
 * statObject take as `getOpts`. The MD5 is the one S3 requires beside the key (the core checks it); the
 * key is not validated here (the core refuses a key that is not 32 bytes with S3's InvalidArgument).
 */
export function sseCustomerKeyTriple(key: string | Uint8Array, md5?: string): SseCustomerKeyTriple {
  const b64 = base64Of(key);
  return { SSECustomerAlgorithm: 'AES256', SSECustomerKey: b64, SSECustomerKeyMD5: md5 ?? createHash('md5').update(Buffer.from(b64, 'base64')).digest('base64') };
}

/** `{ type: 'SSE-C', SSECustomerKey }` for a copy's `Encryption` (source or destination) */
export function sseCustomerKey(key: string | Uint8Array): SseCustomerKeyEncryption {
  return { type: 'SSE-C', SSECustomerKey: base64Of(key) };
}

/** the SSE-C headers of an object write — putObject / fPutObject `metaData`, as S3 names them */
export function sseCustomerKeyHeaders(key: string | Uint8Array): Record<string, string> {
  const t = sseCustomerKeyTriple(key);
  return {
    'X-Amz-Server-Side-Encryption-Customer-Algorithm': t.SSECustomerAlgorithm,
    'X-Amz-Server-Side-Encryption-Customer-Key': t.SSECustomerKey,
    'X-Amz-Server-Side-Encryption-Customer-Key-MD5': t.SSECustomerKeyMD5,
  };
}

/**
 * The headers of a copy's `Encryption`, which minio-js 8.0.7 cannot send itself: its
 * CopyDestinationOptions.validate() refuses every non-empty `Encryption` (an inverted emptiness
 * check), it would turn `{ type: 'SSE-C' }` into `x-amz-server-side-encryption: AES256` — SSE-S3 —
 * and it ignores a source's `Encryption`. The sealed client sends what minio-js means, as S3 names
 * it: SSE-C (copy-source headers for a source), or KMS `SSEAlgorithm` and `KMSMasterKeyID` for a
 * destination. An SSE-C `Encryption` without a key is refused rather than stored as SSE-S3.
 * Undefined: no Encryption to translate (a source's KMS needs no parameters on S3).
 */
export function copyEncryptionHeaders(encryption: unknown, side: 'source' | 'destination'): Record<string, string> | undefined {
  if (typeof encryption !== 'object' || encryption === null) return undefined;
  const type = (encryption as { type?: unknown }).type;
  if (type === 'KMS' && side === 'destination') {
    const e = encryption as { SSEAlgorithm?: unknown; KMSMasterKeyID?: unknown };
    return {
      ...(typeof e.SSEAlgorithm === 'string' ? { 'X-Amz-Server-Side-Encryption': e.SSEAlgorithm } : {}),
      ...(typeof e.KMSMasterKeyID === 'string' ? { 'X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id': e.KMSMasterKeyID } : {}),
    };
  }
  if (type !== 'SSE-C') return undefined;
  const e = encryption as Partial<SseCustomerKeyEncryption>;
  if (typeof e.SSECustomerKey !== 'string' && !(e.SSECustomerKey instanceof Uint8Array)) {
    throw new SealError('InvalidArgument', `An SSE-C copy ${side} needs its key: Encryption { type: 'SSE-C', SSECustomerKey } (sseCustomerKey(key)).`);
  }
  const t = sseCustomerKeyTriple(e.SSECustomerKey, e.SSECustomerKeyMD5);
  const p = side === 'source' ? 'X-Amz-Copy-Source-Server-Side-Encryption-Customer-' : 'X-Amz-Server-Side-Encryption-Customer-';
  return { [`${p}Algorithm`]: t.SSECustomerAlgorithm, [`${p}Key`]: t.SSECustomerKey, [`${p}Key-MD5`]: t.SSECustomerKeyMD5 };
}
