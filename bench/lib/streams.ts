import { randomFillSync } from 'node:crypto';
import { Readable, Writable } from 'node:stream';

/** A buffer of random bytes (random so nothing downstream can profit from compressible input). */
export function randomBuffer(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let off = 0; off < size; off += 1 << 16) randomFillSync(b, off, Math.min(1 << 16, size - off));
  return b;
}

export interface SourceOptions {
  /** bytes per pushed Buffer */
  pieceSize: number;
  /**
   * 'view': push subarrays of `pool` (no allocation; measures the consumer, not the source).
   * 'copy': copy each piece into a fresh Buffer, like a socket or file would deliver it.
   */
  mode?: 'view' | 'copy';
  highWaterMark?: number;
}

/**
 * A Readable that emits `total` bytes from `pool` (cycled) in `pieceSize` pieces, honouring
 * backpressure (it produces only when read() is called).
 */
export function poolSource(pool: Buffer, total: number, opts: SourceOptions): Readable {
  const { pieceSize } = opts;
  const copy = opts.mode === 'copy';
  let sent = 0;
  let poolOff = 0;
  return new Readable({
    highWaterMark: opts.highWaterMark ?? pieceSize,
    read() {
      while (sent < total) {
        const n = Math.min(pieceSize, total - sent, pool.length - poolOff);
        let piece = pool.subarray(poolOff, poolOff + n);
        if (copy) piece = Buffer.from(piece);
        poolOff = (poolOff + n) % pool.length;
        sent += n;
        if (!this.push(piece)) return;
      }
      this.push(null);
    },
  });
}

/** A Writable that discards everything and counts the bytes. */
export function countingSink(): Writable & { bytes: number } {
  const w = new Writable({
    highWaterMark: 256 * 1024,
    write(chunk: Buffer, _enc, cb) {
      w.bytes += chunk.length;
      cb();
    },
    writev(chunks, cb) {
      for (const c of chunks) w.bytes += (c.chunk as Buffer).length;
      cb();
    },
  }) as Writable & { bytes: number };
  w.bytes = 0;
  return w;
}
