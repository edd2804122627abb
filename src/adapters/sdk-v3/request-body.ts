import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { SealError } from '../../errors.js';

function isWebStream(b: object): b is WebReadableStream<Uint8Array> {
  return typeof (b as { getReader?: unknown }).getReader === 'function';
}

function isBlob(b: object): b is Blob {
  return typeof Blob !== 'undefined' && b instanceof Blob;
}

/** a byte stream (not object mode) of one chunk; an empty body ends at once */
function bytes(b: Buffer): Readable {
  return Readable.from(b.length === 0 ? [] : [b], { objectMode: false });
}

/**
 * The body of the SDK's finished HttpRequest as the Readable the S3 core reads. After the SDK's
 * own middleware it is one of: nothing (GET, HEAD, DELETE), a Buffer / Uint8Array / string
 * (buffered bodies, XML documents), a Node Readable (stream bodies, and every aws-chunked body the
 * flexible-checksums middleware frames), or — when a caller passes one — a web ReadableStream or a
 * Blob. Bytes are not copied: a Buffer body is handed over as one chunk.
 */
export function requestBody(body: unknown): Readable | undefined {
  if (body === undefined || body === null) return undefined;
  if (body instanceof Readable) return body;
  if (typeof body === 'string') return bytes(Buffer.from(body, 'utf8'));
  if (body instanceof Uint8Array) return bytes(Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  if (typeof body === 'object') {
    if (isBlob(body)) return Readable.fromWeb(body.stream() as WebReadableStream<Uint8Array>);
    if (isWebStream(body)) return Readable.fromWeb(body);
    // any other async iterable of bytes (a generator a caller passed through)
    if (Symbol.asyncIterator in body) return Readable.from(body as AsyncIterable<Uint8Array>, { objectMode: false });
  }
  throw new SealError('InvalidRequest', `The request body has a type the SDK door cannot read (${typeof body}).`);
}
