import type { Readable } from 'node:stream';
import { BackendRequestError } from '../backends/backend-request-error.js';
import type { ObjectStore, WriteCondition } from '../backends/object-store.js';
import { equalSecret } from '../crypto/kdf.js';
import { backoff } from '../keystores/retry.js';
import type { BucketEncryption, BucketEncryptionSettings } from '../engine/facade/bucket-encryption.js';
import type { HighWaterFile, SeenVersion } from './high-water-file.js';
import { isSealError, SealError } from '../errors.js';
import {
  bucketConfigMacKey,
  configurationProblem,
  decodeBucketEncryptionDocument,
  DOCUMENT_KEY,
  DOCUMENT_LIMIT,
  encodeBucketEncryptionDocument,
  type VerifiedDocument,
} from './bucket-encryption-document.js';

export interface BucketEncryptionStoreOptions {
  /** the reserved bucket (one per deployment; every instance names the same) */
  bucket: string;
  /** how long a verified document is served from memory: another instance's change shows within this */
  ttlMs: number;
  /** the clock (ms), for tests; default Date.now */
  now?: () => number;
  /** conditional writes tried before a change gives up with ConditionalRequestConflict; default 5 */
  attempts?: number;
  /** where the highest version seen is kept across restarts (config `bucketEncryption.stateFile`); absent: memory only */
  highWater?: HighWaterFile;
}

/** what the backend holds: a verified document and its ETag, or no reserved bucket at all */
type Stored = { doc: VerifiedDocument; etag: string } | { absent: true };

/**
 * attempts of one change: every lost race is another instance's successful change during this one's
 * read-modify-write, so n instances changing at once need at most n attempts each — ten covers a
 * fleet's administrators changing different buckets at the same moment; a pause with full jitter
 * between attempts keeps them from colliding again in lockstep
 */
const DEFAULT_ATTEMPTS = 10;
const RETRY_PAUSE = { baseMs: 20, maxMs: 1000 } as const;
/** how long a reader that never saw a document waits for the first one of a reserved bucket just created (about 3 s in all: a loaded backend's PUT can take a second) */
const CREATION_WAITS_MS = [25, 50, 100, 200, 400, 800, 1600] as const;

/** a 404 of the document's GET: which of the two is missing */
function missing(err: unknown): 'bucket' | 'document' | undefined {
  if (!(err instanceof BackendRequestError) || err.status !== 404) return undefined;
  return err.s3Code === 'NoSuchBucket' ? 'bucket' : 'document';
}

/** a lost conditional write: someone else changed the document first */
function lostRace(err: unknown): boolean {
  return isSealError(err, 'PreconditionFailed') || isSealError(err, 'ConditionalRequestConflict');
}

/** the body of the document's GET, refused past DOCUMENT_LIMIT before and while it is read */
async function readBounded(body: Readable, size: number): Promise<Buffer> {
  if (size > DOCUMENT_LIMIT) {
    body.destroy();
    return Promise.reject(new SealError('BucketConfigurationInvalid', `the document is ${size} bytes, over the ${DOCUMENT_LIMIT} bytes a document may have`));
  }
  const pieces: Buffer[] = [];
  let length = 0;
  for await (const piece of body) {
    const b = piece as Buffer;
    length += b.length;
    if (length > DOCUMENT_LIMIT) {
      body.destroy();
      throw new SealError('BucketConfigurationInvalid', `the document is over the ${DOCUMENT_LIMIT} bytes a document may have`);
    }
    pieces.push(b);
  }
  return Buffer.concat(pieces);
}

/**
 * Bucket encryption configurations in the backend (DESIGN.md "Bucket encryption configuration";
 * FORMAT.md §13): one MACed, versioned document in a reserved bucket, shared by every instance of a
 * deployment (the MAC key comes from the upload-token root R that they all share).
 *
 * Reads fail closed: a document that does not verify, names another reserved bucket, or has a
 * version below the highest this instance has seen (or that version with other content) is
 * BucketConfigurationInvalid; so are a missing document in an existing reserved bucket, and a
 * missing reserved bucket once this instance has seen a document. Only a deployment that never had
 * a configuration (no reserved bucket, nothing seen) reads as "none". A verified document is served
 * from memory for `ttlMs`; this instance's own changes update that copy at once.
 *
 * Changes are read-modify-write with conditional PUTs (If-Match the ETag read, If-None-Match: * for
 * the first document), retried when another instance won the race, so no instance loses another's
 * change. Backend outages are BackendUnavailable (retryable). Backend work of one store is
 * serialised, so a slow read can never land after this instance's own newer write.
 */
export class BucketEncryptionStore implements BucketEncryptionSettings {
  readonly reservedBucket: string;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly attempts: number;
  /** the last verified state and when its read started */
  private cached: { state: Stored; at: number } | undefined;
  /** the highest document version this instance verified or wrote, and its MAC */
  private seen: SeenVersion | undefined;
  /** the state file's mark, read once before the first backend read */
  private restored: Promise<void> | undefined;
  private readonly highWater: HighWaterFile | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private macKey: Promise<Buffer> | undefined;
  private closed = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly root: () => Promise<Buffer>,
    opts: BucketEncryptionStoreOptions,
  ) {
    if (opts.bucket === '') throw new RangeError('the reserved bucket needs a name');
    if (!Number.isFinite(opts.ttlMs) || opts.ttlMs < 0) throw new RangeError('ttlMs must be a non-negative number');
    this.reservedBucket = opts.bucket;
    this.ttlMs = opts.ttlMs;
    this.now = opts.now ?? Date.now;
    this.attempts = opts.attempts ?? DEFAULT_ATTEMPTS;
    this.highWater = opts.highWater;
    if (!Number.isSafeInteger(this.attempts) || this.attempts < 1) throw new RangeError('attempts must be a positive integer');
  }

  async get(bucket: string): Promise<BucketEncryption | undefined> {
    this.refuseReserved(bucket);
    const state = await this.withContext(bucket, 'read', () => this.current());
    return 'absent' in state ? undefined : state.doc.buckets.get(bucket);
  }

  async put(bucket: string, configuration: BucketEncryption): Promise<void> {
    this.refuseReserved(bucket);
    const problem = configurationProblem({ ...configuration, blockedEncryptionTypes: [...configuration.blockedEncryptionTypes] });
    if (problem !== undefined) throw new SealError('InvalidArgument', `bucket encryption of "${bucket}" ${problem}`);
    await this.change(bucket, (buckets) => {
      buckets.set(bucket, configuration);
      return true;
    });
  }

  async delete(bucket: string): Promise<boolean> {
    this.refuseReserved(bucket);
    return this.change(bucket, (buckets) => buckets.delete(bucket));
  }

  /** Zeroes the MAC key; every later call fails with a retryable BackendUnavailable. */
  async close(): Promise<void> {
    this.closed = true;
    const key = this.macKey;
    this.macKey = undefined;
    if (key) (await key.catch(() => undefined))?.fill(0);
  }

  private refuseReserved(bucket: string): void {
    // the reserved bucket is no door's to configure or write (DESIGN.md): its own configuration is none of the caller's business
    if (bucket === this.reservedBucket) throw new SealError('AccessDenied', `"${bucket}" is s3seal's reserved bucket`);
  }

  private key(): Promise<Buffer> {
    if (this.closed) return Promise.reject(new SealError('BackendUnavailable', 'this s3seal instance has shut down; retry on another'));
    // derived once; a failed derivation (keystore outage) is not kept, the next call retries
    this.macKey ??= this.root().then(
      (r) => bucketConfigMacKey(r),
      (err: unknown) => {
        this.macKey = undefined;
        throw err;
      },
    );
    return this.macKey;
  }

  /** one backend sequence at a time (reads that refresh the cache, and changes) */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** the cached state while fresh, else a verified read */
  private current(): Promise<Stored> {
    const fresh = (): Stored | undefined => (this.cached !== undefined && this.now() - this.cached.at < this.ttlMs ? this.cached.state : undefined);
    const hit = fresh();
    if (hit) return Promise.resolve(hit);
    // a read that waited for another one may find the cache refreshed
    return this.exclusive(() => Promise.resolve(fresh() ?? this.load()));
  }

  /** SealError BucketConfigurationInvalid messages name the bucket asked for and what to do */
  private async withContext<T>(bucket: string, purpose: 'read' | 'change', fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!isSealError(err, 'BucketConfigurationInvalid')) throw err;
      const what = purpose === 'read' ? `the bucket encryption configuration of bucket "${bucket}" cannot be trusted` : `cannot change the bucket encryption configuration of bucket "${bucket}"`;
      throw new SealError('BucketConfigurationInvalid', `${what}: ${err.message}; its writes are refused until an administrator restores ${this.reservedBucket}/${DOCUMENT_KEY}`);
    }
  }

  /** read and verify the document now (inside `exclusive`), and cache what was found */
  private async load(): Promise<Stored> {
    const started = this.now();
    const macKey = await this.key();
    // a failed read of the state file is not kept: the next load tries again (fail closed meanwhile)
    this.restored ??= (this.highWater?.read() ?? Promise.resolve(undefined)).then(
      (mark) => {
        if (mark !== undefined && (this.seen === undefined || mark.version > this.seen.version)) this.seen = mark;
      },
      (err: unknown) => {
        this.restored = undefined;
        throw err;
      },
    );
    await this.restored;
    let opened;
    for (let wait = 0; ; wait++) {
      try {
        opened = await this.store.open(this.reservedBucket, DOCUMENT_KEY);
        break;
      } catch (err) {
        if (err instanceof BackendRequestError && err.status === 403) {
          // the backend credentials may not read it — e.g. on AWS S3, where bucket names are global and
          // the default name may belong to someone else: closed, and saying so, not "no configuration"
          throw new SealError('BucketConfigurationInvalid', `the object server refuses this instance access to the reserved bucket "${this.reservedBucket}" (${err.s3Code}): give its backend credentials access, or set bucketEncryption.reservedBucket to a bucket they own`);
        }
        const gone = missing(err);
        if (gone === undefined) throw err;
        if (gone === 'document') {
          // The first change creates the bucket, then the document: another instance may be between
          // the two. One that never saw a document waits a little for it; a document this instance
          // has seen, or one that does not come, was deleted.
          if (this.seen === undefined && wait < CREATION_WAITS_MS.length) {
            await new Promise((r) => setTimeout(r, CREATION_WAITS_MS[wait]));
            continue;
          }
          throw new SealError('BucketConfigurationInvalid', 'the reserved bucket exists but holds no configuration document (deleted?)');
        }
        if (this.seen !== undefined) throw new SealError('BucketConfigurationInvalid', `the reserved bucket is gone, after this instance saw document version ${this.seen.version}`);
        const state: Stored = { absent: true };
        this.cached = { state, at: started };
        return state;
      }
    }
    const doc = decodeBucketEncryptionDocument(macKey, this.reservedBucket, await readBounded(opened.body, opened.info.size));
    const seen = this.seen;
    if (seen !== undefined && doc.version < seen.version) throw new SealError('BucketConfigurationInvalid', `document version ${doc.version} is older than version ${seen.version} this instance has seen (rolled back)`);
    if (seen !== undefined && doc.version === seen.version && !equalSecret(doc.mac, seen.mac)) throw new SealError('BucketConfigurationInvalid', `document version ${doc.version} differs from the version ${doc.version} this instance has seen`);
    await this.raise({ version: doc.version, mac: doc.mac });
    const state: Stored = { doc, etag: opened.info.etag };
    this.cached = { state, at: started };
    return state;
  }

  /**
   * Read-modify-write of the document: `edit` changes the bucket map (false: nothing to change, no
   * write). Each attempt reads fresh and writes only if the document is still the one read.
   */
  private change(bucket: string, edit: (buckets: Map<string, BucketEncryption>) => boolean): Promise<boolean> {
    return this.withContext(bucket, 'change', () =>
      this.exclusive(async () => {
        for (let attempt = 0; attempt < this.attempts; attempt++) {
          const state = await this.load();
          const buckets = new Map('absent' in state ? [] : state.doc.buckets);
          if (!edit(buckets)) return false;
          const version = 'absent' in state ? 1 : state.doc.version + 1;
          const condition: WriteCondition = 'absent' in state ? { ifNoneMatch: '*' } : { ifMatch: state.etag };
          if ('absent' in state) await this.createReservedBucket();
          const macKey = await this.key();
          const { bytes, mac } = encodeBucketEncryptionDocument(macKey, this.reservedBucket, { version, buckets });
          try {
            const written = await this.store.putConditional(this.reservedBucket, DOCUMENT_KEY, bytes, condition);
            await this.raise({ version, mac });
            this.cached = { state: { doc: { version, buckets, mac }, etag: written.etag }, at: this.now() };
            return true;
          } catch (err) {
            if (!lostRace(err)) throw err;
            // another instance changed it first: read its version and apply the change on top
            if (attempt + 1 < this.attempts) await backoff(attempt + 1, RETRY_PAUSE);
          }
        }
        throw new SealError('ConditionalRequestConflict', `the bucket encryption configuration of bucket "${bucket}" changed concurrently ${this.attempts} times; retry`);
      }),
    );
  }

  /** remember `seen` as the highest version, in memory and (when configured) in the state file */
  private async raise(seen: SeenVersion): Promise<void> {
    if (this.seen !== undefined && this.seen.version === seen.version && equalSecret(this.seen.mac, seen.mac)) return;
    this.seen = seen;
    await this.highWater?.raise(seen);
  }

  /** the first change creates the reserved bucket; one created meanwhile by another instance is fine */
  private async createReservedBucket(): Promise<void> {
    try {
      await this.store.createBucket(this.reservedBucket);
    } catch (err) {
      if (err instanceof BackendRequestError && (err.s3Code === 'BucketAlreadyOwnedByYou' || err.s3Code === 'BucketAlreadyExists')) return;
      throw err;
    }
  }
}
