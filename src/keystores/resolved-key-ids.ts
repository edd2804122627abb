import type { Keystore } from './keystore.js';

export interface ResolvedKeyIdsOptions {
  /** how long a resolved id is reused before the keystore is asked again (ms); default 60 s */
  ttlMs?: number;
  /** ids kept (oldest dropped first); default 10 000 */
  maxEntries?: number;
}

interface Entry {
  keystore: Keystore;
  id: Promise<string>;
  /** when the id stops being reused; Infinity while the lookup is in flight */
  until: number;
  /** when the lookup answered (a fresh lookup is not repeated within FRESH_MIN_INTERVAL_MS of it) */
  resolvedAt: number;
}

/**
 * A `fresh` lookup is made for a read whose envelope names another key than the cached id; an
 * envelope field is the object server's to write, so without this bound every read of a planted
 * object would cost a DescribeKey (and throttle the KMS for everyone).
 */
const FRESH_MIN_INTERVAL_MS = 1000;

/**
 * Resolved key ids (keyName → what describeKey returns: an alias becomes its key ARN), shared by every
 * request that uses one KeystoreRegistry, so a resolver built per request does not cost a DescribeKey
 * per request (issue 6 item 22). Entries expire after a TTL, so a re-pointed alias is seen within it.
 * A failed lookup (an outage, an unknown key) is not cached: the next request asks again. Entries are
 * keyed with the keystore, so `file:foo` and AWS KMS key `foo` never share one.
 */
export class ResolvedKeyIds {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    opts: ResolvedKeyIdsOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
  }

  /**
   * `fresh`: skip a cached id (not one still in flight) and ask the keystore again — for a read whose
   * envelope names another key than the cached id, which an alias re-pointed within the TTL explains
   */
  resolve(keystore: Keystore, keyName: string, fresh = false): Promise<string> {
    // a keystore id never contains NUL, so the pair is unambiguous
    const k = `${keystore.id}\u0000${keyName}`;
    const e = this.entries.get(k);
    const reuse = e !== undefined && e.keystore === keystore && this.now() <= e.until && !(fresh && e.until !== Infinity && this.now() - e.resolvedAt >= FRESH_MIN_INTERVAL_MS);
    if (e && reuse) return e.id;
    if (e) this.entries.delete(k);
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    const id: Promise<string> = keystore.describeKey(keyName).then(
      (d) => {
        const cur = this.entries.get(k);
        if (cur?.id === id) {
          cur.until = this.now() + this.ttlMs;
          cur.resolvedAt = this.now();
        }
        return d.keyId;
      },
      (err: unknown) => {
        if (this.entries.get(k)?.id === id) this.entries.delete(k);
        throw err;
      },
    );
    this.entries.set(k, { keystore, id, until: Infinity, resolvedAt: Number.NEGATIVE_INFINITY });
    return id;
  }

  /**
   * What a write just learnt from the keystore: `keyName` (an alias) now resolves to `keyId` (its
   * generateDataKey answer names the key it used). Reads of that object in this process then match at
   * once, without waiting for the TTL or a fresh lookup.
   */
  learn(keystore: Keystore, keyName: string, keyId: string): void {
    const k = `${keystore.id}\u0000${keyName}`;
    const e = this.entries.get(k);
    if (e && e.keystore === keystore && e.until === Infinity) return; // a lookup in flight decides
    if (!e) while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    const now = this.now();
    this.entries.set(k, { keystore, id: Promise.resolve(keyId), until: now + this.ttlMs, resolvedAt: now });
  }

  /** forget every resolved id (e.g. after an operator re-pointed aliases) */
  clear(): void {
    this.entries.clear();
  }
}
