import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MINIO_TOOL, spawnMinio, waitMinioLive } from '../embedded/minio-server.js';
import { stopProcess } from '../embedded/server-process.js';
import { ensureBuilt } from '../embedded/tool-cache.js';

export interface EmbeddedMinio {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  stop(): Promise<void>;
  /** SIGTERM to MinIO's process group without waiting: for a process 'exit' handler, which cannot wait */
  kill(): void;
}

/**
 * The embedded default's object server: an unmodified MinIO (built once into the tool cache, see
 * src/embedded/tool-cache.ts) run as a separate process, data in the project-local data dir so the demo
 * keeps its objects between runs.
 */
export async function startEmbeddedMinio(dataDir: string, accessKey: string, secretKey: string): Promise<EmbeddedMinio> {
  const binary = await ensureBuilt(MINIO_TOOL);
  const dir = join(dataDir, 'minio');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const server = await spawnMinio({ binary, dir, accessKey, secretKey });
  // no data dir given: stopping never deletes the demo's data
  const stop = (): Promise<void> => stopProcess(server.proc.pid, undefined);
  try {
    await waitMinioLive('minio', server);
  } catch (err) {
    await stop();
    throw err;
  }
  const kill = (): void => {
    try {
      process.kill(-server.proc.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  return { endpoint: server.endpoint, accessKey, secretKey, stop, kill };
}
