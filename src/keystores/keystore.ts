/**
 * The keystore port (DESIGN.md "Keystores"). Keystores know nothing about S3: they generate, unwrap
 * and rewrap 256-bit data keys under named keys, bound to a context. The context is always the
 * canonical JSON binding context (FORMAT.md §5.1); each keystore binds it its own way (file: AAD;
 * Transit: derived-key context = SHA-256 of it; AWS KMS: EncryptionContext map).
 */

export type KeystoreId = 'file' | 'vault' | 'awskms';

export interface KeystoreCapabilities {
  /** keys can be disabled and enabled (disabled keys refuse with KMS.DisabledException) */
  canDisable: boolean;
  /** wrapped keys and descriptions carry a key version */
  exposesKeyVersion: boolean;
  /** rewrap happens inside the keystore, without the data key leaving it */
  nativeRewrap: boolean;
  /** rotateKey works (AWS KMS: RotateKeyOnDemand; local-kms lacks it) */
  rotatesOnDemand: boolean;
}

export interface KeyDescription {
  /** the resolved, stable key id as stored in envelopes (e.g. `file:name`, `vault:transit/name`, a key ARN) */
  keyId: string;
  enabled: boolean;
  /** newest version, where the keystore exposes versions */
  latestVersion?: number;
}

export interface GeneratedDataKey {
  /** the plaintext data key: the caller zeroes it after use */
  plaintext: Buffer;
  wrapped: Buffer;
  keyId: string;
  keyVersion?: number;
}

export interface RewrappedKey {
  wrapped: Buffer;
  keyId: string;
  keyVersion?: number;
}

export interface Keystore {
  readonly id: KeystoreId;
  readonly capabilities: KeystoreCapabilities;
  /** `keyName` is the keystore-local part of a keyRef (see key-ref.ts) */
  generateDataKey(keyName: string, context: string): Promise<GeneratedDataKey>;
  decryptDataKey(keyName: string, wrapped: Buffer, context: string): Promise<Buffer>;
  /**
   * wraps a data key this process already holds (the caller keeps and zeroes `plaintext`) under the
   * newest version of `keyName` with `context`: a copy to another object or key re-wraps the DEK
   * under the destination's binding context, which no rewrap (same context) can do
   */
  encryptDataKey(keyName: string, plaintext: Buffer, context: string): Promise<RewrappedKey>;
  /** to the newest version of the same key, or to `toKeyName` in the same keystore */
  rewrapDataKey(keyName: string, wrapped: Buffer, context: string, toKeyName?: string): Promise<RewrappedKey>;
  createKey(keyName: string): Promise<KeyDescription>;
  rotateKey(keyName: string): Promise<KeyDescription>;
  describeKey(keyName: string): Promise<KeyDescription>;
  /**
   * A 32-byte secret derived deterministically from a key, for s3seal's own MACs (the upload-token
   * root): the same for every instance that shares the keystore, unchanged by rotation, different per
   * label and per key. The key never leaves the keystore (file: HKDF of the key's first version;
   * Transit: HMAC with version 1; AWS KMS: GenerateMac with an HMAC key).
   */
  deriveSecret(keyName: string, label: string): Promise<Buffer>;
  /** present exactly when capabilities.canDisable */
  setEnabled?(keyName: string, enabled: boolean): Promise<KeyDescription>;
}
