import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SealError } from '../../errors.js';
import type { AccessKeyLookup } from '../../policies/access-key-lookup.js';
import type { S3Core } from '../s3/s3-core.js';
import { s3ErrorShape } from '../s3/s3-error-shape.js';
import { s3ErrorXml } from '../s3/s3-error-xml.js';
import type { S3Request } from '../s3/s3-request.js';
import { identifyOperation } from '../s3/identify-operation.js';
import type { GatewayLog } from './gateway-log.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { GatewaySettings } from './gateway-settings.js';
import { gatewayTarget } from './gateway-target.js';
import { arrivedOverTls, incomingParts } from './incoming-request.js';
import { requestBodyStream } from './request-body-stream.js';
import { writeS3Response } from './write-s3-response.js';
import { verifySigV4, type Authentication } from './verify-sigv4.js';
import type { QueryParam } from './uri-encode.js';

const METHODS: ReadonlySet<string> = new Set<S3Request['method']>(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);
/** the presigned URL's own parameters (not hoisted headers) */
const AUTH_PARAMS = new Set(['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-expires', 'x-amz-signedheaders', 'x-amz-signature', 'x-amz-security-token']);
/** the path under which the gateway answers for itself: `_` cannot start a bucket name */
export const GATEWAY_PATH_PREFIX = '/_s3seal/';

/** whether the request announces body bytes (a length above 0, or chunked transfer encoding) */
function expectsBody(h: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const length = h['content-length'];
  return (length !== undefined && length !== '0') || h['transfer-encoding'] !== undefined;
}

/** 16 hex digits, as the S3 core makes them */
function requestId(): string {
  const u = randomUUID();
  return `${u.slice(0, 4)}${u.slice(24)}`.toUpperCase();
}

export interface S3GatewayParts {
  core: S3Core;
  keys: AccessKeyLookup;
  settings: GatewaySettings;
  log: GatewayLog;
  /** epoch ms now (tests) */
  now?: () => number;
  /** Prometheus metrics, served at /_s3seal/metrics; undefined: no metrics */
  metrics?: GatewayMetrics;
  /** readiness checks by name (backend, keystore): true = reachable; served at /_s3seal/ready */
  readiness?: () => Promise<Record<string, boolean>>;
}

/**
 * The gateway door (DESIGN.md "Doors" 3): a node:http request listener that authenticates the
 * request (SigV4, the policy document's access keys), turns it into the S3Request the core takes
 * and writes the core's S3Response back. No S3 rule lives here: a refusal is a typed error turned
 * into S3's XML by s3-error-shape; bodies are verified by the core as they stream (payload hash,
 * chunk signatures, checksums) before the final chunk is committed.
 */
/** x-amz-server-side-encryption-customer-* and x-amz-copy-source-server-side-encryption-customer-* */
const SSE_C_KEY_PARAM = /^x-amz-(copy-source-)?server-side-encryption-customer-/;

export class S3Gateway {
  constructor(private readonly parts: S3GatewayParts) {}

  /** `(req, res) => void`, for node:http, https, Express, Fastify's raw handler, Koa's callback */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    // a client that resets mid-request errors its streams; whoever reads them sees it, and an
    // unread one must not become an uncaught 'error' that takes the process down
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    this.handle(req, res).catch((err: unknown) => {
      // handle() answers every error it can; only a failure to write the answer itself lands here
      this.parts.log.error({ err: err instanceof Error ? err.message : String(err) }, 'gateway: could not answer a request');
      res.destroy();
    });
  };

  /**
   * For node:http's 'checkContinue' event (a request with `Expect: 100-continue`, as the aws cli
   * sends for uploads): `100 Continue` goes out only once the signature verified, so a refused
   * client never sends its body.
   */
  readonly continueListener = (req: IncomingMessage, res: ServerResponse): void => {
    this.awaitingContinue.add(req);
    this.listener(req, res);
  };

  private readonly awaitingContinue = new WeakSet<IncomingMessage>();

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let incoming: ReturnType<typeof incomingParts>;
    try {
      incoming = incomingParts(req);
    } catch (err) {
      // a request line that does not decode (`GET /?%`) is a 400 like any other refusal, not a reset connection
      const status = this.refuse(req, res, err, (req.url ?? '/').split('?')[0] ?? '/');
      res.once('close', () => this.parts.metrics?.request('Refused', status, (performance.now() - started) / 1000));
      return;
    }
    if (incoming.targetPath.startsWith(GATEWAY_PATH_PREFIX)) {
      await this.ownPath(incoming.targetPath, req, res);
      return;
    }
    let s3: S3Request;
    try {
      const method = (req.method ?? '').toUpperCase();
      if (!METHODS.has(method)) throw new SealError('NotImplemented', `A request with the ${method.slice(0, 16)} method is not implemented.`);
      const auth = verifySigV4(incoming.signed, this.parts.keys, { region: this.parts.settings.region, ...(this.parts.now ? { now: this.parts.now } : {}) });
      s3 = this.toS3Request(req, method as S3Request['method'], incoming.targetPath, incoming.headers, incoming.signed.query, auth);
      if (this.awaitingContinue.has(req)) res.writeContinue();
    } catch (err) {
      const status = this.refuse(req, res, err, incoming.targetPath);
      res.once('close', () => this.parts.metrics?.request('Refused', status, (performance.now() - started) / 1000));
      return;
    }
    const operation = identifyOperation(s3);
    const answer = await this.parts.core.handle(s3);
    res.once('close', () => this.parts.metrics?.request(operation, answer.status, (performance.now() - started) / 1000));
    // a body the core refused unread is not drained (it may be GiBs): the connection closes after the answer
    if (s3.body !== undefined && expectsBody(incoming.headers) && !req.complete) answer.headers['connection'] = 'close';
    writeS3Response(res, answer, s3.method, (err) => {
      this.parts.metrics?.integrityFailure();
      this.parts.log.error(
        { event: 'integrity', requestId: answer.headers['x-amz-request-id'], bucket: s3.bucket, key: s3.key, principal: s3.principal, code: (err as { code?: string }).code, err: err.message },
        'gateway: response body failed after the headers were sent; connection destroyed',
      );
    }, this.parts.metrics);
  }

  private toS3Request(req: IncomingMessage, method: S3Request['method'], path: string, headers: Record<string, string>, params: readonly QueryParam[], auth: Authentication): S3Request {
    const query: Record<string, string> = {};
    const merged = { ...headers };
    for (const p of params) {
      const lower = p.name.toLowerCase();
      if (auth.presigned && lower.startsWith('x-amz-')) {
        // an SSE-C key in a URL would sit in proxy access logs, browser history and Referer headers
        // (DESIGN.md: plaintext keys never reach a log); AWS's presigner never hoists these, so a URL
        // carrying one is refused rather than used
        if (SSE_C_KEY_PARAM.test(lower)) throw new SealError('InvalidArgument', 'SSE-C parameters must be sent as request headers, not in the URL.');
        // a presigned URL carries the request's x-amz-* headers in its signed query (the SDK's
        // presigner hoists them): to the core they are the headers they stand for
        if (!AUTH_PARAMS.has(lower) && merged[lower] === undefined) merged[lower] = p.value;
        continue;
      }
      query[p.name] = query[p.name] === undefined ? p.value : `${query[p.name]},${p.value}`;
    }
    const hasBody = method === 'PUT' || method === 'POST' || expectsBody(headers);
    return {
      method,
      ...gatewayTarget(headers['host'], path, this.parts.settings.baseDomains),
      query,
      headers: merged,
      ...(hasBody ? { body: requestBodyStream(req, this.parts.metrics) } : {}),
      secureTransport: arrivedOverTls(req, this.parts.settings.trustedProxies),
      principal: auth.principal,
      ...(auth.chunkSignatureVerifier ? { chunkSignatureVerifier: auth.chunkSignatureVerifier } : {}),
    };
  }

  /** `/_s3seal/health` (liveness: the process answers), `/_s3seal/ready` (backend and keystore reachable: 200, else 503) and `/_s3seal/metrics`; anything else there is 404 */
  private async ownPath(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'method not allowed\n');
    if (path === `${GATEWAY_PATH_PREFIX}health`) return send(200, 'application/json', '{"status":"ok"}\n');
    if (path === `${GATEWAY_PATH_PREFIX}ready`) {
      const checks = this.parts.readiness ? await this.parts.readiness() : {};
      const ready = Object.values(checks).every((ok) => ok);
      return send(ready ? 200 : 503, 'application/json', `${JSON.stringify({ status: ready ? 'ready' : 'not ready', checks })}\n`);
    }
    if (path === `${GATEWAY_PATH_PREFIX}metrics` && this.parts.metrics !== undefined) return send(200, this.parts.metrics.contentType, await this.parts.metrics.text());
    return send(404, 'text/plain; charset=utf-8', 'not found\n');
  }

  /** an S3 error answer for a request refused before the core saw it; its body is not read. Returns the status. */
  private refuse(req: IncomingMessage, res: ServerResponse, err: unknown, path: string): number {
    const id = requestId();
    const shape = s3ErrorShape(err);
    this.parts.metrics?.refused(shape.code);
    this.parts.log.info({ requestId: id, method: req.method, code: shape.code, status: shape.status, reason: err instanceof Error ? err.message : undefined, remote: req.socket.remoteAddress }, 'gateway: request refused');
    const headers: Record<string, string> = { 'content-type': 'application/xml', 'x-amz-request-id': id };
    // an unread body is not drained (it may be GiBs): the connection closes after the answer
    if (expectsBody(req.headers) && !req.complete) headers['connection'] = 'close';
    if (req.method === 'HEAD') {
      res.writeHead(shape.status, headers);
      res.end();
      return shape.status;
    }
    const body = s3ErrorXml(shape, { resource: path, requestId: id });
    headers['content-length'] = String(body.length);
    res.writeHead(shape.status, headers);
    res.end(body);
    return shape.status;
  }
}
