import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Bind, BindToFluentSyntax, RebindSync } from 'inversify';
import type { ObjectStore } from '../backends/object-store.js';
import type { AllowedReadKeys } from '../engine/materials/allowed-read-keys.js';
import type { KeystoreRegistry } from '../engine/materials/keystore-registry.js';
import type { MaterialsManager } from '../engine/materials/materials-manager.js';
import type { SealedObjects, SealedObjectsOptions } from '../engine/sealed-objects.js';
import type { ObjectActionPolicy } from '../engine/facade/object-action-policy.js';
import type { ObjectFacade } from '../engine/facade/object-facade.js';
import type { ListedSizes } from '../engine/listed-sizes.js';
import type { AwsKmsKeystore } from '../keystores/awskms-keystore.js';
import type { BucketKeyCache } from '../keystores/bucket-key-cache.js';
import type { FileKeystore } from '../keystores/file-keystore.js';
import type { Keystore } from '../keystores/keystore.js';
import type { ResolvedKeyIds } from '../keystores/resolved-key-ids.js';
import type { VaultKeystore } from '../keystores/vault/vault-keystore.js';
import type { S3Core } from '../adapters/s3/s3-core.js';
import type { S3Gateway } from '../adapters/gateway/s3-gateway.js';
import type { AccessKeyLookup } from '../policies/access-key-lookup.js';
import type { BucketEncryptionSettings } from '../engine/facade/bucket-encryption.js';
import type { WritePlanner } from '../engine/materials/write-planner.js';
import type { AuditLog } from '../policies/audit-log.js';
import type { PolicyDecisions } from '../policies/policy-decisions.js';
import type { PolicySource } from '../policies/policy-source.js';
import type { S3SealConfig } from './config.js';

/**
 * An injection token that carries the type bound under it. Interfaces have no runtime value, so every
 * binding is by an explicit symbol; the phantom `__type` lets `getService(c, TOKENS.X)` and
 * `bindService(bind, TOKENS.X)` check the type instead of trusting a `get<T>` written at each call.
 */
export type Token<T> = symbol & { readonly __type?: T };

/** the type a token stands for */
export type TokenType<K> = K extends Token<infer T> ? T : never;

/** `Symbol.for`: a token is the same symbol in every copy of the module (e.g. two bundles of s3seal) */
function token<T>(name: string): Token<T> {
  return Symbol.for(`s3seal.${name}`);
}

/** the upload-token root as SealedObjects takes it: configured bytes, or a derivation from a keystore key */
export type UploadTokenRoot = SealedObjectsOptions['uploadTokenRoot'];

/** Every token is rebindable: `createContainer(config, { modules })` loads modules after the defaults. */
export const TOKENS = {
  Config: token<S3SealConfig>('Config'),
  // backend
  S3Client: token<S3Client>('S3Client'),
  ObjectStore: token<ObjectStore>('ObjectStore'),
  // keystores: each configured one under its own token and, as a multi-binding, under `Keystore`
  FileKeystore: token<FileKeystore>('FileKeystore'),
  VaultKeystore: token<VaultKeystore>('VaultKeystore'),
  KmsClient: token<KMSClient>('KmsClient'),
  AwsKmsKeystore: token<AwsKmsKeystore>('AwsKmsKeystore'),
  Keystore: token<Keystore>('Keystore'),
  // key materials: the registry of all bound keystores and the caches it shares between requests
  BucketKeyCache: token<BucketKeyCache>('BucketKeyCache'),
  ResolvedKeyIds: token<ResolvedKeyIds>('ResolvedKeyIds'),
  /** the managed SSE-S3 key (config `sseS3Key`) */
  SseS3KeyRef: token<string>('SseS3KeyRef'),
  KeystoreRegistry: token<KeystoreRegistry>('KeystoreRegistry'),
  /** the read-side key pin: key grants with a policy document, else config `defaultKmsKey` + `readKeys` (bound by the policies module) */
  AllowedReadKeys: token<AllowedReadKeys>('AllowedReadKeys'),
  /** picks key resolvers: from the encryption plan on write, from the envelope on read */
  MaterialsManager: token<MaterialsManager>('MaterialsManager'),
  // engine
  UploadTokenRoot: token<UploadTokenRoot>('UploadTokenRoot'),
  SealedObjects: token<SealedObjects>('SealedObjects'),
  // policies
  /** the loaded policy document, reloaded on SIGHUP / change (bound only when config `policy` is set) */
  PolicySource: token<PolicySource>('PolicySource'),
  /** audit events (config `audit`) */
  AuditLog: token<AuditLog>('AuditLog'),
  /** bucket default encryption, MACed in the reserved bucket (config `bucketEncryption`) */
  BucketEncryptionSettings: token<BucketEncryptionSettings>('BucketEncryptionSettings'),
  /** the policy layer: the three ports below are this one object unless rebound */
  PolicyDecisions: token<PolicyDecisions>('PolicyDecisions'),
  /** may this principal do this S3 action to this object (the policy document's statements; allow-all without one) */
  ObjectActionPolicy: token<ObjectActionPolicy>('ObjectActionPolicy'),
  /** every write's plan: bucket default, floors, encrypt grant */
  WritePlanner: token<WritePlanner>('WritePlanner'),
  /** plaintext sizes of LIST entries (config `listing`): the size formula or HEADs, with the (bucket, key, ETag) cache */
  ListedSizes: token<ListedSizes>('ListedSizes'),
  /** the engine facade: the one way doors reach objects */
  ObjectFacade: token<ObjectFacade>('ObjectFacade'),
  // S3 core
  /** S3Request → S3Response over the facade: what every door (SDK plugin, minio transport, gateway) calls */
  S3Core: token<S3Core>('S3Core'),
  // the gateway door (config `gateway`; built only when asked for)
  /** gateway access key id → principal and secret: the policy document's access keys */
  AccessKeyLookup: token<AccessKeyLookup>('AccessKeyLookup'),
  /** the gateway's request listener over the S3 core (createS3Handler, startGateway) */
  S3Gateway: token<S3Gateway>('S3Gateway'),
} as const;

/** what can hand out services: a Container, or the ResolutionContext a factory gets */
export interface ServiceSource {
  get<T>(id: symbol): T;
  getAll<T>(id: symbol): T[];
}

/** the service bound under `t`, typed by the token */
export function getService<T>(from: ServiceSource, t: Token<T>): T {
  return from.get<T>(t);
}

/** every service bound under a multi-binding token (e.g. TOKENS.Keystore) */
export function getAllServices<T>(from: ServiceSource, t: Token<T>): T[] {
  return from.getAll<T>(t);
}

/** a module's `bind` or `rebind` with the token's type, so a factory cannot return the wrong thing */
export function bindService<T>(bind: Bind | RebindSync, t: Token<T>): BindToFluentSyntax<T> {
  return bind<T>(t);
}
