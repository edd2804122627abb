import { createHash } from 'node:crypto';
import { Crc32, Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';

/** The flexible-checksum algorithms S3 accepts (`x-amz-checksum-<lower-case name>`, `x-amz-sdk-checksum-algorithm`). */
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** A running digest: fed synchronously while the body streams, read once at the end. */
export interface Digester {
  update(data: Uint8Array): void;
  digest(): Promise<Uint8Array>;
}

/** digest sizes in bytes: a header whose base64 value decodes to another size is malformed */
export const DIGEST_SIZE: Readonly<Record<ChecksumAlgorithm | 'MD5', number>> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32, MD5: 16 };

/** `x-amz-checksum-crc32` … as a header or trailer name */
export function checksumHeader(alg: ChecksumAlgorithm): string {
  return `x-amz-checksum-${alg.toLowerCase()}`;
}

function nodeHash(name: string): Digester {
  const h = createHash(name);
  return { update: (d) => void h.update(d), digest: () => Promise.resolve(h.digest()) };
}

/**
 * A fresh digester. The CRCs are the AWS SDK's own implementations (@aws-sdk/checksums), so what
 * s3seal computes is bit for bit what the SDK sent; the hashes are node:crypto's.
 */
export function newDigester(alg: ChecksumAlgorithm | 'MD5'): Digester {
  switch (alg) {
    case 'MD5':
      return nodeHash('md5');
    case 'SHA1':
      return nodeHash('sha1');
    case 'SHA256':
      return nodeHash('sha256');
    case 'CRC32':
      return new Crc32();
    case 'CRC32C':
      return new Crc32c();
    case 'CRC64NVME':
      return new Crc64Nvme();
  }
}
