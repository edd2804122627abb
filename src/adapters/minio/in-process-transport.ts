import type { ClientOptions } from 'minio';
import { s3ErrorShape } from '../s3/s3-error-shape.js';
import { s3ErrorXml } from '../s3/s3-error-xml.js';
import type { S3Request } from '../s3/s3-request.js';
import type { S3Response } from '../s3/s3-response.js';
import { InProcessRequest } from './in-process-request.js';
import { toInProcessResponse, type InProcessResponse } from './in-process-response.js';
import { toS3Request, type MinioRequestOptions, type RequestOrigin } from './to-s3-request.js';

/** What the transport hands requests to: the S3 core (`S3Core.handle`). */
export interface S3RequestHandler {
  handle(req: S3Request): Promise<S3Response>;
}

/** minio-js's `transport` option (node:http's `request`) */
export type MinioTransport = NonNullable<ClientOptions['transport']>;

/** methods whose request carries a body in minio-js (it ends the others with an empty payload) */
const WITH_BODY: ReadonlySet<string> = new Set(['PUT', 'POST']);

/** an error the door itself raised (a request no S3 request can be), answered as S3 would answer it */
function errorResponse(err: unknown, req: { bucket?: string; key?: string } = {}): S3Response {
  const shape = s3ErrorShape(err);
  const resource = req.bucket === undefined ? '/' : `/${req.bucket}${req.key === undefined ? '' : `/${req.key}`}`;
  const body = s3ErrorXml(shape, { resource });
  return { status: shape.status, headers: { 'content-type': 'application/xml', 'content-length': String(body.length) }, body };
}

/**
 * The minio door's transport (DESIGN.md "Doors"): minio-js calls `transport.request(options,
 * callback)` as it would call node:http, writes or pipes the body into the returned request, and
 * reads the response it is called back with. Here no socket is opened: the options and body become
 * an S3Request handed to the S3 core in this process — at once, so a streamed body flows through
 * the core as minio-js writes it — and the core's S3Response is called back as the response.
 * The backend is reached by the container's own S3 client.
 */
export function inProcessTransport(handler: () => S3RequestHandler, origin: RequestOrigin): MinioTransport {
  const request = (options: MinioRequestOptions, callback?: (res: InProcessResponse) => void): InProcessRequest => {
    const out = new InProcessRequest();
    const method = (options.method ?? 'GET').toUpperCase();
    let req: S3Request | undefined;
    const answer = async (): Promise<S3Response> => {
      // a container that cannot build the core is the caller's own setup error: it fails the request as it is
      const core = handler();
      try {
        req = toS3Request(options, WITH_BODY.has(method) ? out.body : undefined, origin);
      } catch (err) {
        out.body.destroy();
        return errorResponse(err, req);
      }
      return core.handle(req);
    };
    // a GET/HEAD/DELETE body (minio-js ends them with '') is read and dropped, as nobody will
    if (!WITH_BODY.has(method)) out.body.resume();
    answer().then(
      (res) => {
        const response = toInProcessResponse(res, method);
        callback?.(response);
        out.emit('response', response);
        out.answered();
      },
      (err: unknown) => {
        out.destroy(err instanceof Error ? err : new Error(String(err)));
      },
    );
    return out;
  };
  // node:http's overloads cannot be named by a function of our own: this is the (options, callback) one minio-js uses
  return { request } as unknown as MinioTransport;
}
