import { Readable } from 'node:stream';
import type { S3Request } from '../s3/s3-request.js';
import type { S3Response } from '../s3/s3-response.js';

/** the part of an AbortSignal (DOM or smithy's) the door uses */
export interface DoorAbortSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener?(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener?(type: 'abort', listener: () => void): void;
}

/**
 * The error the SDK's own HTTP handler rejects with when a request is aborted (name `AbortError`,
 * the signal's reason as cause), so callers and lib-storage (`Upload.abort()`) see what they see
 * without the door.
 */
export function abortError(signal: DoorAbortSignal): Error {
  const reason = signal.reason;
  // a string reason is the message (as the SDK's handler does); anything else is kept as the cause
  const err = new Error(typeof reason === 'string' ? reason : 'Request aborted', reason !== undefined && typeof reason !== 'string' ? { cause: reason } : undefined);
  err.name = 'AbortError';
  return err;
}

/**
 * Destroys with the abort error. Whoever reads the stream sees that error; the no-op listener
 * keeps a stream nobody reads (a body the core had not started on, an answer that came too late)
 * from turning it into an uncaught exception.
 */
function destroyWith(stream: Readable, err: Error): void {
  stream.on('error', () => undefined);
  stream.destroy(err);
}

/**
 * `client.send(cmd, { abortSignal })` through the door, as the SDK's HTTP handler honours it: an
 * abort before the core is called rejects at once and reaches nothing; one while the core works
 * destroys the request body (the core stores nothing from a body that did not end: bodies are
 * verified before they are committed) and rejects with AbortError; one while the caller reads
 * the response destroys the response body. An answer that arrives after the abort has its body
 * destroyed, never left holding a backend stream.
 */
export function abortable(handle: () => Promise<S3Response>, req: S3Request, signal: DoorAbortSignal | undefined): Promise<S3Response> {
  if (signal === undefined) return handle();
  const destroyBody = (res: S3Response): void => {
    if (res.body instanceof Readable) destroyWith(res.body, abortError(signal));
  };
  if (signal.aborted) {
    // aborted before the core saw it: nothing is started
    req.body?.destroy();
    return Promise.reject(abortError(signal));
  }
  const answer = handle();
  if (typeof signal.addEventListener !== 'function') return answer;
  return new Promise((resolve, reject) => {
    let answered: S3Response | undefined;
    const onAbort = (): void => {
      const err = abortError(signal);
      if (answered) {
        destroyBody(answered);
        return;
      }
      if (req.body) destroyWith(req.body, err);
      answer.then(destroyBody, () => undefined);
      reject(err);
    };
    signal.addEventListener!('abort', onAbort, { once: true });
    const release = (): void => signal.removeEventListener?.('abort', onAbort);
    answer.then(
      (res) => {
        answered = res;
        if (res.body instanceof Readable) res.body.once('close', release);
        else release();
        resolve(res);
      },
      (err: unknown) => {
        release();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
