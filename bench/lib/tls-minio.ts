import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { freePorts } from '../../scripts/harness/free-port.js';
import { runningService } from '../../scripts/harness/running-service.js';
import type { RunningService } from '../../scripts/harness/service-descriptor.js';
import { makeDataDir, randomSecret, spawnService, startOrCleanUp, waitHealthy } from '../../scripts/harness/service-process.js';
import { ensureTool } from '../../scripts/harness/tools.js';

export interface BenchCertificate {
  certFile: string;
  keyFile: string;
  ca: Buffer;
}

/** a P-256 self-signed certificate for 127.0.0.1 (what the gateway tests use, test/helpers/gateway-harness.ts) */
export function benchCertificate(dir: string): BenchCertificate {
  const certFile = join(dir, 'bench.crt');
  const keyFile = join(dir, 'bench.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { certFile, keyFile, ca: readFileSync(certFile) };
}

function live(url: string, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/minio/health/live`, { ca, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * MinIO with native SSE-S3 (a static KMS key, as the harness's `minio-sse`) that speaks HTTPS
 * itself: the certificate goes into its `--certs-dir` (public.crt / private.key), so TLS costs the
 * baseline what it costs the gateway — terminated in the server, with no extra hop.
 */
export async function startTlsMinioSse(cert: BenchCertificate): Promise<RunningService> {
  const binary = await ensureTool('minio');
  const dataDir = makeDataDir('minio-sse-tls');
  mkdirSync(join(dataDir, 'data'));
  const certs = join(dataDir, 'certs');
  mkdirSync(certs);
  copyFileSync(cert.certFile, join(certs, 'public.crt'));
  copyFileSync(cert.keyFile, join(certs, 'private.key'));
  const [port, consolePort] = await freePorts(2);
  const accessKey = `s3seal${randomSecret(6)}`;
  const secretKey = randomSecret(20);
  const proc = spawnService(binary, ['server', join(dataDir, 'data'), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--certs-dir', certs], dataDir, {
    ...process.env,
    MINIO_UPDATE: 'off',
    MINIO_BROWSER: 'off',
    MINIO_ROOT_USER: accessKey,
    MINIO_ROOT_PASSWORD: secretKey,
    MINIO_KMS_SECRET_KEY: `s3seal-minio-key:${randomBytes(32).toString('base64')}`,
  });
  const endpoint = `https://127.0.0.1:${port}`;
  return startOrCleanUp(proc, async () => {
    await waitHealthy('minio-sse-tls', proc, () => live(endpoint, cert.ca), 120_000);
    return runningService({ name: 'minio-sse', endpoint, accessKey, secretKey, region: 'us-east-1', pid: proc.pid, dataDir, logFile: proc.logFile });
  });
}
