import { ENVELOPE_METADATA_KEY, RESERVED_METADATA_PREFIX, USER_METADATA_LIMIT } from '../crypto/constants.js';
import { SealError } from '../errors.js';

/** User metadata as S3 SDKs pass it: names without the `x-amz-meta-` prefix. */
export type UserMetadata = Readonly<Record<string, string>>;

/** A caller can never set (or smuggle in) a reserved name, in any letter case. */
export function assertNoReservedMetadata(meta: UserMetadata): void {
  for (const name of Object.keys(meta)) {
    if (name.toLowerCase().startsWith(RESERVED_METADATA_PREFIX)) {
      throw new SealError('InvalidArgument', `user metadata name "${name}" is reserved for s3seal`);
    }
  }
}

const PREFIX_BYTES = 'x-amz-meta-'.length;

/**
 * The UTF-8 bytes of every header name (with its `x-amz-meta-` prefix) and value. AWS documents
 * "each key and value"; MinIO counts the prefixed header name (seen in the worst-case test: 2 047
 * bytes without prefixes was refused). Counting the prefix is the stricter reading and fits both.
 */
export function metadataSize(meta: UserMetadata): number {
  let n = 0;
  for (const [k, v] of Object.entries(meta)) n += PREFIX_BYTES + Buffer.byteLength(k, 'utf8') + Buffer.byteLength(v, 'utf8');
  return n;
}

/** Caller metadata + the envelope must fit S3's 2 KiB; otherwise MetadataTooLarge (400). */
export function withEnvelope(meta: UserMetadata, envelope: string): Record<string, string> {
  assertNoReservedMetadata(meta);
  const out = { ...meta, [ENVELOPE_METADATA_KEY]: envelope };
  const size = metadataSize(out);
  if (size > USER_METADATA_LIMIT) {
    throw new SealError('MetadataTooLarge', `Your metadata headers exceed the maximum allowed metadata size: ${size} bytes including the ${Buffer.byteLength(envelope) + ENVELOPE_METADATA_KEY.length}-byte s3seal envelope, limit ${USER_METADATA_LIMIT}`);
  }
  return out;
}
