import { startGateway } from '../adapters/gateway/start-gateway.js';
import { readServeConfig } from './serve-config.js';

export interface ServeOptions {
  config: string;
  port?: number;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/**
 * `s3seal serve`: the gateway on the configuration file's settings (flags override the listen
 * address and the certificate). Prints one machine-readable line once it accepts connections —
 * `s3seal ready endpoint=URL`, never a secret — and drains requests in flight on SIGTERM / SIGINT.
 */
export async function runServe(opts: ServeOptions, log: (line: string) => void = console.log): Promise<void> {
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new Error('--tls-cert and --tls-key go together');
  const config = readServeConfig(opts.config);
  const envPort = process.env['S3SEAL_PORT'];
  const port = opts.port ?? (envPort !== undefined && envPort !== '' ? Number(envPort) : undefined);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error(`not a port: ${String(port)}`);
  const gw = await startGateway({
    config,
    ...(port !== undefined ? { port } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.tlsCert !== undefined && opts.tlsKey !== undefined ? { tls: { certFile: opts.tlsCert, keyFile: opts.tlsKey } } : {}),
  });
  log(`s3seal ready endpoint=${gw.url}`);
  const stop = () => {
    void gw.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
