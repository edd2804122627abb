/**
 * What `npm test` runs after the build. AVA has no global setup, so this wrapper starts every real
 * service once, hands their descriptors to the test workers in a JSON file (S3SEAL_TEST_SERVICES),
 * runs AVA (extra CLI arguments are forwarded), and stops every service on exit, failure or interrupt.
 * Exit code = AVA's.
 *
 * S3SEAL_TEST_SERVICES_ONLY=minio,localkms restricts which services start (fast local iteration);
 * tests needing another service then fail with a clear "not started" error.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDuration } from '../src/embedded/format-duration.js';
import { describe, isServiceName, SERVICE_NAMES, type RunningService, type ServiceName, type ServicesFile } from './harness/service-descriptor.js';
import { writeServicesFile } from './harness/services-state.js';
import { stopAllSpawned } from './harness/service-process.js';
import { startService, TOOL_FOR_SERVICE } from './harness/start-service.js';
import { ensureTool } from './harness/tools.js';

function selectedServices(): ServiceName[] {
  const only = process.env['S3SEAL_TEST_SERVICES_ONLY'];
  if (only === undefined || only.trim() === '') return [...SERVICE_NAMES];
  return only.split(',').map((name) => name.trim()).filter((name) => name !== '').map((name) => {
    if (!isServiceName(name)) throw new Error(`S3SEAL_TEST_SERVICES_ONLY: unknown service "${name}" (known: ${SERVICE_NAMES.join(', ')})`);
    return name;
  });
}

const running: RunningService[] = [];
let stopping: Promise<void> | undefined;
const tempDir = mkdtempSync(join(tmpdir(), 's3seal-test-run-'));

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    await Promise.allSettled(running.map((service) => service.stop()));
    await stopAllSpawned(); // servers still starting when interrupted

    rmSync(tempDir, { recursive: true, force: true });
  })();
  return stopping;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<number> {
  const names = selectedServices();
  const services: ServicesFile = {};

  // Tools first, one at a time (a Go build already uses every core); then start in parallel.
  const buildStarted = Date.now();
  const toolErrors = new Map<string, string>();
  for (const tool of new Set(names.map((name) => TOOL_FOR_SERVICE[name]))) {
    await ensureTool(tool).catch((error: unknown) => toolErrors.set(tool, errorText(error)));
  }
  const startStarted = Date.now();
  await Promise.all(names.map(async (name) => {
    const toolError = toolErrors.get(TOOL_FOR_SERVICE[name]);
    if (toolError !== undefined) {
      services[name] = { name, unavailable: toolError };
      return;
    }
    try {
      const service = await startService(name);
      running.push(service);
      services[name] = describe(service);
    } catch (error) {
      services[name] = { name, unavailable: errorText(error) };
    }
  }));
  for (const name of names) {
    const entry = services[name];
    if (entry !== undefined && 'unavailable' in entry) process.stderr.write(`service ${name} UNAVAILABLE (tests needing it will fail):\n  ${entry.unavailable.split('\n').join('\n  ')}\n`);
  }
  process.stderr.write(`services: tools ready in ${formatDuration(startStarted - buildStarted)}, started ${running.map((s) => s.name).join(', ') || 'none'} in ${formatDuration(Date.now() - startStarted)}\n`);

  const servicesFile = join(tempDir, 'services.json');
  writeServicesFile(servicesFile, services);

  const avaArgs = process.argv.slice(2);
  const ava = spawn('npx', ['ava', ...avaArgs], {
    stdio: 'inherit',
    // the SDK's "future releases need Node 22" notice would repeat in every worker; package.json pins the SDK
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env, S3SEAL_TEST_SERVICES: servicesFile },
  });
  return new Promise<number>((resolve) => {
    ava.on('error', (error) => {
      process.stderr.write(`could not run ava: ${error.message}\n`);
      resolve(1);
    });
    ava.on('exit', (code, signal) => resolve(code ?? (signal !== null ? 1 : 0)));
  });
}

// Interrupts: AVA (same process group) receives the signal too; we only have to clean up and exit.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping services…\n`);
    void stopAll().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
  });
}

main().then(
  async (code) => {
    await stopAll();
    process.exit(code);
  },
  async (error: unknown) => {
    process.stderr.write(`test-run failed: ${errorText(error)}\n`);
    await stopAll();
    process.exit(1);
  },
);
