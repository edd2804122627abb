import { join } from 'node:path';
import { freePorts } from './free-port.js';
import { spawnService, waitHealthy, type ServiceProcess } from './server-process.js';
import { goInstallTool } from './tool-cache.js';

/**
 * MinIO, run unmodified as a separate process (it is AGPL: no MinIO code enters s3seal). The
 * repository is no longer maintained; this is its last commit (DESIGN.md "Real services").
 */
export const MINIO_TOOL = goInstallTool('minio', 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c', 'several minutes');

export interface MinioServerOptions {
  /** the `minio` executable (see MINIO_TOOL) */
  binary: string;
  /** working directory and log (`service.log`); the objects go to `<dir>/data`, which must exist */
  dir: string;
  accessKey: string;
  secretKey: string;
  /** extra environment, e.g. MINIO_KMS_SECRET_KEY for native SSE */
  env?: Record<string, string>;
}

export interface MinioServer {
  proc: ServiceProcess;
  endpoint: string;
}

/**
 * Spawns a single-drive MinIO on free loopback ports. It is not live yet: wait with waitMinioLive,
 * and stop it if that fails (the harness keeps the log first, the demo just stops it).
 */
export async function spawnMinio(options: MinioServerOptions): Promise<MinioServer> {
  const [port, consolePort] = await freePorts(2);
  const proc = spawnService(options.binary, ['server', join(options.dir, 'data'), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`], options.dir, {
    ...process.env,
    MINIO_UPDATE: 'off', // no update checks: a server must not change under us, and there may be no network
    MINIO_BROWSER: 'off',
    MINIO_ROOT_USER: options.accessKey,
    MINIO_ROOT_PASSWORD: options.secretKey,
    ...options.env,
  });
  return { proc, endpoint: `http://127.0.0.1:${port}` };
}

/** Resolves once MinIO's liveness endpoint answers (a cold first start can take a while on a loaded machine). */
export function waitMinioLive(name: string, server: MinioServer, timeoutMs = 120_000): Promise<void> {
  return waitHealthy(name, server.proc, async () => (await fetch(`${server.endpoint}/minio/health/live`)).ok, timeoutMs);
}
