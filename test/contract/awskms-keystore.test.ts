import { KMSClient } from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { service } from '../helpers/services.js';
import { keystoreContract, type ContractSubject } from './keystore-contract.js';

let shared: Promise<ContractSubject> | undefined;

function subject(): Promise<ContractSubject> {
  shared ??= (async () => {
    const d = service('localkms');
    const client = new KMSClient({ endpoint: d.endpoint, region: d.region ?? 'us-east-1', credentials: { accessKeyId: d.accessKey ?? 'x', secretAccessKey: d.secretKey ?? 'x' } });
    // local-kms rotates only on its yearly schedule (no RotateKeyOnDemand): declared, and checked as such
    const ks = new AwsKmsKeystore(client, { rotateOnDemand: false });
    const main = await ks.createKey(`alias/contract-main-${randomBytes(4).toString('hex')}`);
    const other = await ks.createKey(`alias/contract-other-${randomBytes(4).toString('hex')}`);
    const secret = await ks.createSecretKey(`alias/contract-hmac-${randomBytes(4).toString('hex')}`);
    return {
      ks,
      secretKeyName: secret.keyId,
      secondInstance: async () => new AwsKmsKeystore(new KMSClient({ endpoint: d.endpoint, region: d.region ?? 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), { rotateOnDemand: false }),
      keyName: main.keyId,
      otherKeyName: other.keyId,
      missingKeyName: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000',
      scratchKeyName: async () => (await ks.createKey(`alias/contract-scratch-${randomBytes(4).toString('hex')}`)).keyId,
    };
  })();
  return shared;
}

keystoreContract('awskms (local-kms)', subject);
