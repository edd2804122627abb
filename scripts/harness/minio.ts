import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from './free-port.js';
import { runningService } from './running-service.js';
import type { RunningService } from './service-descriptor.js';
import { makeDataDir, randomSecret, spawnService, startOrCleanUp, waitHealthy } from './service-process.js';
import { ensureTool } from './tools.js';

export interface MinioOptions {
  /**
   * Give MinIO a static KMS key (`MINIO_KMS_SECRET_KEY=name:base64-32-bytes`) so its *native* SSE-S3
   * works: the baseline for comparison benchmarks. Without it MinIO rejects SSE-S3 requests.
   */
  nativeSse?: boolean;
}

/** Starts a single-drive MinIO on free loopback ports with fresh root credentials and a temp data dir. */
export async function startMinio(options: MinioOptions = {}): Promise<RunningService> {
  const name = options.nativeSse === true ? 'minio-sse' : 'minio';
  const binary = await ensureTool('minio');
  const [port, consolePort] = await freePorts(2);
  const dataDir = makeDataDir(name);
  mkdirSync(join(dataDir, 'data'));
  const accessKey = `s3seal${randomSecret(6)}`;
  const secretKey = randomSecret(20);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MINIO_UPDATE: 'off', // no update checks: no network here, and a test server must not change under us
    MINIO_ROOT_USER: accessKey,
    MINIO_ROOT_PASSWORD: secretKey,
    MINIO_BROWSER: 'off',
  };
  if (options.nativeSse === true) env['MINIO_KMS_SECRET_KEY'] = `s3seal-minio-key:${randomBytes(32).toString('base64')}`;
  const proc = spawnService(binary, ['server', join(dataDir, 'data'), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`], dataDir, env);
  const endpoint = `http://127.0.0.1:${port}`;
  return startOrCleanUp(proc, async () => {
    await waitHealthy(name, proc, async () => (await fetch(`${endpoint}/minio/health/live`)).ok, 120_000);
    return runningService({ name, endpoint, accessKey, secretKey, region: 'us-east-1', pid: proc.pid, dataDir, logFile: proc.logFile });
  });
}
