import { Transform, type TransformCallback } from 'node:stream';
import { SealError } from '../errors.js';
import { DEFAULT_RELEASE_WINDOW, HeldOutput } from './held-output.js';

/**
 * A transform over input whose frame lengths are known in advance (ranged reads, multipart
 * bodies): subclasses say how long the next frame is and handle each complete frame. Input past the
 * last frame is BodyTrailingData; input ending inside a frame is BodyTruncated. Frames are passed
 * as views into the input when they arrive whole, so the hot path copies nothing.
 */
export abstract class FramedTransform extends Transform {
  protected readonly out: HeldOutput;
  private acc: Buffer | undefined;
  private accLen = 0;
  private want: number | undefined;
  private started = false;

  constructor(releaseWindow = DEFAULT_RELEASE_WINDOW, hwm = 256 * 1024) {
    super({ readableHighWaterMark: hwm, writableHighWaterMark: hwm });
    this.out = new HeldOutput(releaseWindow, (b) => this.push(b));
  }

  /** length of the next frame, or undefined when the input must end here */
  protected abstract nextFrame(): number | undefined;
  protected abstract onFrame(frame: Buffer): void;
  /** called once all frames were consumed, before the held output is released */
  protected finish(): void {}
  protected abstract wipeKeys(): void;
  protected truncated(): SealError {
    return new SealError('BodyTruncated', 'object ended early');
  }
  protected trailing(): SealError {
    return new SealError('BodyTrailingData', 'data after the end of the object');
  }

  private advance(): void {
    this.want = this.nextFrame();
    this.acc = undefined;
    this.accLen = 0;
  }

  override _transform(data: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      if (!this.started) {
        this.started = true;
        this.advance();
      }
      let off = 0;
      while (off < data.length) {
        if (this.want === undefined) throw this.trailing();
        if (this.accLen === 0 && data.length - off >= this.want) {
          const frame = data.subarray(off, off + this.want);
          off += this.want;
          this.onFrame(frame);
          this.advance();
          continue;
        }
        if (!this.acc) this.acc = Buffer.allocUnsafe(this.want);
        const n = Math.min(this.want - this.accLen, data.length - off);
        data.copy(this.acc, this.accLen, off, off + n);
        this.accLen += n;
        off += n;
        if (this.accLen === this.want) {
          const frame = this.acc;
          this.onFrame(frame);
          this.advance();
        }
      }
      cb();
    } catch (err) {
      this.fail();
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      if (!this.started) {
        this.started = true;
        this.advance();
      }
      // a zero-length frame (the final chunk of an empty part, on the encrypt side) needs no input
      while (this.want === 0) {
        this.onFrame(Buffer.alloc(0));
        this.advance();
      }
      if (this.want !== undefined) throw this.truncated();
      this.finish();
      this.out.release();
      this.wipeKeys();
      cb();
    } catch (err) {
      this.fail();
      cb(err as Error);
    }
  }

  private fail(): void {
    this.out.discard();
    this.wipeKeys();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.fail();
    cb(err);
  }
}
