import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { chainStreams } from './chain-streams.js';
import { SealError } from '../errors.js';

/**
 * A backend response to a bounded read (a byte range, or an object of known size) must be exactly
 * the length asked for. A longer one is refused the moment the first excess byte arrives — the
 * chunk that crosses the limit is not passed on and nothing is accumulated, so a 64-byte range
 * answered with 1 GiB costs one network chunk, not 1 GiB of memory. A shorter one is a truncation.
 */
export class ExactLength extends Transform {
  private seen = 0;

  constructor(
    private readonly length: number,
    private readonly what: string,
  ) {
    super();
  }

  override _transform(data: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += data.length;
    if (this.seen > this.length) return cb(tooLong(this.what, this.length));
    cb(null, data);
  }

  override _flush(cb: TransformCallback): void {
    cb(this.seen < this.length ? tooShort(this.what, this.length, this.seen) : null);
  }
}

function tooLong(what: string, length: number): SealError {
  return new SealError('BodyTrailingData', `${what}: the backend returned more than the ${length} bytes requested`);
}

function tooShort(what: string, length: number, seen: number): SealError {
  return new SealError('BodyTruncated', `${what}: the backend returned ${seen} of the ${length} bytes requested`);
}

/** `input` limited to exactly `length` bytes; an error (either way) destroys `input`. */
export function exactLength(input: Readable, length: number, what: string): Readable {
  return chainStreams(input, new ExactLength(length, what));
}

/** Read a short response whole, refusing it as soon as it runs past `length` (the stream is destroyed). */
export async function readExactly(input: Readable, length: number, what: string): Promise<Buffer> {
  const out = Buffer.alloc(length);
  let seen = 0;
  // leaving the loop early (throw) destroys `input`: nothing past the limit is read
  for await (const c of input) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
    if (seen + b.length > length) throw tooLong(what, length);
    b.copy(out, seen);
    seen += b.length;
  }
  if (seen < length) throw tooShort(what, length, seen);
  return out;
}
