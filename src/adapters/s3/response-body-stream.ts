import { Readable } from 'node:stream';
import type { S3Response } from './s3-response.js';

/**
 * The body of the core's S3Response as the stream an in-process door hands its client, as if it had
 * come off a socket: the core's own stream for object bodies (no copy, its backpressure), a one-chunk
 * stream for XML documents and errors, and nothing for a HEAD — an error the core rendered as XML
 * included, as on the wire (the client builds the error from the status, as it does against S3).
 */
export function responseBodyStream(res: S3Response, method: string): Readable {
  if (method === 'HEAD' || res.body === undefined) {
    if (res.body instanceof Readable) res.body.destroy();
    return Readable.from([], { objectMode: false });
  }
  if (res.body instanceof Readable) return res.body;
  return Readable.from(res.body.length === 0 ? [] : [res.body], { objectMode: false });
}
