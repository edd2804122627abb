import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTool } from '../../scripts/harness/tools.js';
import { freePort } from '../../scripts/harness/free-port.js';
import { spawnService, stopProcess, waitHealthy } from '../../scripts/harness/service-process.js';

export interface EmbeddedMinio {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  stop(): Promise<void>;
}

/**
 * The embedded default's object server: an unmodified MinIO (built once into the tool cache, see
 * scripts/harness/tools.ts) run as a separate process, data in the project-local data dir so the demo
 * keeps its objects between runs.
 */
export async function startEmbeddedMinio(dataDir: string, accessKey: string, secretKey: string): Promise<EmbeddedMinio> {
  const binary = await ensureTool('minio');
  const dir = join(dataDir, 'minio');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const consolePort = await freePort();
  const proc = spawnService(binary, ['server', join(dir, 'data'), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`], dir, {
    ...process.env,
    MINIO_UPDATE: 'off',
    MINIO_BROWSER: 'off',
    MINIO_ROOT_USER: accessKey,
    MINIO_ROOT_PASSWORD: secretKey,
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = (): Promise<void> => stopProcess(proc.pid, undefined);
  try {
    await waitHealthy('minio', proc, async () => (await fetch(`${endpoint}/minio/health/live`)).ok, 120_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, accessKey, secretKey, stop };
}
