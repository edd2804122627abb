import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnMinio, waitMinioLive } from '../../src/embedded/minio-server.js';
import { runningService } from './running-service.js';
import type { RunningService } from './service-descriptor.js';
import { makeDataDir, randomSecret, startOrCleanUp } from './service-process.js';
import { ensureTool } from './tools.js';

export interface MinioOptions {
  /**
   * Give MinIO a static KMS key (`MINIO_KMS_SECRET_KEY=name:base64-32-bytes`) so its *native* SSE-S3
   * works: the baseline for comparison benchmarks. Without it MinIO rejects SSE-S3 requests.
   */
  nativeSse?: boolean;
}

/**
 * Starts a single-drive MinIO on free loopback ports with fresh root credentials and a temp data dir
 * (the same start as the embedded demo's, src/embedded/minio-server.ts).
 */
export async function startMinio(options: MinioOptions = {}): Promise<RunningService> {
  const name = options.nativeSse === true ? 'minio-sse' : 'minio';
  const binary = await ensureTool('minio');
  const dataDir = makeDataDir(name);
  mkdirSync(join(dataDir, 'data'));
  const accessKey = `s3seal${randomSecret(6)}`;
  const secretKey = randomSecret(20);
  const env: Record<string, string> = {};
  if (options.nativeSse === true) env['MINIO_KMS_SECRET_KEY'] = `s3seal-minio-key:${randomBytes(32).toString('base64')}`;
  const server = await spawnMinio({ binary, dir: dataDir, accessKey, secretKey, env });
  return startOrCleanUp(server.proc, async () => {
    await waitMinioLive(name, server);
    return runningService({ name, endpoint: server.endpoint, accessKey, secretKey, region: 'us-east-1', pid: server.proc.pid, dataDir, logFile: server.proc.logFile });
  });
}
