/**
 * A real gateway for tests: `startGateway` on a free loopback port, HTTPS with a self-signed
 * certificate made by openssl in a temp dir (SSE-C needs TLS), access keys from a policy document
 * that grants its principal every action and every key use, and real @aws-sdk/client-s3 clients
 * that trust the certificate.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startGateway, type RunningGateway } from '../../src/adapters/gateway/start-gateway.js';
import type { S3SealConfigInput } from '../../src/container/config.js';
import { tempDir } from './temp-dir.js';

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  /** the certificate itself: clients trust it as their CA */
  ca: Buffer;
}

/** a P-256 self-signed certificate for 127.0.0.1 and localhost, valid two days */
export function selfSignedCertificate(dir: string): TestCertificate {
  const certFile = join(dir, 'gateway.crt');
  const keyFile = join(dir, 'gateway.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:*.localhost'], { stdio: 'ignore' });
  return { certFile, keyFile, ca: readFileSync(certFile) };
}

export interface TestAccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** a policy document (in `dir`) whose principal `tester` may do everything, with one access key; `extra` is appended YAML */
export function allowAllPolicy(dir: string, extra = ''): { file: string; key: TestAccessKey } {
  const key = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
  writeFileSync(join(dir, 'tester.secret'), `${key.secretAccessKey}\n`, { mode: 0o600 });
  const file = join(dir, 'policy.yaml');
  writeFileSync(
    file,
    `version: 1
principals:
  tester:
    accessKeys:
      - { id: ${key.accessKeyId}, secretFile: tester.secret }
statements:
  - effect: Allow
    principals: "*"
    actions: "s3:*"
    resources: "*"
keys:
  - principals: "*"
    key: "*"
    permissions: [encrypt, decrypt, rewrap, admin]
${extra}`,
  );
  return { file, key };
}

/** an S3 client of the gateway at `url`, trusting `ca`, path-style */
export function gatewayClient(url: string, key: TestAccessKey, ca: Buffer | undefined, extra: S3ClientConfig = {}): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: key,
    ...(ca ? { requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca, keepAlive: true }) }) } : {}),
    ...extra,
  });
}

export interface TestGateway {
  gateway: RunningGateway;
  config: S3SealConfigInput;
  key: TestAccessKey;
  cert: TestCertificate;
  client(extra?: S3ClientConfig): S3Client;
  close(): Promise<void>;
}

/**
 * A gateway over `base` (backend, keystores, upload-token root…) with TLS and the allow-all policy.
 * `again()` starts another gateway on the same configuration (a second instance: own container).
 */
export async function startTestGateway(base: S3SealConfigInput, opts: { policyExtra?: string; tls?: boolean; gateway?: NonNullable<S3SealConfigInput['gateway']> } = {}): Promise<TestGateway & { again(): Promise<TestGateway> }> {
  const dir = tempDir('gateway');
  const cert = selfSignedCertificate(dir);
  const policy = allowAllPolicy(dir, opts.policyExtra);
  const tls = opts.tls ?? true;
  const config: S3SealConfigInput = {
    ...base,
    policy: { file: policy.file, watch: false },
    audit: { destination: 'off' },
    gateway: { host: '127.0.0.1', port: 0, ...(tls ? { tls: { certFile: cert.certFile, keyFile: cert.keyFile } } : {}), ...opts.gateway },
  };
  const start = async (): Promise<TestGateway> => {
    const gateway = await startGateway({ config });
    const clients: S3Client[] = [];
    return {
      gateway,
      config,
      key: policy.key,
      cert,
      client: (extra = {}) => {
        const c = gatewayClient(gateway.url, policy.key, tls ? cert.ca : undefined, extra);
        clients.push(c);
        return c;
      },
      close: async () => {
        for (const c of clients) c.destroy();
        await gateway.close();
      },
    };
  };
  const first = await start();
  return { ...first, again: start };
}
