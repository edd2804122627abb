import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import type { S3Response } from '../s3/s3-response.js';
import { responseBodyStream } from '../s3/response-body-stream.js';

/** The part of an http.IncomingMessage minio-js reads: status, lower-case headers, the body as a stream. */
export interface InProcessResponse extends Readable {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string>;
}

/**
 * The core's S3Response as the http.IncomingMessage minio-js expects from its transport: `statusCode`,
 * `headers` (lower-case, as node:http gives them) and the body stream (responseBodyStream).
 */
export function toInProcessResponse(res: S3Response, method: string): InProcessResponse {
  return Object.assign(responseBodyStream(res, method), { statusCode: res.status, statusMessage: STATUS_CODES[res.status] ?? '', headers: { ...res.headers } });
}
