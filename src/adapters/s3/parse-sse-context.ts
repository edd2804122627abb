import { SealError } from '../../errors.js';
import { DERIVED_CONTEXT_KEYS, type EncryptionContext } from '../../crypto/encryption-context.js';
import { decodeBase64Strict } from './decode-base64-strict.js';

// Amazon S3's message for a malformed context (quoted from an S3 response in minio/minio-go#2235).
export const SSE_CONTEXT_MALFORMED = "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map";

/** Refused unread beyond this (S3 caps all request headers at 8 KiB; the envelope budget is far smaller). */
export const SSE_CONTEXT_MAX_CHARS = 8192;

/**
 * `x-amz-server-side-encryption-context`: base64 of UTF-8 JSON holding a string-to-string map.
 * Anything else → InvalidArgument 400 with S3's message. `{}` means no context (undefined). The
 * derived key `aws:s3:arn` is S3's to set, never the caller's (DESIGN.md "Modes").
 */
export function parseSseContext(value: string): EncryptionContext | undefined {
  const bytes = decodeBase64Strict(value, SSE_CONTEXT_MAX_CHARS);
  if (!bytes) throw new SealError('InvalidArgument', SSE_CONTEXT_MALFORMED);
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new SealError('InvalidArgument', SSE_CONTEXT_MALFORMED);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SealError('InvalidArgument', SSE_CONTEXT_MALFORMED);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SealError('InvalidArgument', SSE_CONTEXT_MALFORMED);
  const entries = Object.entries(parsed as Record<string, unknown>);
  const context: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw new SealError('InvalidArgument', SSE_CONTEXT_MALFORMED);
    if ((DERIVED_CONTEXT_KEYS as readonly string[]).includes(k)) throw new SealError('InvalidArgument', `encryption context key "${k}" is reserved`);
    // defineProperty: a "__proto__" entry stays a plain entry, never the object's prototype
    Object.defineProperty(context, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return entries.length === 0 ? undefined : context;
}
