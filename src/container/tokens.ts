/** Injection tokens: interfaces have no runtime type, so every binding is by explicit symbol. */
export const TOKENS = {
  Config: Symbol.for('s3seal.Config'),
  S3Client: Symbol.for('s3seal.S3Client'),
  ObjectStore: Symbol.for('s3seal.ObjectStore'),
  FileKeystore: Symbol.for('s3seal.FileKeystore'),
  VaultKeystore: Symbol.for('s3seal.VaultKeystore'),
  AwsKmsKeystore: Symbol.for('s3seal.AwsKmsKeystore'),
  KeystoreRegistry: Symbol.for('s3seal.KeystoreRegistry'),
  SealedObjects: Symbol.for('s3seal.SealedObjects'),
} as const;
