import { Readable } from 'node:stream';
import { HttpResponse } from '@smithy/core/transport';
import type { S3Response } from '../s3/s3-response.js';

/**
 * The core's S3Response as the HttpResponse the SDK's deserializer reads, as if it had come off a
 * socket: status, headers, and the body as a Node Readable (the SDK's stream mixin for GetObject's
 * `Body` requires one; XML bodies are collected from it alike). A HEAD response has no body, as on
 * the wire — an error the core rendered as XML included (the SDK then builds the error from the
 * status, as it does against S3).
 */
export function toHttpResponse(res: S3Response, method: string): HttpResponse {
  let body: Readable;
  if (method === 'HEAD' || res.body === undefined) {
    if (res.body instanceof Readable) res.body.destroy();
    body = Readable.from([], { objectMode: false });
  } else if (res.body instanceof Readable) {
    body = res.body;
  } else {
    body = Readable.from(res.body.length === 0 ? [] : [res.body], { objectMode: false });
  }
  return new HttpResponse({ statusCode: res.status, headers: { ...res.headers }, body });
}
