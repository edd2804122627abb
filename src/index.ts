/**
 * Public API of s3seal (sealed package exports: only what is listed here). The ways in are the doors
 * (the SDK v3 plugin; the S3 core for a transport of one's own) and the engine facade: request
 * objects in, result objects out. Key materials are chosen inside (the materials manager: the plan
 * on write, the envelope on read), so no key resolver, data key or cipher stream is exported.
 */
export { createContainer, type CreateContainerOptions } from './container/create-container.js';
export { closeContainer } from './container/close-container.js';
export { TOKENS, getService, getAllServices, bindService, type Token, type TokenType, type UploadTokenRoot, type ServiceSource } from './container/tokens.js';
export { resolveConfig, ConfigError, type S3SealConfig, type S3SealConfigInput } from './container/config.js';
export { loadConfig, type LoadConfigOptions } from './container/load-config.js';
export { startContainer } from './container/start-container.js';
export { StartupCheckError } from './container/startup-check-error.js';
export { S3SealError, isS3SealError, SealError, isSealError, type SealErrorCode } from './errors.js';
export type { ObjectStore, StoredObjectInfo, ByteRange, PutResult, ContentHeaders, DeleteResult } from './backends/object-store.js';
export { ObjectFacade } from './engine/facade/object-facade.js';
export { allowAllActions, type ObjectActionPolicy, type ObjectAction, type ActionConditions } from './engine/facade/object-action-policy.js';
export type { BucketEncryption, BucketEncryptionSettings } from './engine/facade/bucket-encryption.js';
export type * from './engine/facade/facade-types.js';
export type * from './engine/facade/copy-object-types.js';
export type { UpdateObjectEncryptionRequest, UpdateObjectEncryptionResult } from './engine/facade/update-object-encryption.js';
export type * from './engine/facade/list-types.js';
export type * from './engine/facade/delete-objects-types.js';
export type * from './engine/facade/object-attributes-types.js';
export type * from './backends/object-listing.js';
export { ListedSizes, type ListedSizesOptions, type EncryptedOnlyPrefix } from './engine/listed-sizes.js';
export { S3ObjectStore, type S3ObjectStoreOptions } from './backends/s3-object-store.js';
export { FileKeystore, type FileKeystoreOptions } from './keystores/file-keystore.js';
export type { Keystore, KeystoreCapabilities, KeyDescription, GeneratedDataKey, RewrappedKey } from './keystores/keystore.js';
export { KeystoreError, type KeystoreErrorCode } from './keystores/keystore-error.js';
export { singlePartCiphertextSize, singlePartPlaintextSize, MAX_PART_PLAINTEXT } from './engine/size-math.js';
export type { KeystoreRegistry } from './engine/materials/keystore-registry.js';
export { MaterialsManager, type EncryptionPlan, type MaterialsManagerOptions, type ReadMaterialsRequest } from './engine/materials/materials-manager.js';
export type { AllowedReadKeys, KeyUseRequest } from './engine/materials/allowed-read-keys.js';
export type { WritePlanner, WritePlanRequest, WriteOperation } from './engine/materials/write-planner.js';
export { ConfiguredReadKeys, type ConfiguredReadKeysOptions } from './engine/materials/configured-read-keys.js';
export { VaultKeystore, type VaultKeystoreOptions } from './keystores/vault/vault-keystore.js';
export { AwsKmsKeystore, type AwsKmsKeystoreOptions } from './keystores/awskms-keystore.js';
export { BucketKeyCache, type BucketKeyLimits, type BucketKeyCacheStats } from './keystores/bucket-key-cache.js';
export { parseKeyRef, formatKeyRef, type KeyRef } from './keystores/key-ref.js';
export { S3Core, type S3CoreOptions, type S3RequestSummary } from './adapters/s3/s3-core.js';
export type { S3Request } from './adapters/s3/s3-request.js';
export type { S3Response } from './adapters/s3/s3-response.js';
export type { S3CoreContext, S3OperationName } from './adapters/s3/s3-operation.js';
export type { ChunkSignatureVerifier } from './adapters/s3/chunk-signature-verifier.js';
export { BackendRequestError } from './backends/backend-request-error.js';
export { getS3SealPlugin, type S3SealPlugin } from './adapters/sdk-v3/s3seal-plugin.js';
export { createSealedS3Client, SealedS3Client, type SealedS3ClientConfig } from './adapters/sdk-v3/sealed-s3-client.js';
export type { S3SealPluginOptions } from './adapters/sdk-v3/sdk-door-options.js';
export { PresignUnsupportedError } from './adapters/sdk-v3/presign-unsupported-error.js';
// the policy layer (docs/POLICY.md): documents, their reloading source, the decisions and the audit trail
export { PolicyDocumentError } from './policies/policy-document-error.js';
export { parsePolicyDocument, loadPolicyDocument } from './policies/load-policy-document.js';
export type { PolicyDocument } from './policies/policy-document.js';
export { PolicySource, type PolicySourceLog } from './policies/policy-source.js';
export { PolicyDecisions, type PolicyDecisionsOptions } from './policies/policy-decisions.js';
export { AuditLog, type AuditEvent, type AuditDestination } from './policies/audit-log.js';
export { BucketEncryptionStore } from './policies/bucket-encryption-store.js';
// the minio door: a real minio.Client whose transport is the S3 core in this process
export { createSealedMinioClient, SealedMinioClient, type SealedMinioClientOptions, type S3SealMinioOptions } from './adapters/minio/sealed-minio-client.js';
export { sseCustomerKey, sseCustomerKeyTriple, sseCustomerKeyHeaders, type SseCustomerKeyEncryption, type SseCustomerKeyTriple } from './adapters/minio/sse-c-options.js';
// the gateway door (docs/GATEWAY.md): the request listener to mount, and `s3seal serve`'s server
export { createS3Handler, type S3RequestListener } from './adapters/gateway/create-s3-handler.js';
export { startGateway, type StartGatewayOptions, type RunningGateway } from './adapters/gateway/start-gateway.js';
export type { AccessKeyLookup } from './policies/access-key-lookup.js';
export type { AccessKeyIdentity } from './policies/policy-document.js';
