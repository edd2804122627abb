import { mkdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MINIO_TOOL, spawnMinio, waitMinioLive } from '../embedded/minio-server.js';
import { isAlive, stopProcess } from '../embedded/server-process.js';
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
  const pidFile = join(dir, 'minio.pid');
  await stopLeftOver(pidFile, dir);
  const server = await spawnMinio({ binary, dir, accessKey, secretKey });
  writeFileSync(pidFile, `${server.proc.pid}\n`);
  // no data dir given: stopping never deletes the demo's data
  const stop = async (): Promise<void> => {
    await stopProcess(server.proc.pid, undefined);
    rmSync(pidFile, { force: true });
  };
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

/**
 * A MinIO of an earlier run that was killed outright (SIGKILL, OOM: no exit handler ran) still holds
 * the data dir; stop it first. Only a process whose working directory is this dir is signalled, so a
 * recycled pid of an unrelated process is left alone.
 */
async function stopLeftOver(pidFile: string, dir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  let cwd: string | undefined;
  try {
    cwd = realpathSync(readlinkSync(`/proc/${pid}/cwd`));
  } catch {
    cwd = undefined;
  }
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && cwd === realpathSync(dir)) await stopProcess(pid, undefined);
  rmSync(pidFile, { force: true });
}
