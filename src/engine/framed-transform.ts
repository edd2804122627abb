import { Transform, type TransformCallback } from 'node:stream';
import { SealError } from '../errors.js';
import { DEFAULT_RELEASE_WINDOW, HeldOutput } from './held-output.js';

/**
 * How much input a FramedTransform expects: a number is the exact total (a declared Content-Length,
 * a stored size); 'open' means unknown, the end of input marks the last frame (which may be shorter
 * than nextFrame() said); undefined leaves the end to the subclass's frames alone.
 */
export type InputLength = number | 'open' | undefined;

/**
 * A last check before the final frame is handled (a body's plaintext checksums, a payload hash): it
 * runs once all input arrived at its declared length, and may throw or reject. Then the stream
 * fails, the final frame is never handled and nothing held is emitted: an encrypting stream never
 * emits its final chunk for a body that did not verify (DESIGN.md "A body is never committed to the
 * backend before it is verified").
 */
export type BeforeFinal = () => void | Promise<void>;

/**
 * A transform over input cut into frames whose lengths the subclass states one at a time (chunks of
 * a body, part headers): it says how long the next frame is and handles each complete frame. Input
 * past the last frame is BodyTrailingData; input ending inside a frame is BodyTruncated.
 *
 * Buffers: Node lets a producer reuse a buffer as soon as its write callback fired, so a frame is
 * handed to onFrame synchronously (as a view into the input when it arrived whole: the hot path
 * copies nothing) and onFrame must not keep it. The only frame kept past a callback is one that may
 * be the last: it is copied, and handled once more input or the end shows whether it is.
 *
 * With an exact input length, input past it fails before any of it is handled, and the last frame is
 * handled only after the input ended at exactly that length: an encrypting subclass therefore never
 * emits its final chunk for an over-long (or short) body, so no complete, valid body ever leaves.
 * `beforeFinal` extends that to a body that must also verify (checksums, payload hash): it is awaited
 * in _flush, after the length checked out and before the final frame is handled.
 */
export abstract class FramedTransform extends Transform {
  protected readonly out: HeldOutput;
  /** reused for frames that arrive split across writes; zeroed when the stream ends */
  private acc: Buffer | undefined;
  private accLen = 0;
  private want: number | undefined;
  private started = false;
  private received = 0;
  /** a complete frame that may be the last one: our own copy, never a view of the input */
  private held: Buffer | undefined;

  constructor(
    releaseWindow = DEFAULT_RELEASE_WINDOW,
    hwm = 256 * 1024,
    private readonly inputLength: InputLength = undefined,
    private readonly beforeFinal?: BeforeFinal,
  ) {
    super({ readableHighWaterMark: hwm, writableHighWaterMark: hwm });
    this.out = new HeldOutput(releaseWindow, (b) => this.push(b));
  }

  /** length of the next frame, or undefined when the input must end here */
  protected abstract nextFrame(): number | undefined;
  /**
   * One frame, valid only during this call. `last` is true when the input ended right after it (with
   * an 'open' length, the last frame may be shorter than nextFrame() said, or empty).
   */
  protected abstract onFrame(frame: Buffer, last: boolean): void;
  /** called once all frames were consumed, before the held output is released */
  protected finish(): void {}
  protected abstract wipeKeys(): void;
  protected truncated(): SealError {
    return new SealError('BodyTruncated', 'object ended early');
  }
  protected trailing(): SealError {
    return new SealError('BodyTrailingData', 'data after the end of the object');
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.want = this.nextFrame();
  }

  private handle(frame: Buffer, last: boolean): void {
    this.onFrame(frame, last);
    this.want = this.nextFrame();
  }

  /** nothing follows the frame just completed in the input so far: might it be the last? */
  private mayBeLast(): boolean {
    return this.inputLength === 'open' || this.received === this.inputLength;
  }

  override _transform(data: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.start();
      if (typeof this.inputLength === 'number') {
        this.received += data.length;
        if (this.received > this.inputLength) throw this.trailing();
      }
      let off = 0;
      while (off < data.length) {
        if (this.held) {
          // more input follows the held frame: it was not the last
          const f = this.held;
          this.held = undefined;
          this.handle(f, false);
        }
        const want = this.want;
        if (want === undefined) throw this.trailing();
        let frame: Buffer;
        let ours = false;
        if (this.accLen === 0 && data.length - off >= want) {
          frame = data.subarray(off, off + want);
          off += want;
        } else {
          ours = true;
          if (!this.acc || this.acc.length < want) this.acc = Buffer.allocUnsafe(want);
          const n = Math.min(want - this.accLen, data.length - off);
          data.copy(this.acc, this.accLen, off, off + n);
          this.accLen += n;
          off += n;
          if (this.accLen < want) break;
          frame = this.acc.subarray(0, want);
          this.accLen = 0;
        }
        if (off === data.length && this.mayBeLast()) {
          // the acc is not written again before the held frame is handled, so a view of it is ours
          this.held = ours ? frame : Buffer.from(frame);
        } else {
          this.handle(frame, false);
        }
      }
      cb();
    } catch (err) {
      this.fail();
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    const failed = (err: unknown): void => {
      this.fail();
      cb(err as Error);
    };
    let check: unknown;
    try {
      this.start();
      // a short body is reported as such, not as whatever the check makes of it
      if (typeof this.inputLength === 'number' && this.received < this.inputLength) throw this.truncated();
      check = this.beforeFinal?.();
    } catch (err) {
      return failed(err);
    }
    // any thenable is awaited (a `() => void` type admits a function returning any promise-like,
    // and one not awaited here would let the final frame out unverified); only a plain value is sync
    const thenable = typeof (check as { then?: unknown } | null | undefined)?.then === 'function';
    if (!thenable) return this.flushFrames(cb);
    Promise.resolve(check as PromiseLike<unknown>).then(() => (this.destroyed ? cb(new Error('stream destroyed before its final frame')) : this.flushFrames(cb)), failed);
  }

  private flushFrames(cb: TransformCallback): void {
    try {
      if (this.held) {
        const f = this.held;
        this.held = undefined;
        this.handle(f, true);
      } else if (this.inputLength === 'open' && this.want !== undefined) {
        // input ended inside (or before) a frame: with an open length that is the short last frame
        const n = this.accLen;
        this.accLen = 0;
        this.handle(this.acc ? this.acc.subarray(0, n) : Buffer.alloc(0), true);
      }
      // a zero-length frame (the final chunk of an empty body, on the encrypt side) needs no input
      while (this.want === 0) this.handle(Buffer.alloc(0), true);
      if (this.inputLength !== 'open' && (this.want !== undefined || this.accLen > 0)) throw this.truncated();
      this.finish();
      this.out.release();
      this.wipeKeys();
      this.acc?.fill(0);
      cb();
    } catch (err) {
      this.fail();
      cb(err as Error);
    }
  }

  private fail(): void {
    this.out.discard();
    this.wipeKeys();
    this.acc?.fill(0);
    this.held?.fill(0);
    this.held = undefined;
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.fail();
    cb(err);
  }
}
