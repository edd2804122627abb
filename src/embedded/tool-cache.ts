import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, toolsBinDir } from './cache-dir.js';
import { formatDuration } from './format-duration.js';
import { runLogged, tailFile } from './run-logged.js';

/**
 * The tool cache: third-party servers (MinIO for the embedded demo; the test harness adds local-kms,
 * OpenBao and SeaweedFS) are built or installed once into `<cache>/tools/` and reused while their
 * pinned version is unchanged (DESIGN.md "Real services").
 */
export interface ToolSpec {
  /** file-system-safe name: the stamp, the log and the in-flight build are keyed by it */
  readonly name: string;
  /** Changes whenever the built artefact would change, so a version bump rebuilds. */
  version(): string;
  /** Human estimate printed before a cold build, so nobody thinks the run hangs. */
  readonly expectedTime: string;
  /** Builds/installs into the cache, writing output to `log`; returns the path of the executable. */
  build(log: string): Promise<string>;
  /** Path of the executable once built (undefined when not found). */
  locate(): string | undefined;
}

/** A tool that cannot be had on this machine (build refused, proxy refused…); `message` is the exact cause. */
export class ToolUnavailableError extends Error {
  readonly code = 'ToolUnavailable';
  constructor(readonly tool: string, message: string) {
    super(message);
    this.name = 'ToolUnavailableError';
  }
}

/** Runs one build step with its output in `log`; a non-zero exit becomes a ToolUnavailableError quoting the log's tail. */
export async function mustRun(tool: string, command: string, args: string[], log: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  const code = await runLogged(command, args, { logFile: log, ...options });
  if (code !== 0) {
    throw new ToolUnavailableError(
      tool,
      `${tool}: \`${command} ${args.join(' ')}\` exited with ${code}; log ${log}:\n${tailFile(log, 15)}`,
    );
  }
}

/** `dir/name` when it exists. */
export function fileIn(dir: string, name: string): string | undefined {
  const file = join(dir, name);
  return existsSync(file) ? file : undefined;
}

/**
 * A tool that `go install module@version` builds as the binary `name` in the tools dir. Go's own
 * module and build caches stay in their default places: they are shared with other Go work and make a
 * rebuild after a version bump incremental.
 */
export function goInstallTool(name: string, module: string, expectedTime: string): ToolSpec {
  return {
    name,
    version: () => module,
    expectedTime,
    locate: () => fileIn(toolsBinDir(), name),
    async build(log) {
      await mustRun(name, 'go', ['install', module], log, { env: { ...process.env, GOBIN: toolsBinDir() } });
      return join(toolsBinDir(), name);
    },
  };
}

const stampFile = (name: string): string => join(toolsBinDir(), `.${name}.stamp`);
const inFlight = new Map<string, Promise<string>>();

/**
 * Returns the path of the tool's executable, building or installing it into the cache the first time
 * (or when its pinned version changed). Progress goes to stderr because a cold MinIO build takes minutes.
 */
export function ensureBuilt(spec: ToolSpec): Promise<string> {
  let pending = inFlight.get(spec.name);
  if (pending === undefined) {
    pending = ensureBuiltOnce(spec);
    inFlight.set(spec.name, pending);
    // A failure is not cached: the next call retries (the cause may have been transient).
    pending.catch(() => inFlight.delete(spec.name));
  }
  return pending;
}

async function ensureBuiltOnce(spec: ToolSpec): Promise<string> {
  const { name } = spec;
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
