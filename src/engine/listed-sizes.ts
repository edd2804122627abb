import { BackendRequestError } from '../backends/backend-request-error.js';
import { isMultipartEtag } from '../backends/multipart-etag.js';
import type { ObjectStore, StoredObjectInfo } from '../backends/object-store.js';
import { findEnvelope } from './envelope-lookup.js';
import { plaintextLengthOf } from './object-reader.js';
import { singlePartPlaintextSize } from './size-math.js';

/** A bucket, or a prefix of one, where every object is known to be written by s3seal (configuration). */
export interface EncryptedOnlyPrefix {
  bucket: string;
  /** '' = the whole bucket */
  prefix: string;
}

export interface ListedSizesOptions {
  encryptedOnly?: readonly EncryptedOnlyPrefix[];
  /** HEADs in flight at once, across every listing through this instance (default 8) */
  headConcurrency?: number;
  /** (bucket, key, ETag) → plaintext size entries kept, least recently used evicted first (default 100 000; 0 disables) */
  cacheEntries?: number;
}

/** One LIST entry as the backend reported it. */
export interface ListedEntry {
  key: string;
  etag: string;
  /** stored (ciphertext) size */
  size: number;
  /** a ListObjectVersions entry: its HEAD asks for this version */
  versionId?: string;
}

/** What the listing reports for an entry: its plaintext size, and the ETag / date that size belongs to. */
export interface SizedEntry {
  size: number;
  etag: string;
  /** set only when a HEAD found another object than the LIST did (overwritten in between) */
  lastModified?: Date;
}

/**
 * Plaintext sizes for LIST entries (DESIGN.md "Sizes, listing…", issue 7 item 6).
 *
 * The size formula (size-math.ts) is used only where it is provably right: the entry lies in a prefix
 * configured as encrypted-only (every object there is s3seal) **and** it is single-part. LIST says
 * nothing else about an object than key, size, ETag, date and storage class, and the size alone
 * cannot tell: almost every size is both a valid single-part size and a valid multipart size, so the
 * inverse of the formula is ambiguous. What LIST does show is a multipart ETag (`…-N`): s3seal's
 * layout commit is a metadata-only self-copy, which MinIO and SeaweedFS make without touching the
 * bytes, so the object keeps the ETag CompleteMultipartUpload gave it (test multipart-commit), and a
 * commit over the copy limit is itself a multipart copy (`…-N` on every backend). A copy of a
 * multipart object to another key (which one CopyObject would give a plain MD5 ETag on MinIO) is
 * made by UploadPartCopy for that reason (S3ObjectStore.copyObject, test multipart-copy-listing);
 * an in-place re-wrap is a self-copy like the commit. So in an
 * encrypted-only prefix an entry with a plain ETag is single-part, one with `-N` is HEADed.
 * The precondition is the configuration's: an encrypted-only prefix must be one where s3seal's
 * multipart objects keep a multipart ETag — not on AWS S3 (its CopyObject gives the copy an MD5 ETag,
 * so a committed multipart object looks single-part), and not where multipart objects are copied in by
 * a single CopyObject from elsewhere (another tool). config.ts says so where the prefixes are configured.
 *
 * Everything else is HEADed (bounded concurrency, shared by all listings) and its size taken from the
 * envelope — the committed layout for multipart objects — or, without an envelope, the stored size
 * (a plaintext object's own size; sizes are not secret per the threat model). An object whose
 * envelope cannot be decoded has no plaintext size (every read of it fails): the listing reports its
 * stored size rather than failing as a whole. HEAD answers are cached per (bucket, key, ETag): the ETag
 * changes whenever the bytes do, and the plaintext size is a function of the bytes and the layout
 * committed with them, so a second listing costs no HEAD and an overwritten object is HEADed again.
 */
export class ListedSizes {
  private readonly encryptedOnly: readonly EncryptedOnlyPrefix[];
  private readonly concurrency: number;
  private readonly maxEntries: number;
  private readonly cache = new Map<string, number>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly store: ObjectStore,
    opts: ListedSizesOptions = {},
  ) {
    this.encryptedOnly = opts.encryptedOnly ?? [];
    this.concurrency = opts.headConcurrency ?? 8;
    this.maxEntries = opts.cacheEntries ?? 100_000;
    if (!Number.isSafeInteger(this.concurrency) || this.concurrency < 1) throw new RangeError('headConcurrency must be a positive integer');
    if (!Number.isSafeInteger(this.maxEntries) || this.maxEntries < 0) throw new RangeError('cacheEntries must be a non-negative integer');
  }

  /** entries cached (tests, metrics) */
  get cached(): number {
    return this.cache.size;
  }

  /** Each entry's plaintext size; undefined where the HEAD found the object gone (deleted since the LIST). */
  async sizes(bucket: string, entries: readonly ListedEntry[]): Promise<(SizedEntry | undefined)[]> {
    return Promise.all(entries.map((e) => this.size(bucket, e)));
  }

  /** zero the cache (container shutdown) */
  clear(): void {
    this.cache.clear();
  }

  private async size(bucket: string, e: ListedEntry): Promise<SizedEntry | undefined> {
    const byFormula = this.formula(bucket, e);
    if (byFormula !== undefined) return { size: byFormula, etag: e.etag };
    const id = cacheId(bucket, e.key, e.etag);
    const hit = this.cache.get(id);
    if (hit !== undefined) {
      this.cache.delete(id);
      this.cache.set(id, hit);
      return { size: hit, etag: e.etag };
    }
    const info = await this.limited(() => this.head(bucket, e));
    if (info === undefined) return undefined;
    const size = storedPlaintextSize(info);
    this.remember(cacheId(bucket, e.key, info.etag), size);
    // overwritten between LIST and HEAD: report the object that is there now, whole (size, ETag, date)
    if (info.etag !== e.etag) return { size, etag: info.etag, ...(info.lastModified ? { lastModified: info.lastModified } : {}) };
    return { size, etag: e.etag };
  }

  private formula(bucket: string, e: ListedEntry): number | undefined {
    if (isMultipartEtag(e.etag)) return undefined;
    if (!this.encryptedOnly.some((p) => p.bucket === bucket && e.key.startsWith(p.prefix))) return undefined;
    try {
      return singlePartPlaintextSize(e.size);
    } catch {
      // no single-part body has this size (0 bytes, a size inside a gap): not what the prefix promises, so look
      return undefined;
    }
  }

  private async head(bucket: string, e: ListedEntry): Promise<StoredObjectInfo | undefined> {
    try {
      return await this.store.head(bucket, e.key, e.versionId);
    } catch (err) {
      // deleted since the LIST: S3 lists what it had; the object is gone, so it is not reported
      if (err instanceof BackendRequestError && err.status === 404) return undefined;
      throw err;
    }
  }

  private remember(id: string, size: number): void {
    if (this.maxEntries === 0) return;
    this.cache.delete(id);
    this.cache.set(id, size);
    while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    while (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

function cacheId(bucket: string, key: string, etag: string): string {
  return JSON.stringify([bucket, key, etag]);
}

/** the plaintext size a HEAD answer implies (see the class comment for objects without a usable envelope) */
function storedPlaintextSize(info: StoredObjectInfo): number {
  try {
    const env = findEnvelope(info.metadata);
    return env ? plaintextLengthOf(env, info.size) : info.size;
  } catch {
    return info.size;
  }
}
