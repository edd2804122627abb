import { Worker } from 'node:worker_threads';
import { SealError } from '../errors.js';
import { sealSegment, type SealedSegment, type SegmentSeal } from './seal-segment.js';
import type { SealAnswer, SealMessage, SealSlot } from './seal-worker.js';

/**
 * Plaintext at least this long is sealed in the worker; shorter bodies are sealed on the calling
 * thread, where a 4 KiB PUT costs a few microseconds of AES-GCM and a round trip to another thread
 * would cost more than it saves.
 */
export const WORKER_MIN_PLAINTEXT = 1024 * 1024;

/** slots (pairs of shared buffers) at most, and how long an idle sealer keeps them */
const MAX_SLOTS = 8;
const SLOTS_IDLE_MS = 2000;
const MiB = 1024 * 1024;

/** A body's plaintext, collected by the caller into `buffer` (its private copy), to be sealed by `seal`. */
export interface PlaintextBuffer {
  buffer: Buffer;
  /** the worker slot the buffer belongs to, if any */
  readonly slot?: number;
}

/**
 * a sealed segment whose memory is reused once `release(true)` is called — only after its request
 * succeeded: a request the backend answered early (an error before reading the body) may still be
 * writing from the buffer, so `release(false)` retires it instead (freed by GC once the socket lets go)
 */
export interface ReleasableSealedSegment extends SealedSegment {
  release(reusable: boolean): void;
}

/** the worker did not seal a job; its plaintext is still in the slot */
class WorkerLost extends Error {}

interface Slot {
  id: number;
  buffers: SealSlot;
  busy: boolean;
}

interface Pending {
  slot: Slot;
  resolve(s: ReleasableSealedSegment): void;
  reject(err: unknown): void;
}

/**
 * Seals whole segments that are already in memory (sealSegment), the large ones on one
 * `node:worker_threads` worker: the main thread of a door spends its time on the caller's and the
 * backend's SDK passes and socket writes, and with AES-GCM and the body's CRC32 / SHA-256 on the
 * other core, a multipart upload with several parts in flight no longer waits on one thread for all
 * of it. The bytes are exactly sealSegment's (the worker runs the same function). A body sealed
 * there comes without a SHA-256: it is sent as UNSIGNED-PAYLOAD with its CRC32, as such a body was
 * (and a larger one still is) when it streamed aws-chunked with STREAMING-UNSIGNED-PAYLOAD-TRAILER,
 * and a SHA-256 pass over every part would cost the worker more than AES-GCM does. A small body,
 * sealed on the calling thread, keeps its signed SHA-256, as before.
 *
 * Memory: a large body is collected into a slot, a pair of SharedArrayBuffers (plaintext in, sealed
 * out) that the worker shares, so nothing is copied or transferred per job — transferring 2 × 8 MiB
 * per part made V8 run a full GC every few parts for the external memory alone. A slot is busy from
 * `plaintextBuffer` until the sealed body's `release()`; at most MAX_SLOTS exist (beyond that, bodies
 * are sealed on the calling thread), and all are dropped after SLOTS_IDLE_MS without a job.
 *
 * If the worker cannot seal (it failed to start or crashed, or refused a job), the body is sealed
 * on the calling thread from the slot — the worker zeroes a slot's plaintext only after sealing it,
 * just before it answers — and so is every later body: a worker problem costs speed, never a
 * request. Key material: the worker gets its own copy of the segment's content key (a fresh 32-byte buffer,
 * transferred, so no copy stays in a shared pool) and zeroes it after the job; the caller keeps and
 * zeroes its own. The plaintext copy is zeroed after sealing, on whichever thread sealed it. Jobs
 * run one at a time, in order. The worker is started on first use, does not keep the process alive
 * when idle, and is stopped by `close()` (later bodies are sealed on the calling thread).
 */
export class SegmentSealer {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextSlot = 1;
  private closed = false;
  /** the worker failed once: bodies are sealed on the calling thread */
  private broken = false;
  private readonly slots: Slot[] = [];
  private idleTimer: NodeJS.Timeout | undefined;

  /** `workerUrl`: the worker's entry (default seal-worker.js beside this file; tests point it elsewhere) */
  constructor(private readonly opts: { useWorker?: boolean; workerUrl?: URL } = {}) {}

  /** a buffer of `n` bytes to collect a body's plaintext into, for `seal`: a worker slot for a large body */
  plaintextBuffer(n: number): PlaintextBuffer {
    if (this.closed || this.broken || this.opts.useWorker === false || n < WORKER_MIN_PLAINTEXT) return { buffer: Buffer.allocUnsafe(n) };
    this.touch();
    let slot = this.slots.find((s) => !s.busy && s.buffers.plaintext.byteLength >= n && s.buffers.plaintext.byteLength <= 2 * n + MiB);
    if (!slot) {
      if (this.slots.length >= MAX_SLOTS) this.dropIdleSlot();
      if (this.slots.length >= MAX_SLOTS) return { buffer: Buffer.allocUnsafe(n) };
      const capacity = Math.ceil(n / MiB) * MiB;
      slot = { id: this.nextSlot++, buffers: { plaintext: new SharedArrayBuffer(capacity), out: new SharedArrayBuffer(capacity + MiB) }, busy: true };
      try {
        this.post({ kind: 'slot', slot: slot.id, buffers: slot.buffers });
      } catch {
        // the worker cannot start (a permission model without --allow-worker, no thread left):
        // this body and every later one are sealed on the calling thread
        this.broken = true;
        return { buffer: Buffer.allocUnsafe(n) };
      }
      this.slots.push(slot);
    }
    slot.busy = true;
    return { buffer: Buffer.from(slot.buffers.plaintext, 0, n), slot: slot.id };
  }

  /**
   * The sealed segment of `plain` (from `plaintextBuffer`: it is zeroed after use) under `seg`;
   * `seg.contentKey` stays the caller's to wipe. Call `release()` once the sealed body was sent —
   * or, when `seal` is never reached, `discard(plain)`.
   */
  async seal(seg: SegmentSeal, plain: PlaintextBuffer): Promise<ReleasableSealedSegment> {
    const slot = plain.slot === undefined ? undefined : this.slots.find((s) => s.id === plain.slot);
    if (slot === undefined || this.closed || this.broken) return this.sealHere(seg, plain.buffer, slot);
    try {
      return await this.sealInWorker(seg, plain.buffer.length, slot);
    } catch (err) {
      // the worker could not seal it (failed to start, crashed, or refused the job): the plaintext is
      // still in the slot, so this thread seals it — slower, never a failed request
      if (err instanceof WorkerLost) return this.sealHere(seg, plain.buffer, slot);
      throw err;
    }
  }

  private sealHere(seg: SegmentSeal, plaintext: Buffer, slot: Slot | undefined): ReleasableSealedSegment {
    try {
      // a large body goes UNSIGNED-PAYLOAD wherever it was sealed: no SHA-256 pass on this thread either
      return { ...sealSegment(seg, plaintext, { sha256: plaintext.length < WORKER_MIN_PLAINTEXT }), release: () => undefined };
    } finally {
      plaintext.fill(0);
      if (slot) slot.busy = false;
    }
  }

  /** a plaintext buffer that will not be sealed (the body failed): zeroed, its slot freed */
  discard(plain: PlaintextBuffer): void {
    plain.buffer.fill(0);
    const slot = this.slots.find((s) => s.id === plain.slot);
    if (slot) slot.busy = false;
  }

  private sealInWorker(seg: SegmentSeal, length: number, slot: Slot): Promise<ReleasableSealedSegment> {
    let worker: Worker;
    try {
      worker = this.started();
    } catch (err) {
      this.broken = true;
      return Promise.reject(new WorkerLost(`the sealing worker cannot start (${err instanceof Error ? err.name : 'error'})`));
    }
    const id = this.nextId++;
    const contentKey = new Uint8Array(new ArrayBuffer(seg.contentKey.length));
    contentKey.set(seg.contentKey);
    // its own exact-size buffer: the header is a slice of Node's shared Buffer pool, and posting a
    // slice copies its whole backing pool — with whatever else lives there (other requests' keys)
    const header = new Uint8Array(seg.header);
    this.touch();
    return new Promise<ReleasableSealedSegment>((resolve, reject) => {
      this.pending.set(id, { slot, resolve, reject });
      if (this.pending.size === 1) worker.ref();
      try {
        const job: SealMessage = { kind: 'seal', id, slot: slot.id, length, contentKey, header };
        worker.postMessage(job, [contentKey.buffer, header.buffer]);
      } catch (err) {
        this.pending.delete(id);
        if (this.pending.size === 0) worker.unref();
        contentKey.fill(0);
        reject(new WorkerLost(`the job could not be posted (${err instanceof Error ? err.name : 'error'})`));
      }
    });
  }

  private answered(a: SealAnswer): void {
    const p = this.pending.get(a.id);
    if (!p) return;
    this.pending.delete(a.id);
    if (this.pending.size === 0) this.worker?.unref();
    const slot = p.slot;
    if ('error' in a) {
      p.reject(new WorkerLost(`the sealing worker refused a job (${a.error})`));
      return;
    }
    let released = false;
    p.resolve({
      body: Buffer.from(slot.buffers.out, 0, a.size),
      crc32: a.crc32,
      release: (reusable) => {
        if (released) return;
        released = true;
        if (reusable) {
          slot.busy = false;
          return;
        }
        // retired, not reused: the failed request's socket may still be reading the sealed bytes
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        this.worker?.postMessage({ kind: 'drop', slot: slot.id } satisfies SealMessage);
      },
    });
  }

  private post(m: SealMessage): void {
    this.started().postMessage(m);
  }

  private dropIdleSlot(): void {
    const i = this.slots.findIndex((s) => !s.busy);
    if (i < 0) return;
    const [s] = this.slots.splice(i, 1);
    this.worker?.postMessage({ kind: 'drop', slot: s!.id } satisfies SealMessage);
  }

  /** idle slots are dropped when no job came for SLOTS_IDLE_MS */
  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      for (const s of this.slots.filter((x) => !x.busy)) {
        this.slots.splice(this.slots.indexOf(s), 1);
        this.worker?.postMessage({ kind: 'drop', slot: s.id } satisfies SealMessage);
      }
    }, SLOTS_IDLE_MS);
    this.idleTimer.unref();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    // no inherited execArgv: the worker is plain JavaScript and needs no flag, and some (--input-type,
    // loaders for the caller's own code) would stop it from starting
    const worker = new Worker(this.opts.workerUrl ?? new URL('./seal-worker.js', import.meta.url), { execArgv: [] });
    worker.on('message', (a: SealAnswer) => this.answered(a));
    const lost = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      // no second worker: from now on every body is sealed on the calling thread (the jobs in flight too)
      this.broken = true;
      this.slots.length = 0;
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const p of pending) p.reject(new WorkerLost(`the sealing worker ${why}`));
    };
    worker.on('error', () => lost('failed'));
    worker.on('exit', () => lost('stopped'));
    // after the listeners: attaching a 'message' listener refs the worker's port again
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** stops the worker and drops the slots; jobs in flight fail (retryable), later bodies are sealed on the calling thread */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.slots.length = 0;
    const w = this.worker;
    this.worker = undefined;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new SealError('BackendUnavailable', 'this s3seal instance has shut down; retry on another'));
    if (w) await w.terminate();
  }
}
