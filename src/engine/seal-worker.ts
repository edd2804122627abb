/**
 * The sealing worker (segment-sealer.ts): a `node:worker_threads` entry that seals whole segments
 * off the main thread, so AES-GCM and the digests of a part run on another core while the main thread
 * serves requests. Nothing is logged. Plaintext and sealed bytes live in shared buffers (slots) the
 * sealer sends once; a job names a slot and a length, and carries the segment's content key in a
 * transferred 32-byte buffer that is zeroed here after the job. The plaintext in the slot is zeroed
 * once sealed; after a failure it is left for the calling thread, which seals it itself and zeroes it.
 */
import { parentPort } from 'node:worker_threads';
import { sealSegmentInto } from './seal-segment.js';
import { segmentCiphertextSize } from './size-math.js';

/** a slot: plaintext in, sealed bytes out */
export interface SealSlot {
  plaintext: SharedArrayBuffer;
  out: SharedArrayBuffer;
}

export type SealMessage =
  | { kind: 'slot'; slot: number; buffers: SealSlot }
  | { kind: 'drop'; slot: number }
  | { kind: 'seal'; id: number; slot: number; length: number; contentKey: Uint8Array; header: Uint8Array };

/** the answer to a seal job: the sealed size in the slot's `out` and its digests, or what went wrong (a message with no key or data in it) */
export type SealAnswer = { id: number; size: number; crc32: string } | { id: number; error: string };

const slots = new Map<number, SealSlot>();

parentPort?.on('message', (m: SealMessage) => {
  if (m.kind === 'slot') {
    slots.set(m.slot, m.buffers);
    return;
  }
  if (m.kind === 'drop') {
    slots.delete(m.slot);
    return;
  }
  const contentKey = Buffer.from(m.contentKey.buffer, m.contentKey.byteOffset, m.contentKey.byteLength);
  const slot = slots.get(m.slot);
  const plaintext = slot ? new Uint8Array(slot.plaintext, 0, m.length) : undefined;
  let answer: SealAnswer;
  try {
    if (!slot || !plaintext) throw new RangeError(`no slot ${m.slot}`);
    const header = Buffer.from(m.header.buffer, m.header.byteOffset, m.header.byteLength);
    const size = segmentCiphertextSize(m.length, header.length);
    // no SHA-256: a body sealed here is sent as UNSIGNED-PAYLOAD (segment-sealer.ts)
    const { crc32 } = sealSegmentInto({ contentKey, header }, plaintext, Buffer.from(slot.out, 0, size), { sha256: false });
    plaintext.fill(0);
    answer = { id: m.id, size, crc32 };
  } catch (err) {
    answer = { id: m.id, error: err instanceof Error ? `${err.name}: ${err.message}` : 'sealing failed' };
  } finally {
    contentKey.fill(0);
  }
  parentPort!.postMessage(answer);
});
