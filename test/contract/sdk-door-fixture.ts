/**
 * The SDK v3 door as the door contract drives it: a sealed S3Client (createSealedS3Client) over a
 * container whose backend is a real object server and whose keys live in the keystore under test,
 * built against the real services the harness started (as the keystore contract and the
 * materials-manager integration tests build them).
 */
import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Container } from 'inversify';
import { join } from 'node:path';
import type { S3SealConfigInput } from '../../src/container/config.js';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { VaultKeystore } from '../../src/keystores/vault/vault-keystore.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { closeContainer, createContainer, createSealedS3Client } from '../../src/index.js';
import { openbao } from '../helpers/openbao-admin.js';
import { freshBucket, kmsClient, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';
import type { DoorUnderTest } from './door-contract.js';

export type ContractKeystore = 'file' | 'openbao' | 'localkms';
export type ContractBackend = 'minio' | 'seaweedfs';

export interface Keys {
  config: Partial<S3SealConfigInput>;
  kmsKey: { id: string; echoed: string };
  done(): void;
}

/** the keystore section, the managed SSE-S3 key and one SSE-KMS key, created in the real keystore */
export async function keys(kind: ContractKeystore): Promise<Keys> {
  const tag = randomBytes(4).toString('hex');
  switch (kind) {
    case 'file': {
      const path = join(tempDir('sdk-door'), 'keys.json');
      const ks = new FileKeystore({ path, create: true });
      await ks.createKey('s3-default');
      const kms = await ks.createKey(`contract-${tag}`);
      return { config: { keystores: { file: { path } }, defaultKmsKeystore: 'file', readKeys: [kms.keyId] }, kmsKey: { id: kms.keyId, echoed: kms.keyId }, done: () => undefined };
    }
    case 'openbao': {
      const o = openbao();
      const ks = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
      const s3Key = await ks.createKey(`${o.mount}/contract-s3-${tag}`);
      const kms = await ks.createKey(`${o.mount}/contract-kms-${tag}`);
      await ks.close();
      return {
        config: { keystores: { vault: { address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } } }, defaultKmsKeystore: 'vault', sseS3Key: s3Key.keyId, readKeys: [kms.keyId] },
        kmsKey: { id: kms.keyId, echoed: kms.keyId },
        done: () => undefined,
      };
    }
    case 'localkms': {
      const d = service('localkms');
      const admin = kmsClient(d);
      const ks = new AwsKmsKeystore(admin);
      const alias = `alias/contract-kms-${tag}`;
      const s3Alias = `alias/contract-s3-${tag}`;
      const [kms] = await Promise.all([ks.createKey(alias), ks.createKey(s3Alias)]);
      return {
        config: { keystores: { awskms: { endpoint: d.endpoint, accessKeyId: d.accessKey!, secretAccessKey: d.secretKey!, rotateOnDemand: false } }, defaultKmsKeystore: 'awskms', sseS3Key: s3Alias, readKeys: [alias] },
        // SSE-KMS writes name the alias; S3 echoes the key's ARN (DESIGN.md "keyRef": the resolved id)
        kmsKey: { id: alias, echoed: kms.keyId },
        done: () => admin.destroy(),
      };
    }
  }
}

/** what every door's fixture builds the same way: a container over `backend` with keys in `keystore` */
export interface ContractContainer {
  config: S3SealConfigInput;
  container: Container;
  kmsKey: { id: string; echoed: string };
  reservedBucket: string;
  backend: S3Client;
  freshBucket(prefix: string): Promise<string>;
  close(): Promise<void>;
}

export async function contractContainer(keystore: ContractKeystore, backend: ContractBackend = 'minio'): Promise<ContractContainer> {
  const b = service(backend);
  const k = await keys(keystore);
  const reservedBucket = `s3seal-door-${randomBytes(4).toString('hex')}`;
  const config: S3SealConfigInput = {
    backend: { endpoint: b.endpoint, region: b.region ?? 'us-east-1', accessKeyId: b.accessKey!, secretAccessKey: b.secretKey! },
    uploadTokenRoot: randomBytes(32).toString('base64'),
    // one deployment root, one reserved bucket: another deployment's configuration document would not verify under this root
    bucketEncryption: { reservedBucket },
    ...k.config,
  };
  const container = createContainer(config);
  const raw = s3Client(b);
  return {
    config,
    container,
    kmsKey: k.kmsKey,
    reservedBucket,
    backend: raw,
    freshBucket: (prefix) => freshBucket(b, prefix),
    close: async () => {
      raw.destroy();
      await closeContainer(container);
      k.done();
    },
  };
}

/** the SDK door over `backend` with keys in `keystore` */
export async function sdkDoor(keystore: ContractKeystore, backend: ContractBackend = 'minio'): Promise<DoorUnderTest> {
  const c = await contractContainer(keystore, backend);
  const client = createSealedS3Client(c.container);
  return {
    s3: client,
    sdkClient: client,
    rawHeaders: true,
    backend: c.backend,
    freshBucket: (prefix) => c.freshBucket(prefix),
    // another process: its own container from the same configuration (the client owns and closes it)
    secondInstance: async () => {
      const other = createSealedS3Client(c.config);
      return { s3: other, close: () => other.close() };
    },
    kmsKey: c.kmsKey,
    reservedBucket: c.reservedBucket,
    close: async () => {
      await client.close();
      await c.close();
    },
  };
}
