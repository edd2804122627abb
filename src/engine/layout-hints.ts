import type { LayoutEntry } from '../crypto/layout.js';
import type { ObjectId } from '../crypto/object-id.js';

/** What a reader last saw of a multipart object: enough to ask the backend for a range up front. */
export interface LayoutHint {
  /** the version seen: a read that uses the hint is pinned to it (If-Match) */
  etag: string;
  /** stored size of that version */
  size: number;
  /** the envelope's layout field, as stored: a response whose envelope carries another one is not this version */
  layout: Buffer;
  entries: readonly LayoutEntry[];
  plaintextLength: number;
}

/** default budget: layout entries held across all hints (one per part, ~100 bytes each) */
export const DEFAULT_LAYOUT_HINT_PARTS = 100_000;

/**
 * The last multipart layout seen per (bucket, key), so that a ranged or `partNumber` read of a
 * multipart object costs one backend request once the object has been read (or HEADed) by this
 * instance: without it, the reader's first request assumes a single-part object (the common case)
 * and has to ask again once the response's envelope shows a layout.
 *
 * A hint only chooses which bytes to ask for. Nothing in it is trusted: the request is pinned to
 * the hint's ETag (If-Match), the response's own envelope is decoded and MAC-verified under the
 * recovered DEK, its layout must equal the hint's byte for byte, and every chunk authenticates
 * under keys from the verified layout; any difference falls back to a read without the hint.
 * It holds no secret (lengths and an ETag). Bounded LRU: each entry costs its part count.
 */
export class LayoutHints {
  private readonly entries = new Map<string, LayoutHint>();
  private cost = 0;

  constructor(private readonly maxParts = DEFAULT_LAYOUT_HINT_PARTS) {
    if (!Number.isSafeInteger(maxParts) || maxParts < 0) throw new RangeError('layout hint budget must be a non-negative integer');
  }

  get size(): number {
    return this.entries.size;
  }

  get(o: ObjectId): LayoutHint | undefined {
    const id = JSON.stringify([o.bucket, o.key]);
    const hit = this.entries.get(id);
    if (hit) {
      this.entries.delete(id);
      this.entries.set(id, hit);
    }
    return hit;
  }

  set(o: ObjectId, hint: LayoutHint): void {
    this.delete(o);
    const cost = hint.entries.length;
    if (cost > this.maxParts) return;
    this.entries.set(JSON.stringify([o.bucket, o.key]), { ...hint, layout: Buffer.from(hint.layout) });
    this.cost += cost;
    for (const [oldest, v] of this.entries) {
      if (this.cost <= this.maxParts) break;
      this.entries.delete(oldest);
      this.cost -= v.entries.length;
    }
  }

  delete(o: ObjectId): void {
    const id = JSON.stringify([o.bucket, o.key]);
    const old = this.entries.get(id);
    if (!old) return;
    this.entries.delete(id);
    this.cost -= old.entries.length;
  }
}
