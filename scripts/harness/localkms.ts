import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { runningService } from './running-service.js';
import type { RunningService } from './service-descriptor.js';
import { makeDataDir, spawnService, startOrCleanUp, waitHealthy } from './service-process.js';
import { ensureTool } from './tools.js';

export const LOCALKMS_REGION = 'us-east-1';
export const LOCALKMS_ACCOUNT_ID = '111122223333';

/**
 * Starts local-kms (AWS KMS API). It binds all interfaces and cannot be told otherwise, so the port is
 * probed on 0.0.0.0, and KMS_DATA_PATH must point at our temp dir (its default is a shared directory).
 * local-kms does not check signatures, but the SDK needs some credentials to sign with.
 */
export async function startLocalKms(): Promise<RunningService> {
  const binary = await ensureTool('local-kms');
  const port = await freePort('0.0.0.0');
  const dataDir = makeDataDir('localkms');
  mkdirSync(join(dataDir, 'data'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    KMS_DATA_PATH: join(dataDir, 'data'),
    KMS_REGION: LOCALKMS_REGION,
    KMS_ACCOUNT_ID: LOCALKMS_ACCOUNT_ID,
    // A seed path that does not exist: no keys are imported from a shared default location.
    KMS_SEED_PATH: join(dataDir, 'no-seed.yaml'),
  };
  const proc = spawnService(binary, [], dataDir, env);
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKey = 'local-kms-not-checked';
  const secretKey = 'local-kms-not-checked';
  return startOrCleanUp(proc, async () => {
    const client = new KMSClient({ endpoint, region: LOCALKMS_REGION, credentials: { accessKeyId: accessKey, secretAccessKey: secretKey }, maxAttempts: 1 });
    try {
      await waitHealthy('localkms', proc, async () => {
        await client.send(new ListKeysCommand({}));
        return true;
      }, 60_000);
    } finally {
      client.destroy();
    }
    return runningService({ name: 'localkms', endpoint, accessKey, secretKey, region: LOCALKMS_REGION, pid: proc.pid, dataDir, logFile: proc.logFile });
  });
}
