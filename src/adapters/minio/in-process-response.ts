import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import type { S3Response } from '../s3/s3-response.js';

/** The part of an http.IncomingMessage minio-js reads: status, lower-case headers, the body as a stream. */
export interface InProcessResponse extends Readable {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string>;
}

/**
 * The core's S3Response as the http.IncomingMessage minio-js expects from its transport, as if it
 * had come off a socket: `statusCode`, `headers` (lower-case, as node:http gives them) and the body
 * stream — the core's own stream for object bodies (no copy, its backpressure), a one-chunk stream
 * for XML documents and errors. A HEAD answer has no body, as on the wire.
 */
export function toInProcessResponse(res: S3Response, method: string): InProcessResponse {
  let body: Readable;
  if (method === 'HEAD' || res.body === undefined) {
    if (res.body instanceof Readable) res.body.destroy();
    body = Readable.from([], { objectMode: false });
  } else if (res.body instanceof Readable) {
    body = res.body;
  } else {
    body = Readable.from(res.body.length === 0 ? [] : [res.body], { objectMode: false });
  }
  return Object.assign(body, { statusCode: res.status, statusMessage: STATUS_CODES[res.status] ?? '', headers: { ...res.headers } });
}
