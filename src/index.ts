/** Public API of s3seal (sealed package exports: only what is listed here). */
export { createContainer } from './container/create-container.js';
export { TOKENS } from './container/tokens.js';
export { resolveConfig, ConfigError, type S3SealConfig, type S3SealConfigInput } from './container/config.js';
export { SealError, isSealError, type SealErrorCode } from './errors.js';
export { SealedObjects, type ObjectHead, type ObjectRead, type SealedObjectsOptions } from './engine/sealed-objects.js';
export type { KeyResolver } from './engine/key-resolver.js';
export type { ObjectStore, StoredObjectInfo, ByteRange, PutResult } from './backends/object-store.js';
export { S3ObjectStore } from './backends/s3-object-store.js';
export { FileKeystore, type FileKeystoreOptions } from './keystores/file-keystore.js';
export { KeystoreKeyResolver } from './keystores/keystore-key-resolver.js';
export { SsecKeyResolver } from './keystores/ssec-key-resolver.js';
export type { Keystore, KeystoreCapabilities, KeyDescription, GeneratedDataKey, RewrappedKey } from './keystores/keystore.js';
export { KeystoreError, type KeystoreErrorCode } from './keystores/keystore-error.js';
export { EncryptStream } from './engine/encrypt-stream.js';
export { DecryptStream } from './engine/decrypt-stream.js';
export { singlePartCiphertextSize, singlePartPlaintextSize, MAX_PART_PLAINTEXT } from './engine/size-math.js';
