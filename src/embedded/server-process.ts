import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tailFile } from './run-logged.js';

/**
 * Running and stopping the unmodified third-party servers s3seal starts as separate processes: the
 * embedded demo's MinIO, and every server of the test harness (scripts/harness), which imports this.
 */
export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  dataDir: string;
  logFile: string;
  extraFiles: readonly string[];
}

// Every server this process spawned and has not stopped yet, including ones still starting up, so an
// interrupt during startup leaves nothing behind (see stopAllSpawned).
const spawned = new Map<number, { dataDir: string; extraFiles: readonly string[] }>();
let shuttingDown = false;

/** Stops every server spawned by this process (e.g. on SIGINT while some are still starting). */
export async function stopAllSpawned(): Promise<void> {
  shuttingDown = true;
  await Promise.allSettled([...spawned].map(([pid, { dataDir, extraFiles }]) => stopProcess(pid, dataDir, extraFiles)));
}

/** True once stopAllSpawned ran: a startup failing after that was interrupted on purpose. */
export function isShuttingDown(): boolean {
  return shuttingDown;
}

/**
 * Starts a server process with stdout/stderr in `<dataDir>/service.log`, in its own process group
 * (detached) so that stopping it also stops anything it forked, and unref'd so that the `services up`
 * CLI can exit while the server keeps running.
 */
export function spawnService(command: string, args: readonly string[], dataDir: string, env: NodeJS.ProcessEnv, extraFiles: readonly string[] = []): ServiceProcess {
  const logFile = join(dataDir, 'service.log');
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { cwd: dataDir, env, detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command} (see ${logFile})`);
    child.on('error', () => { /* reported through the health check (exitCode) and the log */ });
    spawned.set(child.pid, { dataDir, extraFiles });
    return { child, pid: child.pid, dataDir, logFile, extraFiles };
  } finally {
    closeSync(fd);
  }
}

/** True while `pid` is running; a zombie (exited, not yet reaped by a non-reaping pid 1) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Every server is started with its data dir as working directory. `services down` may run long after
 * `up`; checking the cwd makes sure a recycled pid of an unrelated process is never signalled.
 */
function runsIn(pid: number, dataDir: string | undefined): boolean {
  if (dataDir === undefined) return true;
  try {
    return realpathSync(readlinkSync(`/proc/${pid}/cwd`)) === realpathSync(dataDir);
  } catch {
    return existsSync(dataDir); // no /proc (not Linux) or dir gone: fall back to "the dir still exists"
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try { process.kill(pid, signal); } catch { /* already gone */ }
  }
}

/**
 * SIGTERM the process group, SIGKILL after `graceMs`, then remove the data dir — only a throwaway one
 * (its name contains `s3seal-`, as the harness's temp dirs do; the demo passes `undefined` and keeps
 * its data). Idempotent. The grace is short on purpose: `weed server` hangs in its graceful gRPC stop
 * (minio and local-kms exit within ~150 ms).
 */
export async function stopProcess(pid: number, dataDir: string | undefined, extraFiles: readonly string[] = [], graceMs = 3_000): Promise<void> {
  if (dataDir !== undefined) spawned.delete(pid);
  if (isAlive(pid) && runsIn(pid, dataDir)) {
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) {
      signalGroup(pid, 'SIGKILL');
      const killDeadline = Date.now() + 5_000;
      while (isAlive(pid) && Date.now() < killDeadline) await sleep(100);
    }
  }
  if (dataDir !== undefined && dataDir.includes('s3seal-')) rmSync(dataDir, { recursive: true, force: true });
  if (dataDir !== undefined) for (const file of extraFiles) rmSync(file, { force: true });
}

/**
 * Polls `check` until it resolves true. Fails early, with the log's tail, when the process exits,
 * and after `timeoutMs` with the last check error — so a broken service explains itself.
 */
export async function waitHealthy(name: string, proc: ServiceProcess, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'not healthy yet';
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${name} exited (${proc.child.exitCode ?? proc.child.signalCode}) before becoming healthy; log ${proc.logFile}:\n${tailFile(proc.logFile)}`);
    }
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  throw new Error(`${name} not healthy after ${timeoutMs / 1000}s (${lastError}); log ${proc.logFile}:\n${tailFile(proc.logFile)}`);
}
