import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';

/** One request as the backend received it: method, path with query, headers (lower-case names). */
export interface SeenRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
}

/**
 * An HTTP proxy in front of a real S3 server that records every request it forwards: wire-level
 * tests assert exactly which S3 operations and headers the backend received. Bytes pass unchanged
 * (the Host header too, so SigV4 signatures still verify). `beforeForward` may hold a request back,
 * e.g. to let a test write concurrently at exactly that point.
 */
export class RecordingProxy {
  readonly requests: SeenRequest[] = [];
  beforeForward: ((r: SeenRequest) => Promise<void>) | undefined;
  private server: Server | undefined;

  constructor(private readonly target: URL) {}

  /** Listens on a free loopback port; returns the endpoint to give the S3 client. */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const seen: SeenRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://proxy'), headers: req.headers };
      this.requests.push(seen);
      void (async () => {
        try {
          await this.beforeForward?.(seen);
        } catch (err) {
          res.writeHead(599).end(String(err));
          return;
        }
        const upstream = request(
          { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      })();
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('RecordingProxy: no address');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The recorded requests of one S3 operation, told apart the way S3 routes them. */
  ofOperation(op: S3Operation): SeenRequest[] {
    return this.requests.filter((r) => operationOf(r) === op);
  }

  clear(): void {
    this.requests.length = 0;
  }
}

export type S3Operation =
  | 'PutObject'
  | 'CopyObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'GetObject'
  | 'HeadObject'
  | 'other';

export function operationOf(r: SeenRequest): S3Operation {
  const q = r.url.searchParams;
  const copy = r.headers['x-amz-copy-source'] !== undefined;
  switch (r.method) {
    case 'PUT':
      if (q.has('uploadId')) return copy ? 'UploadPartCopy' : 'UploadPart';
      return copy ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (q.has('uploads')) return 'CreateMultipartUpload';
      if (q.has('uploadId')) return 'CompleteMultipartUpload';
      return 'other';
    case 'DELETE':
      return q.has('uploadId') ? 'AbortMultipartUpload' : 'other';
    case 'GET':
      return q.has('uploadId') ? 'ListParts' : 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    default:
      return 'other';
  }
}

/** Whether a request carried a CRC32 of its body: as a header, or announced as an aws-chunked trailer. */
export function sentCrc32(r: SeenRequest): boolean {
  const trailer = r.headers['x-amz-trailer'];
  return r.headers['x-amz-checksum-crc32'] !== undefined || (typeof trailer === 'string' && trailer.toLowerCase().split(',').map((s) => s.trim()).includes('x-amz-checksum-crc32'));
}
