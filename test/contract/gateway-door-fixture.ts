/**
 * The gateway door as the door contract drives it: `s3seal serve`'s startGateway on a free loopback
 * port (HTTPS, self-signed certificate), a real @aws-sdk/client-s3 S3Client pointed at it with an
 * access key of the policy document (its principal may do everything), over a real object server
 * and the keystore under test — the same keys as the SDK door's fixture.
 */
import { randomBytes } from 'node:crypto';
import type { S3SealConfigInput } from '../../src/container/config.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';
import type { DoorUnderTest } from './door-contract.js';
import { keys, type ContractBackend, type ContractKeystore } from './sdk-door-fixture.js';

export async function gatewayDoor(keystore: ContractKeystore, backend: ContractBackend = 'minio'): Promise<DoorUnderTest> {
  const b = service(backend);
  const k = await keys(keystore);
  const reservedBucket = `s3seal-gw-${randomBytes(4).toString('hex')}`;
  const base: S3SealConfigInput = {
    backend: { endpoint: b.endpoint, region: b.region ?? 'us-east-1', accessKeyId: b.accessKey!, secretAccessKey: b.secretKey! },
    uploadTokenRoot: randomBytes(32).toString('base64'),
    bucketEncryption: { reservedBucket },
    ...k.config,
  };
  const gw = await startTestGateway(base);
  const client = gw.client();
  const raw = s3Client(b);
  return {
    s3: client,
    sdkClient: client,
    rawHeaders: true,
    backend: raw,
    freshBucket: (prefix) => freshBucket(b, prefix),
    // another gateway instance on the same configuration: its own container, port and connections
    secondInstance: async () => {
      const other = await gw.again();
      return { s3: other.client(), close: () => other.close() };
    },
    kmsKey: k.kmsKey,
    reservedBucket,
    close: async () => {
      raw.destroy();
      await gw.close();
      k.done();
    },
  };
}
