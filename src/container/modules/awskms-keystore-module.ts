import { KMSClient } from '@aws-sdk/client-kms';
import { ContainerModule } from 'inversify';
import { AwsKmsKeystore } from '../../keystores/awskms-keystore.js';
import type { S3SealConfig } from '../config.js';
import { bindService, getService, TOKENS } from '../tokens.js';

type AwsKmsConfig = NonNullable<S3SealConfig['keystores']['awskms']>;

/**
 * AWS KMS (or local-kms): the KMS client under its own token (rebindable, e.g. to one with other
 * credentials), the keystore over it, and the keystore in the `Keystore` multi-binding. Closing the
 * container destroys the client.
 */
export function awsKmsKeystoreModule(a: AwsKmsConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bindService(bind, TOKENS.KmsClient)
      .toDynamicValue(
        () =>
          new KMSClient({
            region: a.region,
            ...(a.endpoint ? { endpoint: a.endpoint } : {}),
            ...(a.accessKeyId && a.secretAccessKey ? { credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } } : {}),
            // DESIGN.md "Retries": the SDK's standard strategy (throttling, clock skew, retry quota);
            // the keystore turns it off for the calls that are not idempotent
            retryMode: 'standard',
            // a KMS that hangs is an outage (retried, then 503), not a request that never returns
            requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
          }),
      )
      .onDeactivation((client) => client.destroy());
    bindService(bind, TOKENS.AwsKmsKeystore).toDynamicValue((ctx) => new AwsKmsKeystore(getService(ctx, TOKENS.KmsClient), { rotateOnDemand: a.rotateOnDemand }));
    bindService(bind, TOKENS.Keystore).toService(TOKENS.AwsKmsKeystore);
  });
}
