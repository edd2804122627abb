import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { AddressInfo } from 'node:net';
import { startGateway } from '../adapters/gateway/start-gateway.js';
import type { S3SealConfig } from '../container/config.js';
import { readServeConfig } from './serve-config.js';

export interface ServeOptions {
  config: string;
  port?: number;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** gateway processes sharing the port (node:cluster); default: the host's cores; 1: this process serves */
  workers?: number;
  /** runs once the gateway has stopped, before the process exits 0 (the embedded default stops its MinIO here) */
  afterStop?: () => Promise<void>;
}

interface Listen {
  config: S3SealConfig;
  port?: number;
  host?: string;
  tls?: { certFile: string; keyFile: string };
}

function listenOf(opts: ServeOptions): Listen {
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new Error('--tls-cert and --tls-key go together');
  const config = readServeConfig(opts.config);
  const envPort = process.env['S3SEAL_PORT'];
  const port = opts.port ?? (envPort !== undefined && envPort !== '' ? Number(envPort) : undefined);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error(`not a port: ${String(port)}`);
  return {
    config,
    ...(port !== undefined ? { port } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.tlsCert !== undefined && opts.tlsKey !== undefined ? { tls: { certFile: opts.tlsCert, keyFile: opts.tlsKey } } : {}),
  };
}

/**
 * `s3seal serve`: the gateway on the configuration file's settings (flags override the listen
 * address and the certificate). Prints one machine-readable line once it accepts connections —
 * `s3seal ready endpoint=URL`, never a secret — and drains requests in flight on SIGTERM / SIGINT.
 * With more than one worker, this process is the node:cluster primary: the workers share the port
 * (each its own container: no state is shared in memory, DESIGN.md "Scale-out"), a worker that dies
 * is replaced, and the ready line comes once every worker listens.
 */
export async function runServe(opts: ServeOptions, log: (line: string) => void = console.log): Promise<void> {
  const workers = opts.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be a positive integer, not ${String(opts.workers)}`);
  const listen = listenOf(opts);
  const exit = (): void => {
    void (opts.afterStop?.() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  if (cluster.isPrimary && workers > 1) {
    primary(listen, workers, log, exit);
    return;
  }
  const gw = await startGateway(listen);
  if (cluster.isPrimary) log(`s3seal ready endpoint=${gw.url}`);
  const stop = () => {
    void gw.close().then(exit);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function primary(listen: Listen, n: number, log: (line: string) => void, exit: () => void): void {
  let stopping = false;
  let ready = false;
  const listening = new Set<number>();
  const tls = listen.tls ?? listen.config.gateway.tls;
  const fork = (): Worker => cluster.fork();
  cluster.on('listening', (worker: Worker, address: AddressInfo | { port: number; address: string }) => {
    listening.add(worker.id);
    if (!ready && listening.size >= n) {
      ready = true;
      const host = address.address.includes(':') ? `[${address.address}]` : address.address;
      log(`s3seal ready endpoint=${tls ? 'https' : 'http'}://${host}:${address.port}`);
    }
  });
  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    listening.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) exit();
      return;
    }
    console.error(`s3seal: worker ${worker.process.pid ?? '?'} exited (${signal ?? String(code)}); starting another`);
    fork();
  });
  const stop = () => {
    stopping = true;
    const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (live.length === 0) {
      exit();
      return;
    }
    // each worker drains its requests in flight (its own SIGTERM handler), then exits
    for (const w of live) w.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  for (let i = 0; i < n; i++) fork();
}
