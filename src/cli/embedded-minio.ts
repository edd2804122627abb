import { mkdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
  // MinIO's pid and ours (its parent): a later start tells a crashed owner (stop its MinIO) from a running one (refuse)
  writeFileSync(pidFile, `${server.proc.pid} ${process.pid}\n`);
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

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function cwdOf(pid: number): string | undefined {
  try {
    return realpathSync(readlinkSync(`/proc/${pid}/cwd`));
  } catch {
    return undefined;
  }
}

/**
 * A MinIO of an earlier run that was killed outright (SIGKILL, OOM: no exit handler ran) still holds
 * the data dir; stop it first — two MinIOs on one drive must not run. Only a process whose working
 * directory is this dir is signalled, so a recycled pid of an unrelated process is left alone. While
 * the s3seal process that started it still runs (`s3seal serve` and `s3seal demo` on the same dir),
 * refuse instead.
 */
async function stopLeftOver(pidFile: string, dir: string): Promise<void> {
  let minioPid: number;
  let ownerPid: number;
  try {
    [minioPid = NaN, ownerPid = NaN] = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number);
  } catch {
    return;
  }
  if (!(Number.isInteger(minioPid) && minioPid > 0 && isAlive(minioPid) && cwdOf(minioPid) === realpathSync(dir))) {
    rmSync(pidFile, { force: true });
    return;
  }
  // the owner still runs while it is MinIO's parent (a dead owner's MinIO is reparented)
  if (ownerPid !== process.pid && parentOf(minioPid) === ownerPid) {
    throw new Error(`the data dir ${dirname(dir)} is in use by s3seal process ${ownerPid} (its MinIO is pid ${minioPid}); stop it or use another --data-dir`);
  }
  await stopProcess(minioPid, undefined);
  rmSync(pidFile, { force: true });
}
