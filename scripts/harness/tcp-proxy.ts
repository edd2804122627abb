import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy that can be paused, for fault injection in front of a keystore (OpenBao,
 * local-kms). OpenBao's dev server keeps its keys in memory, so an outage cannot be simulated by
 * restarting it; cutting the network path in between can.
 */
export class TcpProxy {
  private server: Server | undefined;
  private paused = false;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly targetHost: string, private readonly targetPort: number) {}

  /** Listens on a free loopback port and returns it. */
  async start(): Promise<number> {
    if (this.server !== undefined) throw new Error('TcpProxy already started');
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('TcpProxy: no address');
    return address.port;
  }

  /** The port the proxy listens on (after start). */
  get port(): number {
    const address = this.server?.address();
    if (address === null || address === undefined || typeof address !== 'object') throw new Error('TcpProxy not started');
    return address.port;
  }

  /** Simulates an outage: existing connections are reset and new ones are reset as soon as accepted. */
  pause(): void {
    this.paused = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  resume(): void {
    this.paused = false;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  async stop(): Promise<void> {
    this.pause();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.paused) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: this.targetHost, port: this.targetPort });
    this.track(client);
    this.track(upstream);
    // An error on either side tears down both, as a real broken connection would.
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
