import { randomUUID } from 'node:crypto';
import { ErrorWithHeaders } from './error-with-headers.js';
import { identifyOperation } from './identify-operation.js';
import { OPERATIONS } from './operations/operation-table.js';
import { s3ErrorShape } from './s3-error-shape.js';
import { s3ErrorXml } from './s3-error-xml.js';
import type { S3CoreContext, S3OperationName } from './s3-operation.js';
import type { S3Request } from './s3-request.js';
import type { S3Response } from './s3-response.js';

/**
 * What an error hook is told about the failed request: never its headers or body, which carry SSE-C
 * keys (x-amz-server-side-encryption-customer-key, and the copy source's) that a hook logging its
 * argument would otherwise write to a log.
 */
export interface S3RequestSummary {
  method: S3Request['method'];
  bucket?: string;
  key?: string;
  principal: string;
  requestId: string;
}

export interface S3CoreOptions {
  /** a fresh id per request, echoed in `x-amz-request-id` and error bodies (default: 16 random hex digits) */
  requestId?: () => string;
  /** told about every failed request (the error is the thrown one, never shown to the caller as is) */
  onError?: (err: unknown, operation: S3OperationName, req: S3RequestSummary) => void;
}

function summaryOf(req: S3Request, requestId: string): S3RequestSummary {
  return { method: req.method, ...(req.bucket !== undefined ? { bucket: req.bucket } : {}), ...(req.key !== undefined ? { key: req.key } : {}), principal: req.principal, requestId };
}

/**
 * 16 random hex digits: the first 4 and the last 12 of a v4 UUID (all random; its version and
 * variant digits lie between). Node draws UUIDs from a buffered pool of random bytes, where a
 * randomBytes(8) per request cost ~10 µs here, a noticeable share of a 4 KiB request's overhead.
 */
function defaultRequestId(): string {
  const u = randomUUID();
  return `${u.slice(0, 4)}${u.slice(24)}`.toUpperCase();
}

/** `/bucket/key` as S3 writes <Resource>: the path the request addressed */
function resourceOf(req: S3Request): string {
  if (req.bucket === undefined || req.bucket === '') return '/';
  return req.key !== undefined && req.key !== '' ? `/${req.bucket}/${req.key}` : `/${req.bucket}`;
}

/**
 * The S3 core (DESIGN.md "Doors"): one S3Request in, one S3Response out, for every door. It names
 * the operation (identifyOperation), runs it from the operation table, and turns anything thrown
 * into S3's error response (s3ErrorShape + s3ErrorXml): `application/xml`, the request id, the
 * resource; a HEAD answer has no body. An operation without an entry answers NotImplemented and
 * reaches nothing.
 */
export class S3Core {
  private readonly requestId: () => string;

  constructor(
    private readonly ctx: S3CoreContext,
    private readonly opts: S3CoreOptions = {},
  ) {
    this.requestId = opts.requestId ?? defaultRequestId;
  }

  async handle(req: S3Request): Promise<S3Response> {
    const requestId = this.requestId();
    const name = identifyOperation(req);
    try {
      // x-amz-expected-bucket-owner asks S3 to refuse a bucket of another account: s3seal cannot check
      // an owner, so the request is refused rather than run without the check it asked for
      const op = name === 'Unsupported' || req.headers['x-amz-expected-bucket-owner'] !== undefined ? undefined : OPERATIONS[name];
      if (!op) {
        // refused unread: a caller's body (in-process, possibly GiBs) is not drained, it is dropped
        req.body?.destroy();
        return this.error(req, requestId, { code: 'NotImplemented', status: 501, message: 'A header you provided implies functionality that is not implemented' });
      }
      const res = await op(this.ctx, req);
      res.headers['x-amz-request-id'] = requestId;
      return res;
    } catch (err) {
      this.opts.onError?.(err instanceof ErrorWithHeaders ? err.error : err, name, summaryOf(req, requestId));
      // a body not consumed (a request refused before its body was read) is dropped, not left hanging or drained
      if (req.body && !req.body.readableEnded) req.body.destroy();
      if (err instanceof ErrorWithHeaders) return this.error(req, requestId, s3ErrorShape(err.error), err.headers);
      return this.error(req, requestId, s3ErrorShape(err));
    }
  }

  private error(req: S3Request, requestId: string, shape: { code: string; status: number; message: string }, extra: Readonly<Record<string, string>> = {}): S3Response {
    const headers: Record<string, string> = { ...extra, 'content-type': 'application/xml', 'x-amz-request-id': requestId };
    if (req.method === 'HEAD') {
      // no body on HEAD: S3 SDKs read the code from the status (and x-amz-error-code where sent)
      return { status: shape.status, headers };
    }
    const body = s3ErrorXml(shape, { resource: resourceOf(req), requestId });
    headers['content-length'] = String(body.length);
    return { status: shape.status, headers, body };
  }
}
