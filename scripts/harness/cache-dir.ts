import { join } from 'node:path';
import { cacheDir } from '../../src/embedded/cache-dir.js';

/** State of `npm run services -- up` (pids, endpoints, credentials) so `down` / `status` find them. */
export function runStateFile(): string {
  return join(cacheDir(), 'run', 'services.json');
}
