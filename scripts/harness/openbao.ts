import { freePort } from './free-port.js';
import { runningService } from './running-service.js';
import type { RunningService } from './service-descriptor.js';
import { makeDataDir, randomSecret, spawnService, startOrCleanUp, waitHealthy } from './service-process.js';
import { ensureTool } from './tools.js';

export const OPENBAO_TRANSIT_MOUNT = 'transit';

/**
 * Starts `bao server -dev` (in-memory, unsealed, fixed root token) and mounts Transit. Dev mode keeps
 * everything in memory, so outages are injected with TcpProxy in front of it, never by restarting it.
 */
export async function startOpenbao(): Promise<RunningService> {
  const binary = await ensureTool('openbao');
  const port = await freePort();
  const dataDir = makeDataDir('openbao');
  const token = `s3seal-${randomSecret(16)}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dataDir, // bao writes ~/.vault-token in dev mode; keep it out of the user's home
    BAO_ADDR: `http://127.0.0.1:${port}`,
  };
  const proc = spawnService(binary, ['server', '-dev', `-dev-root-token-id=${token}`, `-dev-listen-address=127.0.0.1:${port}`], dataDir, env);
  const endpoint = `http://127.0.0.1:${port}`;
  return startOrCleanUp(proc, async () => {
    await waitHealthy('openbao', proc, async () => (await fetch(`${endpoint}/v1/sys/health`)).ok, 60_000);
    const response = await fetch(`${endpoint}/v1/sys/mounts/${OPENBAO_TRANSIT_MOUNT}`, {
      method: 'POST',
      headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'transit' }),
    });
    if (!response.ok) throw new Error(`openbao: enabling transit failed: ${response.status} ${await response.text()}`);
    return runningService({ name: 'openbao', endpoint, token, mount: OPENBAO_TRANSIT_MOUNT, pid: proc.pid, dataDir, logFile: proc.logFile });
  });
}
