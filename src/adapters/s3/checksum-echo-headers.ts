import type { ObjectChecksums } from '../../engine/facade/facade-types.js';
import { checksumHeader } from './checksum-algorithms.js';

/**
 * x-amz-checksum-mode: ENABLED asks GET/HEAD for the object's checksums (the SDK v3 sends it on every
 * GetObject). S3's only value is ENABLED; anything else asks for nothing.
 */
export function checksumModeRequested(headers: Readonly<Record<string, string>>): boolean {
  return headers['x-amz-checksum-mode']?.trim() === 'ENABLED';
}

/**
 * The response headers for an object's plaintext checksums: `x-amz-checksum-<algorithm>` per value
 * and `x-amz-checksum-type`. `checksums` is the facade's result field: present on GET/HEAD only when
 * the request set checksumMode (and never for a range), on PUT the checksums sealed with the object.
 * Nothing else may produce these headers: the backend's own (ciphertext) checksum headers are never
 * copied to a response.
 */
export function checksumEchoHeaders(checksums: ObjectChecksums | undefined, opts: { type?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  if (!checksums) return out;
  for (const [algorithm, value] of Object.entries(checksums.values) as [keyof ObjectChecksums['values'], string][]) out[checksumHeader(algorithm)] = value;
  // UploadPart answers the values without a type (UploadPartOutput has no ChecksumType): `type: false`
  if (Object.keys(out).length > 0 && opts.type !== false) out['x-amz-checksum-type'] = checksums.type;
  return out;
}
