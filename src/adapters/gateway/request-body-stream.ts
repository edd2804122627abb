import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { SealError } from '../../errors.js';

/**
 * The request body as the S3 core reads it, apart from the socket: the core destroys a body it
 * refuses unread (a request rejected before its body), and destroying the IncomingMessage itself
 * would destroy the socket before the error answer is written. Backpressure is kept (pipe pauses
 * the request while the core is behind); a client that goes away mid-body fails the stream, so the
 * engine never commits a short object.
 */
export function requestBodyStream(req: IncomingMessage, count?: { received(bytes: number): void }): Readable {
  const body = new PassThrough({ highWaterMark: 64 * 1024 });
  if (count !== undefined) req.on('data', (c: Buffer) => count.received(c.length));
  req.pipe(body);
  const cut = () => {
    if (!req.complete) body.destroy(new SealError('IncompleteBody', 'the client closed the connection before the request body was complete'));
  };
  req.once('close', cut);
  req.once('error', cut);
  body.once('close', () => {
    req.off('close', cut);
    req.unpipe(body);
  });
  return body;
}
