/**
 * A bucket's default encryption as S3's PutBucketEncryption sets it (one rule:
 * ApplyServerSideEncryptionByDefault {SSEAlgorithm, KMSMasterKeyID}, BucketKeyEnabled,
 * BlockedEncryptionTypes). `kmsKeyId` is kept as the caller gave it (S3 echoes it so).
 */
export interface BucketEncryption {
  algorithm: 'AES256' | 'aws:kms';
  /** aws:kms only; absent: the configured default KMS key */
  kmsKeyId?: string;
  bucketKeyEnabled: boolean;
  /** S3 knows one blockable type today, SSE-C */
  blockedEncryptionTypes: readonly 'SSE-C'[];
}

/**
 * Where bucket encryption configurations live (DESIGN.md "Bucket encryption configuration"): in the
 * backend, in one reserved bucket, MACed, shared by every instance. `get` fails closed — a
 * configuration that was tampered with, rolled back or deleted is an error, never "none".
 */
export interface BucketEncryptionSettings {
  /** the reserved bucket: hidden from ListBuckets, refused to every door */
  readonly reservedBucket: string;
  get(bucket: string): Promise<BucketEncryption | undefined>;
  put(bucket: string, configuration: BucketEncryption): Promise<void>;
  /** true when there was one to delete */
  delete(bucket: string): Promise<boolean>;
}
