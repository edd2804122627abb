import { Readable, Writable } from 'node:stream';

/**
 * What minio-js writes a request body into (its `transport.request()` return value, a
 * ClientRequest on the network): a Writable whose bytes become the S3Request body the core reads,
 * with the core's backpressure — a write completes when the core has taken the chunk. minio-js
 * writes Buffers and strings with `end(body)` (one chunk, no copy) and pipes streams into it.
 *
 * If the core stops reading (a request refused before its body was needed, e.g. a wrong SSE-C
 * key), the writes still pending wait until the answer has been handed to minio-js, then this
 * request is destroyed: on the network the server would answer and close the connection, so
 * minio-js sees the S3 error, not a broken pipe, and the caller's stream is not read to its end.
 */
export class InProcessRequest extends Writable {
  /** the request body as the core reads it */
  readonly body: Readable;
  #pending: (() => void) | undefined;
  #bodyGone = false;
  #answered = false;

  constructor() {
    super({ decodeStrings: true });
    this.body = new Readable({
      read: () => {
        const go = this.#pending;
        this.#pending = undefined;
        go?.();
      },
    });
    this.body.once('close', () => {
      if (this.body.readableEnded) return;
      this.#bodyGone = true;
      this.#release();
    });
  }

  /** the answer went to minio-js: a body the core gave up on now ends this request */
  answered(): void {
    this.#answered = true;
    this.#release();
  }

  #release(): void {
    if (this.#bodyGone && this.#answered && !this.destroyed) this.destroy();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.#bodyGone) {
      // held until the answer is out (#release destroys this request, which fails the write)
      this.#pending = done;
      this.#release();
      return;
    }
    if (chunk.length === 0 || this.body.push(chunk)) done();
    else this.#pending = () => done();
  }

  override _final(done: (err?: Error | null) => void): void {
    if (!this.#bodyGone) this.body.push(null);
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    // a caller's stream that failed mid-body: the core sees a body that did not end, and stores
    // nothing. A request that finished (autoDestroy after end()) leaves its body alone: the core may
    // not have read it yet (it reads once the keystore has answered)
    if ((err !== null || !this.writableFinished) && !this.body.destroyed && !this.body.readableEnded) this.body.destroy(err ?? undefined);
    done(err);
  }
}
