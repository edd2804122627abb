import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Root of everything kept between runs (built tools, the harness's run state). It lives outside the
 * repository and outside any installed package, so a clean clone, `git clean`, a second checkout or a
 * reinstall reuse the (slow to build) tools instead of rebuilding them.
 */
export function cacheDir(): string {
  const fromEnv = process.env['S3SEAL_CACHE'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.cache', 's3seal');
}

/** Where built / installed tool binaries live (one stamp file per tool records its version). */
export function toolsBinDir(): string {
  return join(cacheDir(), 'tools', 'bin');
}
