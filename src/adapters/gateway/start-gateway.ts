import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Container } from 'inversify';
import { closeContainer } from '../../container/close-container.js';
import { resolveConfig, type S3SealConfig, type S3SealConfigInput } from '../../container/config.js';
import { createContainer } from '../../container/create-container.js';
import { getService, TOKENS } from '../../container/tokens.js';

export interface StartGatewayOptions {
  /** the configuration (its `gateway` section: listen address, TLS, limits); or `container` */
  config?: S3SealConfigInput;
  /** an already-built container (closed by `close()` only if the gateway built it) */
  container?: Container;
  /** override config `gateway.port` (0: a free port) */
  port?: number;
  /** override config `gateway.host` */
  host?: string;
  /** override config `gateway.tls` */
  tls?: { certFile: string; keyFile: string };
}

export interface RunningGateway {
  /** `http(s)://host:port`, the endpoint S3 clients use */
  readonly url: string;
  readonly server: Server;
  /** stop accepting, let requests in flight finish (idle keep-alive connections are closed), close the container if it was built here */
  close(): Promise<void>;
}

/**
 * `s3seal serve`: the gateway's request listener on node:http, or node:https with the configured
 * certificate (TLS terminates here, so SSE-C is accepted). Limits from config `gateway`: header size
 * (431 and close beyond it), time to send the headers, idle time on a connection (a client that
 * stops sending mid-body or stops reading mid-response is cut off; its request fails and stores
 * nothing), keep-alive time, requests per connection. No whole-request time limit: a multi-GiB
 * upload over a slow link is fine as long as bytes keep moving.
 */
export async function startGateway(opts: StartGatewayOptions): Promise<RunningGateway> {
  if (opts.container === undefined && opts.config === undefined) throw new TypeError('startGateway needs a config or a container');
  const container = opts.container ?? createContainer(opts.config);
  try {
    const config: S3SealConfig = opts.container !== undefined ? getService(container, TOKENS.Config) : resolveConfig(opts.config);
    const g = config.gateway;
    const gateway = getService(container, TOKENS.S3Gateway);
    const listener = gateway.listener;
    const tls = opts.tls ?? g.tls;
    const limits = { maxHeaderSize: g.maxHeaderBytes, headersTimeout: g.headersTimeoutMs, requestTimeout: 0, keepAliveTimeout: g.keepAliveTimeoutMs };
    const server: Server = tls ? createHttpsServer({ ...limits, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, listener) : createHttpServer(limits, listener);
    // Expect: 100-continue is answered after authentication, not before (node's default)
    server.on('checkContinue', gateway.continueListener);
    server.timeout = g.idleTimeoutMs;
    server.maxRequestsPerSocket = g.maxRequestsPerSocket;
    const host = opts.host ?? g.host;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? g.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    let closing: Promise<void> | undefined;
    return {
      url,
      server,
      close: () => {
        closing ??= (async () => {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          await closed;
          if (opts.container === undefined) await closeContainer(container);
        })();
        return closing;
      },
    };
  } catch (err) {
    if (opts.container === undefined) await closeContainer(container);
    throw err;
  }
}
