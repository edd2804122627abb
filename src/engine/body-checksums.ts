import { CHECKSUM_DIGEST_SIZE } from '../crypto/constants.js';
import { equalSecret } from '../crypto/kdf.js';
import type { SealedChecksum, SealedChecksumAlgorithm } from '../crypto/sealed-checksums.js';
import { SealError } from '../errors.js';

/**
 * The plaintext checksums of a write's body, as the door verifies them (the S3 core:
 * PlaintextChecksums). The engine seals what `verify` returns into the envelope (FORMAT.md §5.7); it
 * never computes or compares checksums itself.
 */
export interface BodyChecksums {
  /**
   * every algorithm `verify` will return; known when the request arrives (its headers name them), so
   * the envelope's final size — and the metadata budget — is known before a byte is sent
   */
  algorithms: readonly SealedChecksumAlgorithm[];
  /**
   * the values the request carried before its body (checksum headers): sealed into the envelope that
   * goes up with the body. A value that only arrives after the body (an aws-chunked trailer) or that
   * is computed without one to compare is sealed by a second, metadata-only write (see SealedObjects.put).
   */
  declared: readonly SealedChecksum[];
  /**
   * Awaited after the last plaintext byte and before the final ciphertext chunk is sealed: computes the
   * digests, compares them with what the caller sent (throwing BadDigest on a mismatch, so the backend
   * never receives a complete object), and returns them, all FULL_OBJECT.
   */
  verify: () => Promise<readonly SealedChecksum[]>;
}

/** Same-size stand-ins for the values not yet known: an envelope sealed with them is exactly as long as the final one. */
export function probeEntries(c: BodyChecksums): SealedChecksum[] {
  return c.algorithms.map((algorithm) => c.declared.find((d) => d.algorithm === algorithm) ?? { algorithm, type: 'FULL_OBJECT', digest: Buffer.alloc(CHECKSUM_DIGEST_SIZE[algorithm]) });
}

/**
 * What `verify` returned, checked against what was announced: exactly the announced algorithms, and
 * every declared value unchanged (verify compares them already; this keeps a door's mistake from
 * sealing a value other than the one in the envelope sent ahead of the body).
 */
export function checkVerified(c: BodyChecksums, verified: readonly SealedChecksum[]): void {
  const names = (l: readonly { algorithm: string }[]): string => l.map((x) => x.algorithm).sort().join(',');
  if (names(verified) !== names(c.algorithms.map((algorithm) => ({ algorithm })))) {
    throw new SealError('BadDigest', `the body's checksums (${names(verified)}) are not the ones the request announced (${names(c.algorithms.map((algorithm) => ({ algorithm })))})`);
  }
  for (const d of c.declared) {
    const v = verified.find((x) => x.algorithm === d.algorithm);
    if (!v || !equalSecret(v.digest, d.digest)) throw new SealError('BadDigest', `The ${d.algorithm} you specified did not match the calculated checksum.`);
  }
}

/** `verify`, then checkVerified: the body's checksums, or BadDigest */
export async function verifiedChecksums(c: BodyChecksums): Promise<readonly SealedChecksum[]> {
  const v = await c.verify();
  checkVerified(c, v);
  return v;
}

/**
 * The check a sealing stream awaits before its final chunk (FramedTransform's beforeFinal) for a
 * body with checksums, and what it verified: `verified()` is set once the hook passed, so a write
 * that succeeded has it. Without checksums there is no hook.
 */
export function checksumHook(c: BodyChecksums | undefined): { beforeFinal?: () => Promise<void>; verified: () => readonly SealedChecksum[] | undefined } {
  if (!c) return { verified: () => undefined };
  let verified: readonly SealedChecksum[] | undefined;
  return {
    beforeFinal: async () => {
      verified = await verifiedChecksums(c);
    },
    verified: () => verified,
  };
}

/** whether every verified value went up with the body already (nothing is left to seal after it) */
export function allDeclared(c: BodyChecksums): boolean {
  return c.algorithms.every((a) => c.declared.some((d) => d.algorithm === a));
}
