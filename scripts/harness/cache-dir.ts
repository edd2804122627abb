import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Root of everything the harness keeps between runs. It lives outside the repository so that a clean
 * clone, `git clean` or a second checkout reuse the (slow to build) tools instead of rebuilding them.
 */
export function cacheDir(): string {
  const fromEnv = process.env['S3SEAL_CACHE'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.cache', 's3seal');
}

/** Where built / installed tool binaries live (one stamp file per tool records its version). */
export function toolsBinDir(): string {
  return join(cacheDir(), 'tools', 'bin');
}

/** State of `npm run services -- up` (pids, endpoints, credentials) so `down` / `status` find them. */
export function runStateFile(): string {
  return join(cacheDir(), 'run', 'services.json');
}
