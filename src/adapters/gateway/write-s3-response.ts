import type { ServerResponse } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import type { S3Response } from '../s3/s3-response.js';

/**
 * Writes the core's S3Response onto the node:http response: status and headers, then the body
 * streamed with backpressure (pipeline pauses the engine's stream while the socket is full). A body
 * that fails after the headers went out (a decrypt or integrity failure mid-object) cannot become an
 * error response any more: the socket is destroyed, so the client sees a broken transfer, never a
 * clean end of fewer or wrong bytes. `onBodyError` is told (the integrity event); a client that went
 * away is not an error of the body and is not reported.
 */
export function writeS3Response(res: ServerResponse, s3: S3Response, method: string, onBodyError: (err: Error) => void, count?: { sent(bytes: number): void }): void {
  res.writeHead(s3.status, s3.headers);
  const body = s3.body;
  if (method === 'HEAD' || body === undefined) {
    if (body instanceof Readable) body.destroy();
    res.end();
    return;
  }
  if (Buffer.isBuffer(body)) {
    count?.sent(body.length);
    res.end(body);
    return;
  }
  if (count !== undefined) body.on('data', (c: Buffer) => count.sent(c.length));
  pipeline(body, res, (err) => {
    if (!err) return;
    // a premature close is the client (or the server's idle timeout) cutting the connection
    if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') onBodyError(err);
    // no clean end: the bytes sent so far must not look like a complete object
    res.destroy(err);
    res.socket?.destroy();
  });
}
