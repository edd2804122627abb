/**
 * `npm run services -- <command>`: the real services for the demo and for manual testing.
 *   build [name…|all]   build/install the tools into the cache (no services started)
 *   up <name…|all>      start services detached; they keep running after this command exits
 *   down [name…]        stop services started by `up` (all when no name) and remove their data
 *   status              list what `up` started and whether it still runs
 * State (pids, endpoints, credentials, temp dirs) lives in <cache>/run/services.json.
 */
import { parseArgs } from 'node:util';
import { runStateFile } from './harness/cache-dir.js';
import { formatDuration } from '../src/embedded/format-duration.js';
import { formatService } from './harness/print-service.js';
import { runningService } from './harness/running-service.js';
import { describe, isServiceName, isUnavailable, SERVICE_NAMES, type ServiceName } from './harness/service-descriptor.js';
import { isAlive } from './harness/service-process.js';
import { readRunState, writeRunState } from './harness/services-state.js';
import { startService, TOOL_FOR_SERVICE } from './harness/start-service.js';
import { ensureTool, isToolName, TOOL_NAMES, type ToolName } from './harness/tools.js';

const USAGE = `usage: npm run services -- <build [name…|all] | up <name…|all> | down [name…] | status>
services: ${SERVICE_NAMES.join(', ')}   tools: ${TOOL_NAMES.join(', ')}`;

function serviceNames(args: string[], defaultAll: boolean): ServiceName[] {
  if (args.length === 0 && defaultAll) return [...SERVICE_NAMES];
  if (args.includes('all')) return [...SERVICE_NAMES];
  return args.map((arg) => {
    if (!isServiceName(arg)) throw new UsageError(`unknown service "${arg}"`);
    return arg;
  });
}

class UsageError extends Error {}

async function build(args: string[]): Promise<number> {
  const tools: ToolName[] = args.length === 0 || args.includes('all')
    ? [...TOOL_NAMES]
    : args.map((arg) => {
      if (isToolName(arg)) return arg;
      if (isServiceName(arg)) return TOOL_FOR_SERVICE[arg];
      throw new UsageError(`unknown tool "${arg}"`);
    });
  let failed = 0;
  // One at a time: each Go build already uses every core.
  for (const tool of new Set(tools)) {
    const started = Date.now();
    try {
      const path = await ensureTool(tool);
      console.log(`${tool}: ${path} (${formatDuration(Date.now() - started)})`);
    } catch (error) {
      failed++;
      console.log(`${tool}: UNAVAILABLE after ${formatDuration(Date.now() - started)}\n  ${(error instanceof Error ? error.message : String(error)).split('\n').join('\n  ')}`);
    }
  }
  // An unavailable tool is reported, not fatal: the test run records it and the tests needing it fail.
  return failed === tools.length && tools.length > 0 ? 1 : 0;
}

async function up(args: string[]): Promise<number> {
  const names = serviceNames(args, false);
  if (names.length === 0) throw new UsageError('up needs at least one service name (or "all")');
  const state = readRunState();
  let failed = 0;
  for (const tool of new Set(names.map((name) => TOOL_FOR_SERVICE[name]))) await ensureTool(tool).catch(() => undefined);
  for (const name of names) {
    const existing = state[name];
    if (existing !== undefined && !isUnavailable(existing) && isAlive(existing.pid)) {
      console.log(`${formatService(existing)}\n  (already running)`);
      continue;
    }
    try {
      const service = await startService(name);
      state[name] = describe(service);
      writeRunState(state);
      console.log(formatService(state[name]));
    } catch (error) {
      failed++;
      console.error(`${name}: FAILED\n  ${(error instanceof Error ? error.message : String(error)).split('\n').join('\n  ')}`);
    }
  }
  console.log(`state: ${runStateFile()}`);
  return failed > 0 ? 1 : 0;
}

async function down(args: string[]): Promise<number> {
  const names = serviceNames(args, true);
  const state = readRunState();
  for (const name of names) {
    const entry = state[name];
    if (entry === undefined) continue;
    if (!isUnavailable(entry)) {
      await runningService(entry).stop();
      console.log(`${name}: stopped`);
    }
    delete state[name];
  }
  writeRunState(state);
  return 0;
}

function status(): number {
  const state = readRunState();
  const entries = Object.values(state).filter((entry) => entry !== undefined);
  if (entries.length === 0) console.log('no services running (started by `services up`)');
  for (const entry of entries) {
    const running = isUnavailable(entry) ? '' : isAlive(entry.pid) ? '  [running]' : '  [NOT RUNNING — run `down` to clean up]';
    console.log(`${formatService(entry)}${running}`);
  }
  return 0;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  const [command, ...rest] = positionals;
  if (values.help === true || command === undefined) {
    console.log(USAGE);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  switch (command) {
    case 'build': return build(rest);
    case 'up': return up(rest);
    case 'down': return down(rest);
    case 'status': return status();
    default: throw new UsageError(`unknown command "${command}"`);
  }
}

main().then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
