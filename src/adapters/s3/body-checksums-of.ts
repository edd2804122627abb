import type { BodyChecksums } from '../../engine/body-checksums.js';
import type { SealedChecksum, SealedChecksumAlgorithm } from '../../crypto/sealed-checksums.js';
import type { PlaintextChecksums, PlaintextDigests } from './plaintext-checksums.js';

export interface BodyChecksumsOptions {
  /** seal the plaintext MD5 too (the optional plaintext-MD5 ETag, DESIGN.md "ETags"); default: not stored */
  sealMd5?: boolean;
}

function entriesOf(d: PlaintextDigests, sealMd5: boolean): SealedChecksum[] {
  const out: SealedChecksum[] = [];
  if (d.checksum) out.push({ algorithm: d.checksum.algorithm, type: 'FULL_OBJECT', digest: Buffer.from(d.checksum.value, 'base64') });
  if (sealMd5 && d.contentMd5 !== undefined) out.push({ algorithm: 'MD5', type: 'FULL_OBJECT', digest: Buffer.from(d.contentMd5, 'base64') });
  return out;
}

/**
 * What the engine seals for a PUT body (FORMAT.md §5.7) from the S3 core's PlaintextChecksums: the
 * announced algorithms, the values the headers carried, and `verify` — which the engine awaits
 * before the final ciphertext chunk (`beforeFinal`), so a mismatch stores nothing. `trailers` gives
 * the decoded aws-chunked trailers once the body has ended (AwsChunkedDecoder.trailers), or
 * undefined for a body that is not aws-chunked. Undefined only when the request has no checksum at
 * all; a request whose only checksum is a Content-MD5 still gets one (`algorithms` empty), so its
 * MD5 is verified before the final chunk — it is not stored unless `sealMd5`, as on S3.
 */
export function bodyChecksumsOf(checksums: PlaintextChecksums, trailers: () => ReadonlyMap<string, string> | undefined, opts: BodyChecksumsOptions = {}): BodyChecksums | undefined {
  const sealMd5 = opts.sealMd5 === true && checksums.computesMd5;
  const algorithms: SealedChecksumAlgorithm[] = [];
  if (checksums.algorithm) algorithms.push(checksums.algorithm);
  if (sealMd5) algorithms.push('MD5');
  if (!checksums.active) return undefined;
  return {
    algorithms,
    declared: entriesOf(checksums.declared(), sealMd5),
    verify: async () => entriesOf(await checksums.verify(trailers()), sealMd5),
  };
}
