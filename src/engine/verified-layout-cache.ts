import type { ObjectId } from '../crypto/object-id.js';

/**
 * One object version's view of the cache, as the reader uses it: the per-position part salts that
 * were verified against the layout digest `digest`, running `verify` when none are known yet.
 */
export interface VerifiedLayouts {
  salts(digest: Buffer, verify: () => Promise<Buffer[]>): Promise<readonly Buffer[]>;
}

/** default budget: part salts held across all cached layouts (16 bytes each, plus a view object) */
export const DEFAULT_VERIFIED_LAYOUT_PARTS = 100_000;

/**
 * Verified multipart layouts (DESIGN.md "Multipart"), so that a parallel ranged download of an
 * N-part object reads the N part headers once, not once per range. Entries are keyed by bucket, key,
 * ETag and the envelope's layout digest: another object version or a changed envelope can never hit.
 * A salt is no secret, and an entry goes in only after every header hashed to that digest; it never
 * stands in for verification of bytes — every chunk a read opens is authenticated under the reader's
 * own key, with the header rebuilt from (or checked against) the cached salt.
 *
 * Bounded LRU: each entry costs its part count plus one; `maxParts` = 0 disables the cache.
 * Concurrent first reads of one layout share a single verification; if it fails, each waiter
 * verifies for itself (a failure is never cached).
 */
export class VerifiedLayoutCache {
  private readonly entries = new Map<string, readonly Buffer[]>();
  private readonly pending = new Map<string, Promise<Buffer[]>>();
  private cost = 0;

  constructor(private readonly maxParts = DEFAULT_VERIFIED_LAYOUT_PARTS) {
    if (!Number.isSafeInteger(maxParts) || maxParts < 0) throw new RangeError('verified layout cache size must be a non-negative integer');
  }

  /** how many layouts are cached (tests, metrics) */
  get size(): number {
    return this.entries.size;
  }

  for(o: ObjectId, etag: string): VerifiedLayouts {
    return { salts: (digest, verify) => this.salts(JSON.stringify([o.bucket, o.key, etag, digest.toString('hex')]), verify) };
  }

  private async salts(id: string, verify: () => Promise<Buffer[]>): Promise<readonly Buffer[]> {
    if (this.maxParts === 0) return verify();
    const hit = this.entries.get(id);
    if (hit) {
      this.entries.delete(id);
      this.entries.set(id, hit);
      // copies: a caller that wrote into a cached salt would break every later read of this version
      return hit.map((s) => Buffer.from(s));
    }
    const inFlight = this.pending.get(id);
    if (inFlight) {
      try {
        return await inFlight;
      } catch {
        // another reader's verification failed (an outage, or its own bad key): verify ourselves
      }
    }
    const p = verify();
    this.pending.set(id, p);
    try {
      const salts = await p;
      this.insert(id, salts);
      return salts;
    } finally {
      if (this.pending.get(id) === p) this.pending.delete(id);
    }
  }

  private insert(id: string, salts: Buffer[]): void {
    const cost = salts.length + 1;
    if (cost > this.maxParts || this.entries.has(id)) return;
    // our own copy in one allocation: nobody else holds (or can change) these bytes
    const backing = Buffer.concat(salts);
    let off = 0;
    const copy = salts.map((s) => backing.subarray(off, (off += s.length)));
    this.entries.set(id, copy);
    this.cost += cost;
    for (const [oldest, v] of this.entries) {
      if (this.cost <= this.maxParts) break;
      this.entries.delete(oldest);
      this.cost -= v.length + 1;
    }
  }
}
