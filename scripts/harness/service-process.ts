import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isShuttingDown, stopProcess, type ServiceProcess } from '../../src/embedded/server-process.js';

// Spawning, health checks and stopping are shared with the embedded demo, so they live in product code;
// the harness's modules and tests import them from here, next to the harness-only helpers below.
export { isAlive, spawnService, stopAllSpawned, stopProcess, waitHealthy, type ServiceProcess } from '../../src/embedded/server-process.js';

/** A fresh temp dir for one service instance: its data and its log live (and die) together. */
export function makeDataDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `s3seal-${name}-`));
}

/** Runs `start`; on failure stops the process and removes its data dir so nothing leaks. */
export async function startOrCleanUp<T>(proc: ServiceProcess, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    // The data dir goes, but the log is what explains the failure: keep a copy next to it.
    if (isShuttingDown()) throw error; // interrupted on purpose: nothing to explain
    const keptLog = `${proc.dataDir}.log`;
    await stopProcess(proc.pid, undefined);
    try { copyFileSync(proc.logFile, keptLog); } catch { /* no log written */ }
    await stopProcess(proc.pid, proc.dataDir, proc.extraFiles);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message.split(proc.logFile).join(keptLog)}\n(log kept at ${keptLog})`);
  }
}

/** Random credential string (hex) — services get fresh credentials each run. */
export function randomSecret(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}
