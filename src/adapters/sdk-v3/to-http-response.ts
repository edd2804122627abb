import { HttpResponse } from '@smithy/core/transport';
import type { S3Response } from '../s3/s3-response.js';
import { responseBodyStream } from '../s3/response-body-stream.js';

/**
 * The core's S3Response as the HttpResponse the SDK's deserializer reads: status, headers, and the
 * body as a Node Readable (responseBodyStream; the SDK's stream mixin for GetObject's `Body` requires
 * one, XML bodies are collected from it alike).
 */
export function toHttpResponse(res: S3Response, method: string): HttpResponse {
  return new HttpResponse({ statusCode: res.status, headers: { ...res.headers }, body: responseBodyStream(res, method) });
}
