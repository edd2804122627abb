/**
 * A tiny loopback KMS endpoint (the JSON 1.1 wire protocol the SDK speaks) for what the real test
 * server cannot show: local-kms never throttles and has no RotateKeyOnDemand. Unit tests only; the
 * keystore contract runs against real local-kms.
 */
import { createServer, type ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';

/** an answer: JSON with a status, or `hang` (keep the request open until the client gives up) */
export type FakeReply = { status?: number; body: Record<string, unknown> } | 'hang';

export interface FakeKms {
  url: string;
  /** operations received, in order (e.g. "GenerateDataKey") */
  calls: string[];
  close(): Promise<void>;
}

export function kmsError(type: string, status = 400, message = type): FakeReply {
  return { status, body: { __type: type, message } };
}

export async function fakeKms(handle: (op: string, input: Record<string, unknown>) => FakeReply | Promise<FakeReply>): Promise<FakeKms> {
  const calls: string[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.slice(target.indexOf('.') + 1);
      calls.push(op);
      const raw = await buffer(req);
      const input = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
      const reply = await handle(op, input);
      if (reply === 'hang') {
        hanging.add(res);
        return;
      }
      const body = JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': `fake-${calls.length}` });
      res.end(body);
    })().catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const a = server.address();
  if (a === null || typeof a !== 'object') throw new Error('fakeKms: no address');
  return {
    url: `http://127.0.0.1:${a.port}`,
    calls,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
