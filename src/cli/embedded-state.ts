import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the embedded default generates on its first run and keeps (0600) in the data dir, so a second
 * start on the same dir — `s3seal serve` or `s3seal demo` — reuses it: the embedded MinIO's root
 * credentials (the gateway's backend credentials), the upload-token root, and the demo principal's
 * gateway access key id (its secret is a separate file, as the policy document's `secretFile` wants).
 */
export interface EmbeddedState {
  accessKey: string;
  secretKey: string;
  uploadTokenRoot: string;
  /** added by the first `s3seal serve` (a data dir made by an older `s3seal demo` has none yet) */
  gatewayAccessKey?: string;
}

export function stateFile(dataDir: string): string {
  return join(dataDir, 'demo.json');
}

function write(file: string, s: EmbeddedState): void {
  writeFileSync(file, JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
}

export function embeddedState(dataDir: string): EmbeddedState {
  const file = stateFile(dataDir);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as EmbeddedState;
  const s: EmbeddedState = { accessKey: `demo${randomBytes(6).toString('hex')}`, secretKey: randomBytes(20).toString('hex'), uploadTokenRoot: randomBytes(32).toString('base64') };
  write(file, s);
  return s;
}

export interface GatewayCredentials {
  accessKey: string;
  secretKey: string;
  /** the policy document's `secretFile` */
  secretFile: string;
}

/** The demo principal's gateway access key: generated once, then read back. */
export function gatewayCredentials(dataDir: string, state: EmbeddedState): GatewayCredentials {
  const secretFile = join(dataDir, 'gateway-demo.secret');
  if (state.gatewayAccessKey !== undefined && existsSync(secretFile)) {
    return { accessKey: state.gatewayAccessKey, secretKey: readFileSync(secretFile, 'utf8').trim(), secretFile };
  }
  // a lost secret file gets a new secret under the same id: the policy document (kept, perhaps
  // edited) names the id, and a new id there would leave the printed credentials refused
  const accessKey = state.gatewayAccessKey ?? `S3SEAL${randomBytes(7).toString('hex').toUpperCase()}`;
  const secretKey = randomBytes(30).toString('base64url');
  writeFileSync(secretFile, `${secretKey}\n`, { mode: 0o600 });
  write(stateFile(dataDir), { ...state, gatewayAccessKey: accessKey });
  return { accessKey, secretKey, secretFile };
}
