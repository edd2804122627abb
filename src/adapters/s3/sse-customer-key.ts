import { createHash } from 'node:crypto';
import { SealError } from '../../errors.js';
import { equalSecret, wipe } from '../../crypto/kdf.js';
import { decodeBase64Strict } from './decode-base64-strict.js';

/** A validated SSE-C key: exactly 32 bytes, its MD5 checked. The holder zeroes `key` after use. */
export interface SseCustomerKey {
  key: Buffer;
  /** base64 MD5 of the key as the caller sent it: S3 echoes it in x-amz-server-side-encryption-customer-key-MD5 */
  keyMd5: string;
}

/** The object's SSE-C headers, or the copy source's (x-amz-copy-source-server-side-encryption-customer-*). */
export type SseCustomerHeaderSet = 'object' | 'copy-source';

const PREFIX: Record<SseCustomerHeaderSet, string> = {
  object: 'x-amz-server-side-encryption-customer-',
  'copy-source': 'x-amz-copy-source-server-side-encryption-customer-',
};

// Messages are Amazon S3's own (InvalidArgument 400 unless noted), as S3 answers each case; seen in
// S3 responses quoted in aws/aws-sdk-php#1050 (algorithm), andrewrk/node-s3-client#137 (MD5), and the
// SSE-C user guide ("Amazon S3 rejects any requests made over HTTP when using SSE-C").
export const SSEC_MESSAGES = {
  insecure: 'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.',
  algorithmMissing: 'Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.',
  keyMissing: 'Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.',
  keyInvalid: 'The secret key was invalid for the specified algorithm.',
  md5Missing: 'Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.',
  md5Mismatch: 'The calculated MD5 hash of the key did not match the hash that was provided.',
} as const;

const KEY_SIZE = 32;
// base64 of 32 bytes is 44 characters and of an MD5 24: anything much longer is refused unread
const KEY_MAX_CHARS = 64;
const MD5_MAX_CHARS = 64;

/** Whether the request carries any header of this SSE-C set (the S3 core decides conflicts with it). */
export function hasSseCustomerHeaders(headers: Readonly<Record<string, string>>, set: SseCustomerHeaderSet): boolean {
  const p = PREFIX[set];
  return headers[`${p}algorithm`] !== undefined || headers[`${p}key`] !== undefined || headers[`${p}key-md5`] !== undefined;
}

/**
 * Parse and validate one SSE-C header triple as S3 does (issue 7 item 3): refused over a non-TLS
 * transport (InvalidRequest 400) before the key is even decoded; algorithm must be AES256
 * (missing: InvalidArgument; another value: InvalidEncryptionAlgorithmError, both 400); the key
 * must be base64 of exactly 32 bytes and its MD5 must match (InvalidArgument 400, compared in
 * constant time). Returns undefined when none of the three headers is present. No message quotes
 * a header value, and a rejected key buffer is zeroed before the error is thrown.
 */
export function parseSseCustomerKey(
  headers: Readonly<Record<string, string>>,
  set: SseCustomerHeaderSet,
  secureTransport: boolean,
): SseCustomerKey | undefined {
  if (!hasSseCustomerHeaders(headers, set)) return undefined;
  const p = PREFIX[set];
  if (!secureTransport) throw new SealError('InvalidRequest', SSEC_MESSAGES.insecure);
  const algorithm = headers[`${p}algorithm`];
  if (algorithm === undefined) throw new SealError('InvalidArgument', SSEC_MESSAGES.algorithmMissing);
  if (algorithm !== 'AES256') throw new SealError('InvalidEncryptionAlgorithm', 'The Encryption request you specified is not valid. Supported value: AES256.');
  const encodedKey = headers[`${p}key`];
  if (encodedKey === undefined) throw new SealError('InvalidArgument', SSEC_MESSAGES.keyMissing);
  const key = decodeBase64Strict(encodedKey, KEY_MAX_CHARS);
  if (key?.length !== KEY_SIZE) {
    wipe(key);
    throw new SealError('InvalidArgument', SSEC_MESSAGES.keyInvalid);
  }
  const keyMd5 = headers[`${p}key-md5`];
  if (keyMd5 === undefined) {
    wipe(key);
    throw new SealError('InvalidArgument', SSEC_MESSAGES.md5Missing);
  }
  const claimed = decodeBase64Strict(keyMd5, MD5_MAX_CHARS) ?? Buffer.alloc(0);
  const actual = createHash('md5').update(key).digest();
  // equalSecret: the MD5 is a function of the key, so a timing leak on it would leak about the key
  if (!equalSecret(actual, claimed)) {
    wipe(key);
    throw new SealError('InvalidArgument', SSEC_MESSAGES.md5Mismatch);
  }
  return { key, keyMd5 };
}
