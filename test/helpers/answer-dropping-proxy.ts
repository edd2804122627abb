/**
 * A loopback HTTP reverse proxy in front of a real server (OpenBao, local-kms) that can lose answers:
 * a matching request is forwarded, the server applies it, and then the client's connection is cut
 * instead of answering — what a client sees when a timeout strikes after the change was made. This is
 * the case that makes a blind retry of a non-idempotent call (rotate, create) apply it twice.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { buffer } from 'node:stream/consumers';

export type RequestMatch = (method: string, url: string, headers: IncomingHttpHeaders) => boolean;

export class AnswerDroppingProxy {
  private server: Server | undefined;
  private readonly rules: { match: RequestMatch; left: number; forward: boolean }[] = [];
  /** every request seen, as `METHOD url target` (target: the x-amz-target header, when present) */
  readonly seen: string[] = [];
  /** how many answers were dropped */
  dropped = 0;

  constructor(private readonly target: string) {}

  /** drop the answers of the next `count` requests that match */
  dropAnswers(match: RequestMatch, count = 1): void {
    this.rules.push({ match, left: count, forward: true });
  }

  /** cut the connection of the next `count` matching requests without forwarding them (nothing applied) */
  dropRequests(match: RequestMatch, count = 1): void {
    this.rules.push({ match, left: count, forward: false });
  }

  /** listens on a free loopback port; returns its base URL */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      void (async () => {
        const body = await buffer(req);
        const method = req.method ?? 'GET';
        const url = req.url ?? '/';
        const amzTarget = req.headers['x-amz-target'];
        this.seen.push(`${method} ${url}${typeof amzTarget === 'string' ? ` ${amzTarget}` : ''}`);
        const rule = this.rules.find((r) => r.left > 0 && r.match(method, url, req.headers));
        if (rule && !rule.forward) {
          rule.left--;
          this.dropped++;
          req.socket.destroy();
          return;
        }
        const up = new URL(this.target);
        const upstream = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const r = request({ host: up.hostname, port: up.port, method, path: url, headers: { ...req.headers, host: up.host } }, (ures) => {
            buffer(ures).then((b) => resolve({ status: ures.statusCode ?? 502, headers: ures.headers, body: b }), reject);
          });
          r.on('error', reject);
          r.end(body);
        });
        if (rule) {
          rule.left--;
          this.dropped++;
          req.socket.destroy();
          return;
        }
        const headers = { ...upstream.headers };
        delete headers['transfer-encoding'];
        headers['content-length'] = String(upstream.body.length);
        res.writeHead(upstream.status, headers);
        res.end(upstream.body);
      })().catch(() => req.socket.destroy());
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    const a = server.address();
    if (a === null || typeof a !== 'object') throw new Error('AnswerDroppingProxy: no address');
    return `http://127.0.0.1:${a.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
