import { PassThrough, pipeline, Readable, type Transform } from 'node:stream';
import { ENVELOPE_METADATA_KEY, PART_HEADER_SIZE, USER_METADATA_LIMIT } from '../crypto/constants.js';
import { decodeEnvelope, decodeEnvelopeBytes, verifyEnvelope, type DecodeOptions, type Envelope } from '../crypto/envelope.js';
import type { PartRecord } from '../crypto/layout.js';
import { V1, wipe } from '../crypto/kdf.js';
import { openChecksums, type SealedChecksum } from '../crypto/sealed-checksums.js';
import type { ObjectId } from '../crypto/object-id.js';
import { decodeUploadToken, encodeUploadToken } from '../crypto/upload-token.js';
import type { ByteRange, ContentHeaders, CopyResult, ObjectStore, OpenedStoredObject, PutResult, RequestedRange, StoredObjectInfo, UploadedPart } from '../backends/object-store.js';
import { isSealError, SealError } from '../errors.js';
import { assertNotSealed, findEnvelope, MAGIC_SIZE, PlaintextGuard } from './envelope-lookup.js';
import { exactLength, readExactly } from './exact-length.js';
import type { BeforeFinal } from './framed-transform.js';
import type { KeyResolver } from './key-resolver.js';
import { metadataSize, withEnvelope, type UserMetadata } from './metadata-budget.js';
import { LayoutHints } from './layout-hints.js';
import { multipartGeometry, multipartRangeRead, openObject, plaintextLengthOf, type CiphertextSource, type OpenOptions, type PlainRange } from './object-reader.js';
import { hintedRead, resolveRead, type ReadWant } from './read-selection.js';
import type { RangeRequest } from './resolve-range-request.js';
import { servedRangeFor, singlePartRangeRequest } from './single-part-range-request.js';
import { SkipFront } from './skip-front.js';
import { allDeclared, checksumHook, probeEntries, type BodyChecksums } from './body-checksums.js';
import { completeMultipart, completeMultipartProbe, encryptPart, partSegmentFor, sealSinglePart, rewrappedEnvelope, singlePartEnvelope, startMultipart, type WrapFields } from './object-writer.js';
import { singlePartSegment } from './encrypt-stream.js';
import type { BodyDigests } from '../backends/object-store.js';
import type { SegmentSeal } from './seal-segment.js';
import { bodyLengthMismatch } from './sealing-transform.js';
import { SegmentSealer } from './segment-sealer.js';
import { checkPartHeader, readPartHeaders } from './part-headers.js';
import { MAX_SINGLE_PART_PLAINTEXT, partCiphertextSize, segmentPlaintextSize, singlePartCiphertextSize } from './size-math.js';
import { VerifiedLayoutCache } from './verified-layout-cache.js';

export interface SealedObjectsOptions {
  /**
   * 32-byte root of upload-token MACs, shared by every instance of a deployment (FORMAT.md §7.1): a
   * buffer, or a function that derives it from the keystore (called once, on first use)
   */
  uploadTokenRoot: Buffer | (() => Promise<Buffer>);
  /** objects without any s3seal trace are served as plaintext only where this says so (default: nowhere) */
  passthrough?: (o: ObjectId) => boolean;
  /** concurrent part-header reads when committing a multipart layout, or verifying one on a read */
  headerReadConcurrency?: number;
  releaseWindow?: number;
  /** lowest format version read (FORMAT.md §2; config `minFormatVersion`, default 1) */
  minFormatVersion?: number;
  /**
   * size of the verified-layout cache (verified-layout-cache.ts), in part salts held across all
   * cached multipart layouts — an entry costs its part count + 1; default 100 000, 0 disables it
   */
  verifiedLayoutCacheParts?: number;
  /**
   * layout entries (one per part) of the multipart objects this instance last read, so a ranged or
   * partNumber read of one costs one backend request (layout-hints.ts); default 100 000, 0 disables
   */
  layoutHintParts?: number;
  /**
   * seal bodies of 1 MiB to BUFFERED_SEND_PLAINTEXT on a `node:worker_threads` worker
   * (segment-sealer.ts); default true. The stored bytes are the same either way.
   */
  sealWorker?: boolean;
}

/** a write's result: the backend's ETag and version, and the plaintext checksums sealed with the object */
export interface SealedPutResult extends PutResult {
  checksums?: readonly SealedChecksum[];
}

/** what a read returns besides the body */
export interface ReadOptions {
  /** open the envelope's sealed checksums (a whole read only: S3 returns none for a range) */
  checksums?: boolean;
}

export interface ObjectHead {
  plaintextLength: number;
  /** the stored (ciphertext) size: what the committed layout is checked against */
  storedSize: number;
  /** the backend's storage class, where it names one (S3 omits STANDARD) */
  storageClass?: string;
  etag: string;
  userMetadata: Record<string, string>;
  /** the content headers stored with the object (passed through, issue 7 item 1) */
  headers: ContentHeaders;
  lastModified?: Date;
  versionId?: string;
  /** undefined for a passthrough (plaintext) object */
  envelope?: Envelope;
  /** the sealed plaintext checksums, opened when a whole read asked for them ([] when the object has none) */
  checksums?: SealedChecksum[];
}

interface OpenUpload {
  backendUploadId: string;
  envelope: Buffer;
  callerMetadataSize: number;
  env: Envelope;
  dek: Buffer;
}

export interface ObjectRead extends ObjectHead {
  stream: Readable;
  /** the plaintext bytes the stream holds (the range, resolved), when a range or part was asked for */
  range?: PlainRange;
  /** a `partNumber` read of a multipart object: how many parts it has */
  partsCount?: number;
}

/** A part of an open upload as ListParts reports it: plaintext length, the backend's ETag. */
export interface ListedPart {
  partNumber: number;
  plaintextLength: number;
  etag?: string;
  lastModified?: Date;
}

/** How a body is sealed: a last check before its final chunk (FramedTransform's BeforeFinal). */
export interface BodyOptions {
  beforeFinal?: BeforeFinal;
}

/**
 * What `get` reads besides the whole object: a range already resolved (it must lie inside the
 * object), a caller's Range as S3 gives it (resolved once the backend said how large the object
 * is: `last` clamped, suffix), or one part (S3 `partNumber`; part boundaries from the layout).
 */
export type ReadSelection = PlainRange | { range: RangeRequest } | { partNumber: number };

function wantOf(sel: ReadSelection): ReadWant {
  if ('partNumber' in sel) return { partNumber: sel.partNumber };
  if ('range' in sel) return { range: sel.range, strict: false };
  // a resolved range that cannot lie inside any object needs no request to refuse
  if (!(Number.isSafeInteger(sel.start) && Number.isSafeInteger(sel.end)) || sel.start < 0 || sel.end < sel.start) throw new SealError('InvalidRange', `range ${sel.start}-${sel.end} not satisfiable`);
  return { range: { kind: 'from', first: sel.start, last: sel.end }, strict: true };
}

/** what every read reports of the stored object besides its body */
function described(info: StoredObjectInfo): Pick<ObjectHead, 'etag' | 'headers' | 'lastModified' | 'versionId' | 'storedSize' | 'storageClass'> {
  return {
    etag: info.etag,
    headers: info.headers,
    storedSize: info.size,
    ...(info.lastModified ? { lastModified: info.lastModified } : {}),
    ...(info.versionId !== undefined ? { versionId: info.versionId } : {}),
    ...(info.storageClass !== undefined ? { storageClass: info.storageClass } : {}),
  };
}

function userMetadataOf(meta: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) if (k.toLowerCase() !== ENVELOPE_METADATA_KEY) out[k] = v;
  return out;
}

/**
 * The engine's object operations over an ObjectStore: everything stored is ciphertext plus the
 * envelope; every read verifies before it releases. Doors (SDK plugin, minio wrapper, gateway) call
 * these after the policy layer picked a KeyResolver.
 */
export class SealedObjects {
  private readonly passthrough: (o: ObjectId) => boolean;
  /** verified multipart layouts per (bucket, key, ETag, layout digest), shared by every read through this instance */
  private readonly layouts: VerifiedLayoutCache;
  /** the last layout seen per (bucket, key): where a ranged read of a multipart object asks first */
  private readonly hints: LayoutHints;

  constructor(
    private readonly store: ObjectStore,
    private readonly opts: SealedObjectsOptions,
  ) {
    if (Buffer.isBuffer(opts.uploadTokenRoot) && opts.uploadTokenRoot.length !== 32) throw new RangeError('uploadTokenRoot must be 32 bytes');
    // our own copy: close() zeroes it, and whoever zeroes the caller's buffer cannot leave us a zero key
    if (Buffer.isBuffer(opts.uploadTokenRoot)) this.givenRoot = Buffer.from(opts.uploadTokenRoot);
    this.passthrough = opts.passthrough ?? (() => false);
    this.layouts = new VerifiedLayoutCache(opts.verifiedLayoutCacheParts);
    this.hints = new LayoutHints(opts.layoutHintParts);
    this.sealer = new SegmentSealer({ useWorker: opts.sealWorker ?? true });
  }

  private readonly sealer: SegmentSealer;
  /** bytes the buffered bodies in flight hold (BUFFERED_BUDGET_BYTES) */
  private bufferedBytes = 0;

  private tokenRoot: Promise<Buffer> | undefined;
  private givenRoot: Buffer | undefined;
  private closed = false;

  private root(): Promise<Buffer> {
    // after close() the root is zeroed: a token MACed under it would be forgeable, so none is made or accepted
    if (this.closed) return Promise.reject(new SealError('BackendUnavailable', 'this s3seal instance has shut down; retry on another'));
    const r = this.opts.uploadTokenRoot;
    if (Buffer.isBuffer(r)) return Promise.resolve(this.givenRoot!);
    // derived once; a failed derivation (keystore outage) is not cached, the next call retries
    this.tokenRoot ??= r().then(
      (b) => {
        if (b.length !== 32) throw new RangeError('derived upload-token root must be 32 bytes');
        return b;
      },
      (err: unknown) => {
        this.tokenRoot = undefined;
        throw err;
      },
    );
    return this.tokenRoot;
  }

  /**
   * Shuts this instance's multipart operations down: the upload-token root (its own copy of a given
   * one, or the one derived from the keystore) is zeroed, and every later create / part / complete /
   * abort fails with a retryable BackendUnavailable instead of using a zero key. Called when the
   * container closes; single-part reads and writes need no root and keep working.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.givenRoot?.fill(0);
    await this.sealer.close();
    const derived = this.tokenRoot;
    this.tokenRoot = undefined;
    if (derived) (await derived.catch(() => undefined))?.fill(0);
  }

  private get decodeOptions(): DecodeOptions {
    return this.opts.minFormatVersion !== undefined ? { minVersion: this.opts.minFormatVersion } : {};
  }

  /**
   * A single-part PUT. With `checksums` (FORMAT.md §5.7): the values the request declared go up
   * sealed in the envelope with the body; `verify` runs before the final chunk is sealed, so a
   * mismatch stores nothing. Values known only after the body (an aws-chunked trailer) are committed
   * by one metadata-only replace of the object just written, conditional on its ETag (the envelope
   * sent with the body was sized for them, so the replace cannot go over the budget). Until that
   * replace the object reads without checksums; if it fails the PUT fails.
   */
  async put(o: ObjectId, body: Readable | Buffer, plaintextLength: number, meta: UserMetadata, keys: KeyResolver, headers?: ContentHeaders, checksums?: BodyChecksums): Promise<SealedPutResult> {
    // FORMAT.md §6.2: the stored body must fit S3's 5 GiB PUT; refused before any key is made
    if (plaintextLength > MAX_SINGLE_PART_PLAINTEXT) throw new SealError('EntityTooLarge', `a single-part object holds at most ${MAX_SINGLE_PART_PLAINTEXT} bytes; use a multipart upload`);
    const { dek, wrap } = await keys.generate(o, plaintextLength);
    try {
      // the budget holds the envelope with every announced checksum, before anything is sent
      if (checksums && !allDeclared(checksums)) withEnvelope(meta, singlePartEnvelope(dek, wrap, probeEntries(checksums)));
      // verified before the final chunk leaves: a PUT that succeeded has them
      const hook = checksumHook(checksums);
      const size = singlePartCiphertextSize(plaintextLength);
      let put: PutResult;
      if (this.mayBuffer(plaintextLength)) {
        const metadata = withEnvelope(meta, singlePartEnvelope(dek, wrap, checksums?.declared ?? []));
        put = await this.sendInMemory(body, singlePartSegment(dek, V1), plaintextLength, hook.beforeFinal, (b, digests) => this.store.put(o.bucket, o.key, b, size, metadata, undefined, headers, digests));
      } else {
        const { envelope, stream } = sealSinglePart(dek, wrap, plaintextLength, V1, hook.beforeFinal, checksums?.declared ?? []);
        const metadata = withEnvelope(meta, envelope);
        put = await sendSealed(body, stream, (b, signal) => this.store.put(o.bucket, o.key, b, size, metadata, signal, headers));
      }
      const verified = hook.verified();
      if (!checksums || !verified?.length) return put;
      if (allDeclared(checksums)) return { ...put, checksums: verified };
      const replaced = await this.store.replaceMetadata(o.bucket, o.key, withEnvelope(meta, singlePartEnvelope(dek, wrap, verified)), put.etag, size, headers);
      return { ...replaced, checksums: verified };
    } finally {
      wipe(dek);
    }
  }

  /**
   * A body of at most BUFFERED_SEND_PLAINTEXT bytes, sealed whole before the backend request starts
   * and sent as one buffer with its Content-Length, its CRC32 header and its SHA-256 signed — not
   * aws-chunked over transfer-encoding: chunked, which costs a small object several milliseconds and
   * a part a pass of framing, trailer and socket writes per 64 KiB. The checks are the streaming
   * path's, and stricter: the body must end at exactly `plaintextLength` (PartLengthMismatch, as
   * SealingTransform says it) and `beforeFinal` (its checksums) must pass before a single chunk is
   * sealed or a byte is sent. Bodies of 1 MiB and more are sealed on the worker (segment-sealer.ts).
   * Memory: one plaintext copy and one sealed buffer per request in flight, each at most
   * BUFFERED_SEND_PLAINTEXT plus framing; the plaintext copy is zeroed once sealed. The segment's
   * content key is wiped here.
   */
  /** whether a body of `n` plaintext bytes is sent buffered: small ones always, larger ones within BUFFERED_BUDGET_BYTES */
  private mayBuffer(n: number): boolean {
    if (n <= ALWAYS_BUFFERED_PLAINTEXT) return true;
    return n <= BUFFERED_SEND_PLAINTEXT && this.bufferedBytes + 2 * n <= BUFFERED_BUDGET_BYTES;
  }

  private async sendInMemory<T>(body: Readable | Buffer, seg: SegmentSeal, plaintextLength: number, beforeFinal: BeforeFinal | undefined, send: (sealed: Buffer, digests: BodyDigests) => Promise<T>): Promise<T> {
    // counted from before the buffer exists until the request settled: mayBuffer sees every body in flight
    this.bufferedBytes += 2 * plaintextLength;
    try {
      return await this.sealAndSend(body, seg, plaintextLength, beforeFinal, send);
    } finally {
      this.bufferedBytes -= 2 * plaintextLength;
    }
  }

  private async sealAndSend<T>(body: Readable | Buffer, seg: SegmentSeal, plaintextLength: number, beforeFinal: BeforeFinal | undefined, send: (sealed: Buffer, digests: BodyDigests) => Promise<T>): Promise<T> {
    let sealed;
    try {
      const plain = this.sealer.plaintextBuffer(plaintextLength);
      try {
        await collectExactly(body, plain.buffer);
        await beforeFinal?.();
      } catch (err) {
        this.sealer.discard(plain);
        throw err;
      }
      try {
        sealed = await this.sealer.seal(seg, plain);
      } catch (err) {
        // not sealed (the sealer shut down with the job in flight): the plaintext copy must not stay
        this.sealer.discard(plain);
        throw err;
      }
    } finally {
      wipe(seg.contentKey);
    }
    let sent = false;
    try {
      const r = await send(sealed.body, { crc32: sealed.crc32, ...(sealed.sha256 !== undefined ? { sha256: sealed.sha256 } : {}) });
      sent = true;
      return r;
    } finally {
      // the SDK retries within send; after a success the buffer is free for the next body, after a
      // failure it is retired (the backend may have answered before reading it all, and the socket
      // may still be writing from it)
      sealed.release(sent);
    }
  }

  /**
   * The sealed checksums of an envelope whose MAC verified under `dek` (FORMAT.md §5.7): [] when it
   * has none; a tampered field is EnvelopeAuthFailed, malformed entries EnvelopeMalformed.
   */
  static openChecksums(dek: Uint8Array, env: Envelope): SealedChecksum[] {
    return env.sealedChecksums ? openChecksums(dek, env.sealedChecksums, env) : [];
  }

  /**
   * HEAD: sizes from the envelope and the stored size (no key). `versionId`: that version of the
   * object (GetObjectAttributes). With `partNumber`, that part of the object is described too (its
   * plaintext range and, for a multipart object, the part count), or InvalidPartNumber.
   */
  async head(o: ObjectId, opts: { versionId?: string; partNumber?: number } = {}): Promise<ObjectHead & { range?: PlainRange; partsCount?: number }> {
    const { partNumber } = opts;
    const info = await this.store.head(o.bucket, o.key, opts.versionId);
    const envelope = findEnvelope(info.metadata, this.decodeOptions);
    const part = (env: Envelope | undefined, plaintextLength: number): { range?: PlainRange; partsCount?: number } => {
      if (partNumber === undefined) return {};
      const sel = resolveRead({ partNumber }, env, info.size, plaintextLength);
      return { ...(sel.range ? { range: sel.range } : {}), ...(sel.partsCount !== undefined ? { partsCount: sel.partsCount } : {}) };
    };
    if (!envelope) {
      if (!this.passthrough(o)) throw new SealError('EnvelopeMissing', 'object is not sealed by s3seal and passthrough is not configured for it');
      return { plaintextLength: info.size, ...described(info), userMetadata: info.metadata, ...part(undefined, info.size) };
    }
    const plaintextLength = plaintextLengthOf(envelope, info.size);
    this.noteLayout(o, info, envelope);
    return { plaintextLength, ...described(info), userMetadata: userMetadataOf(info.metadata), envelope, ...part(envelope, plaintextLength) };
  }

  /** remember (or forget) where a multipart object's parts are, from an envelope whose sizes checked out */
  private noteLayout(o: ObjectId, info: StoredObjectInfo, env: Envelope): void {
    if (!env.uploadNonce || !env.layout) {
      this.hints.delete(o);
      return;
    }
    const known = this.hints.get(o);
    if (known && known.etag === info.etag && known.size === info.size && known.layout.equals(env.layout)) return;
    const g = multipartGeometry(env, info.size);
    this.hints.set(o, { etag: info.etag, size: info.size, layout: env.layout, entries: g.entries, plaintextLength: g.plaintextLength });
  }

  /**
   * A whole read, a range or a part, each in one backend GET when it can be: the GET's answer
   * carries the envelope, the ETag and (Content-Range) the stored size, so no HEAD precedes it.
   *
   * - Single-part objects (the common case, and the first guess for an object this instance has not
   *   seen): the plaintext range maps to a ciphertext range without knowing the object's size
   *   (single-part-range-request.ts); the body header is not fetched, the envelope MAC commits the
   *   DEK (FORMAT.md §5.4, §6.1). One request, whatever the range form.
   * - Multipart objects: part offsets come from the committed layout, which is in the envelope, so
   *   the first read of one learns it (its first answer is then of no use and is dropped), reads its
   *   part headers (or finds them in the verified-layout cache) and asks for the range; later reads
   *   of that version ask for the right bytes at once, pinned to its ETag (layout-hints.ts).
   * - A range the stored object is too short for (the backend's 416): the object's HEAD decides,
   *   since a multipart object's offsets differ from the single-part guess.
   *
   * Whatever was asked, what is served is decided from the answer's own (verified) envelope; an
   * unsatisfiable range or part is refused before any key is recovered.
   */
  async get(o: ObjectId, keys: KeyResolver, selection?: ReadSelection, opts: ReadOptions = {}): Promise<ObjectRead> {
    // S3 returns no checksum for a range or a part (the sealed ones cover the whole object)
    if (selection === undefined) return this.getWhole(o, keys, opts);
    const want = wantOf(selection);
    const hint = this.hints.get(o);
    const hinted = hint ? hintedRead(want, hint) : undefined;
    if (hint && hinted) {
      let answer: OpenedStoredObject | undefined;
      try {
        answer = await this.store.open(o.bucket, o.key, { range: hinted, ifMatch: hint.etag });
      } catch (err) {
        // another version now (412), or a shorter one (416): read as if never seen
        if (!isSealError(err, 'PreconditionFailed') && !isSealError(err, 'InvalidRange')) throw err;
        this.hints.delete(o);
      }
      if (answer) return this.serve(o, keys, want, answer, hinted);
    }
    const asked = 'range' in want ? singlePartRangeRequest(want.range) : undefined;
    let opened: OpenedStoredObject;
    try {
      opened = await this.store.open(o.bucket, o.key, asked ? { range: asked } : {});
    } catch (err) {
      if (!isSealError(err, 'InvalidRange')) throw err;
      return this.serve(o, keys, want, { info: await this.store.head(o.bucket, o.key) });
    }
    return this.serve(o, keys, want, opened, asked);
  }

  /**
   * Serve a selection from what the backend said about the object (`opened.info`), using the body
   * it already sent (`opened.body`, the bytes `asked` for) where that holds exactly what the read
   * needs; any other read is pinned to the answer's ETag. The body is consumed or destroyed.
   */
  private async serve(o: ObjectId, keys: KeyResolver, want: ReadWant, opened: { info: StoredObjectInfo; body?: Readable; range?: ByteRange }, asked?: RequestedRange): Promise<ObjectRead> {
    const { info } = opened;
    let held = opened.body;
    const served: ByteRange = opened.range ?? { start: 0, end: info.size - 1 };
    try {
      if (held) {
        // a backend that answers other bytes than asked for is not trusted with any of them
        const expected = asked ? servedRangeFor(asked, info.size) : { start: 0, end: info.size - 1 };
        if (served.start !== expected.start || served.end !== expected.end) throw new SealError('BodyMalformed', `backend answered bytes ${served.start}-${served.end} for ${expected.start}-${expected.end}`);
      }
      const envelope = findEnvelope(info.metadata, this.decodeOptions);
      if (!envelope) {
        if (!this.passthrough(o)) throw new SealError('EnvelopeMissing', 'object is not sealed by s3seal and passthrough is not configured for it');
        // the ciphertext offsets asked for mean nothing in a plaintext object: ask again
        held?.destroy();
        held = undefined;
        const sel = resolveRead(want, undefined, info.size, info.size);
        return { plaintextLength: info.size, ...described(info), userMetadata: info.metadata, stream: await this.plaintextBody(o, info.size, info.etag, sel.range), ...sel };
      }
      const plaintextLength = plaintextLengthOf(envelope, info.size);
      this.noteLayout(o, info, envelope);
      const sel = resolveRead(want, envelope, info.size, plaintextLength);
      if (envelope.uploadNonce && held) {
        // asked as if single-part (or for another version): the part headers come first, and an answer
        // that is not exactly the chunk run the layout needs is of no use — do not keep its socket busy
        const need = sel.range ? multipartRangeRead(multipartGeometry(envelope, info.size).entries, sel.range) : undefined;
        if (!need || need.start !== served.start || need.end !== served.end) {
          held.destroy();
          held = undefined;
        }
      }
      const dek = await keys.recover(o, envelope);
      try {
        const result = { plaintextLength, ...described(info), userMetadata: userMetadataOf(info.metadata), envelope, ...(sel.partsCount !== undefined ? { partsCount: sel.partsCount } : {}) };
        if (sel.empty) {
          // an empty part: no byte to fetch or release, but the key must still be the object's
          verifyEnvelope(envelope, dek);
          return { ...result, stream: Readable.from([]) };
        }
        const source: CiphertextSource = {
          size: info.size,
          read: (r) => {
            const need = r ?? { start: 0, end: info.size - 1 };
            if (held === undefined || need.start < served.start || need.end !== served.end) return this.store.get(o.bucket, o.key, r, info.etag);
            const body = exactLength(held, served.end - served.start + 1, r ? 'ranged read' : 'object read');
            held = undefined;
            if (need.start === served.start) return body;
            const skip = new SkipFront(need.start - served.start);
            pipeline(body, skip, () => undefined);
            return skip;
          },
        };
        // a single-part object whose one part is asked for is a whole read (its header checked as it streams)
        const whole = !('range' in want) && !envelope.uploadNonce;
        const read = await openObject(dek, envelope, source, this.openOptions(o, info.etag, whole ? undefined : sel.range));
        return { ...result, stream: read.stream, ...(sel.range ? { range: sel.range } : {}) };
      } finally {
        wipe(dek);
      }
    } finally {
      held?.destroy();
    }
  }

  /** how a read of the object version `etag` is opened: this instance's limits and verified-layout cache */
  private openOptions(o: ObjectId, etag: string, range?: PlainRange): OpenOptions {
    return {
      ...(range ? { range } : {}),
      ...(this.opts.releaseWindow !== undefined ? { releaseWindow: this.opts.releaseWindow } : {}),
      ...(this.opts.headerReadConcurrency !== undefined ? { headerReadConcurrency: this.opts.headerReadConcurrency } : {}),
      verifiedLayouts: this.layouts.for(o, etag),
    };
  }

  /**
   * A whole read in one backend request: the GET response carries the envelope, the size and the
   * ETag, so no HEAD precedes it (issue 7: one backend request per GET). Its body stays unread while
   * the key is recovered and, for multipart objects, the part headers are verified (those reads are
   * pinned to the response's ETag); a failure before the body is handed to the decryptor releases it.
   */
  private async getWhole(o: ObjectId, keys: KeyResolver, opts: ReadOptions): Promise<ObjectRead> {
    const { info, body } = await this.store.open(o.bucket, o.key);
    let held: Readable | undefined = body;
    const take = (): Readable => {
      const b = held!;
      held = undefined;
      return b;
    };
    try {
      const envelope = findEnvelope(info.metadata, this.decodeOptions);
      if (!envelope) {
        if (!this.passthrough(o)) throw new SealError('EnvelopeMissing', 'object is not sealed by s3seal and passthrough is not configured for it');
        const guard = new PlaintextGuard();
        pipeline(exactLength(take(), info.size, 'object read'), guard, () => undefined);
        return { plaintextLength: info.size, ...described(info), userMetadata: info.metadata, stream: guard };
      }
      this.noteLayout(o, info, envelope);
      const dek = await keys.recover(o, envelope);
      try {
        // FORMAT.md §11 step 4 first (openObject repeats it), then the checksums, before any body byte is read
        let checksums: SealedChecksum[] | undefined;
        if (opts.checksums) {
          verifyEnvelope(envelope, dek);
          checksums = SealedObjects.openChecksums(dek, envelope);
        }
        const opened = await openObject(
          dek,
          envelope,
          // the whole body is the one already open; any other read (part headers) is pinned to its ETag
          { size: info.size, read: (r) => (r === undefined && held !== undefined ? take() : this.store.get(o.bucket, o.key, r, info.etag)) },
          this.openOptions(o, info.etag),
        );
        return { plaintextLength: opened.plaintextLength, ...described(info), userMetadata: userMetadataOf(info.metadata), envelope, stream: opened.stream, ...(checksums ? { checksums } : {}) };
      } finally {
        wipe(dek);
      }
    } finally {
      held?.destroy();
    }
  }

  /**
   * A passthrough (plaintext) body. Whether it is s3seal ciphertext is decided by the OBJECT's first
   * bytes (FORMAT.md §11 step 1), not the range's: a ranged read first reads bytes 0-3, pinned to the
   * same ETag. Every response must be exactly as long as requested.
   */
  private async plaintextBody(o: ObjectId, size: number, etag: string, range?: PlainRange): Promise<Readable> {
    if (range && (!(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end)) || range.start < 0 || range.end < range.start || range.end >= size)) {
      throw new SealError('InvalidRange', `range ${range.start}-${range.end} not satisfiable for ${size} bytes`);
    }
    if (!range || (range.start === 0 && range.end >= MAGIC_SIZE - 1)) {
      // the body starts with the object's first bytes: the guard checks them as they pass
      const length = range ? range.end + 1 : size;
      const guard = new PlaintextGuard();
      pipeline(exactLength(await this.store.get(o.bucket, o.key, range, etag), length, range ? 'ranged read' : 'object read'), guard, () => undefined);
      return guard;
    }
    const n = Math.min(MAGIC_SIZE, size);
    assertNotSealed(await readExactly(await this.store.get(o.bucket, o.key, { start: 0, end: n - 1 }, etag), n, 'object magic'));
    return exactLength(await this.store.get(o.bucket, o.key, range, etag), range.end - range.start + 1, 'ranged read');
  }

  /**
   * CopyObject of a sealed object as a re-wrap (DESIGN.md "Modes and key hierarchy": copy, rename
   * and rotation never re-encrypt). The body's encryption binds only the DEK (and, for multipart
   * objects, the upload nonce U the envelope carries), so the body stays as it is: the DEK is
   * recovered under the source's key (`readKeys`: its allowed-read-keys check, an SSE-C check value),
   * the source envelope's MAC is verified under it, and the DEK is wrapped for the target object
   * (`writeKeys.wrapExisting`: the wrap binds the target's bucket and key, FORMAT.md §5.5, §8, §9).
   * The new envelope keeps U and the committed layout, so part keys (which bind U, part number and
   * length, §7.2) and ranged reads of a multipart source stay valid at the target; its MAC is
   * recomputed, since mode, context and SSE-C salt and check are covered (§5.4). Then one backend
   * copy with the new metadata, conditional on the ETag `head` was read with (DESIGN.md: every
   * read-modify-write uses CopySourceIfMatch), in parts over the backend's copy limit.
   */
  async rewrap(src: ObjectId, head: ObjectHead, dst: ObjectId, readKeys: KeyResolver, writeKeys: KeyResolver, meta: UserMetadata, headers?: ContentHeaders): Promise<{ copied: CopyResult; wrap: WrapFields }> {
    const env = head.envelope;
    if (env === undefined) throw new SealError('EnvelopeMissing', 'a re-wrap needs a sealed source');
    // a multipart object s3seal did not complete is unreadable; its copy would be too
    if (env.uploadNonce !== undefined && env.layout === undefined) throw new SealError('MultipartIncomplete', 'the source is a multipart upload s3seal never committed');
    const wrapExisting = writeKeys.wrapExisting?.bind(writeKeys);
    if (wrapExisting === undefined) throw new SealError('InvalidArgument', 'the target key resolver cannot wrap an existing data key');
    const dek = await readKeys.recover(src, env);
    try {
      verifyEnvelope(env, dek);
      const wrap = await wrapExisting(dst, dek, head.plaintextLength);
      const envelope = rewrappedEnvelope(dek, wrap, env);
      const copied = await this.store.copyObject(src, dst, withEnvelope(meta, envelope), head.etag, head.storedSize, headers);
      return { copied, wrap };
    } finally {
      wipe(dek);
    }
  }

  /** CreateMultipartUpload: returns the s3seal upload token that callers use as UploadId. */
  async createMultipart(o: ObjectId, meta: UserMetadata, keys: KeyResolver, headers?: ContentHeaders): Promise<string> {
    // the root first: a closed instance (or a keystore outage deriving it) starts no backend upload
    const root = await this.root();
    const { dek, wrap } = await keys.generate(o);
    try {
      const started = startMultipart(dek, wrap);
      // the pending envelope (upload nonce, no layout) makes a completed-but-uncommitted object unreadable
      const metadata = withEnvelope(meta, started.metadataValue);
      const backendUploadId = await this.store.createMultipart(o.bucket, o.key, metadata, headers);
      return encodeUploadToken(root, o, { backendUploadId, envelope: started.envelope, callerMetadataSize: metadataSize(meta) });
    } finally {
      wipe(dek);
    }
  }

  private async openToken(o: ObjectId, token: string, keys: KeyResolver): Promise<OpenUpload> {
    const t = decodeUploadToken(await this.root(), o, token);
    const env = decodeEnvelopeBytes(t.envelope, this.decodeOptions);
    const dek = await keys.recover(o, env);
    try {
      verifyEnvelope(env, dek);
    } catch (err) {
      // a token whose envelope does not verify under the recovered DEK: the DEK is never used, wipe it
      wipe(dek);
      throw err;
    }
    return { ...t, env, dek };
  }

  /**
   * UploadPart. `beforeFinal` (the part's checksums, verified by the door) is awaited before the
   * part's final chunk is sealed: a mismatch leaves the backend without a complete part. Nothing of
   * it is sealed: part checksums have no place in the format (FORMAT.md §5.7 "Writing").
   */
  async uploadPart(o: ObjectId, token: string, partNumber: number, body: Readable | Buffer, plaintextLength: number, keys: KeyResolver, beforeFinal?: BeforeFinal): Promise<string> {
    const { backendUploadId, envelope, env, dek } = await this.openToken(o, token, keys);
    try {
      // the upload's DEK was generated with 0 bytes known: its parts count against the key's limits
      await keys.charge?.(o, env, plaintextLength);
      const size = partCiphertextSize(plaintextLength);
      if (this.mayBuffer(plaintextLength)) {
        const seg = partSegmentFor(dek, envelope, partNumber, plaintextLength);
        return await this.sendInMemory(body, seg, plaintextLength, beforeFinal, (b, digests) => this.store.uploadPart(o.bucket, o.key, backendUploadId, partNumber, b, size, undefined, digests));
      }
      const part = encryptPart(dek, envelope, partNumber, plaintextLength, beforeFinal ? { beforeFinal } : undefined);
      return await sendSealed(body, part, (b, signal) => this.store.uploadPart(o.bucket, o.key, backendUploadId, partNumber, b, size, signal));
    } finally {
      wipe(dek);
    }
  }

  /**
   * ListParts of an open upload (the token authenticated, no key used): each part's plaintext
   * length from its stored size by the size math (a part is its header plus chunks), with the
   * backend's ETag. A stored size no s3seal part can have is BodyMalformed, never a guessed length.
   */
  async listParts(o: ObjectId, token: string): Promise<ListedPart[]> {
    const t = decodeUploadToken(await this.root(), o, token);
    const listed = await this.store.listParts(o.bucket, o.key, t.backendUploadId);
    return [...listed.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partNumber, p]) => ({
        partNumber,
        plaintextLength: segmentPlaintextSize(p.size, PART_HEADER_SIZE),
        ...(p.etag !== undefined ? { etag: p.etag } : {}),
        ...(p.lastModified !== undefined ? { lastModified: p.lastModified } : {}),
      }));
  }

  async abortMultipart(o: ObjectId, token: string): Promise<void> {
    const t = decodeUploadToken(await this.root(), o, token);
    await this.store.abortMultipart(o.bucket, o.key, t.backendUploadId);
  }

  /**
   * CompleteMultipartUpload (FORMAT.md §7.3): check the final envelope fits before completing on the
   * backend, complete, read back each part header (the salts pin the committed attempts), then
   * replace the metadata with the committed layout — conditional on the ETag the Complete returned.
   * The committed envelope (and its size probe) come from object-writer's completeMultipart, the
   * function the test vectors are generated with. `checksums` are sealed with the layout: only
   * values verified over the whole body may be given (a PutObject of unknown length, which s3seal
   * itself uploads in parts) — s3seal keeps no authenticated record of a caller's part checksums,
   * so it cannot vouch for a COMPOSITE checksum of a caller's multipart upload.
   */
  async completeMultipart(o: ObjectId, token: string, parts: { partNumber: number; etag: string }[], keys: KeyResolver, checksums?: readonly SealedChecksum[]): Promise<SealedPutResult> {
    const { backendUploadId, envelope: tokenEnvelope, env, dek, callerMetadataSize } = await this.openToken(o, token, keys);
    try {
      const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
      const listed = await this.store.listParts(o.bucket, o.key, backendUploadId);
      const uploaded = sorted.map((p) => {
        const part = listed.get(p.partNumber);
        if (part === undefined) throw new SealError('InvalidArgument', `part ${p.partNumber} was not uploaded`);
        return uploadNamed(part, p.etag);
      });
      const lengths = sorted.map((p, i) => ({ partNumber: p.partNumber, plaintextLength: segmentPlaintextSize(uploaded[i]!.size, PART_HEADER_SIZE) }));
      // the budget is checked before the backend upload is completed: after that, an over-budget
      // object could not be committed
      const probe = completeMultipartProbe(dek, tokenEnvelope, lengths, checksums);
      const total = callerMetadataSize + metadataSize({ [ENVELOPE_METADATA_KEY]: probe });
      if (total > USER_METADATA_LIMIT) throw new SealError('MetadataTooLarge', `metadata with the committed part layout would be ${total} bytes, limit ${USER_METADATA_LIMIT}`);

      const done = await this.store.completeMultipart(
        o.bucket,
        o.key,
        backendUploadId,
        sorted.map((p, i) => ({ ...p, ...(uploaded[i]!.crc32 !== undefined ? { crc32: uploaded[i]!.crc32 } : {}) })),
      );
      const records = await this.readPartRecords(o, dek, env, lengths, done.etag);
      const committed = completeMultipart(dek, tokenEnvelope, records, checksums);
      const stored = await this.store.head(o.bucket, o.key);
      const size = uploaded.reduce((n, p) => n + p.size, 0);
      // the commit is a REPLACE copy: the content headers set at Create are carried over explicitly
      const replaced = await this.store.replaceMetadata(o.bucket, o.key, withEnvelope(userMetadataOf(stored.metadata), committed), done.etag, size, stored.headers);
      this.rememberCommitted(o, replaced.etag, size, decodeEnvelope(committed, this.decodeOptions), records);
      return checksums?.length ? { ...replaced, checksums } : replaced;
    } finally {
      wipe(dek);
    }
  }

  /**
   * After a commit, this instance knows the object's layout and has checked every part header it
   * committed (commitment under the DEK; the digest is computed over exactly these salts): the new
   * version's reads start from them — a range is one request from the first (FORMAT.md §7.3 allows
   * reusing verified headers keyed by bucket, key, ETag and layout digest; chunks still authenticate
   * under the reader's own key).
   */
  private rememberCommitted(o: ObjectId, etag: string, size: number, env: Envelope, records: readonly PartRecord[]): void {
    this.noteLayout(o, { etag, size, metadata: {}, headers: {} }, env);
    const digest = multipartGeometry(env, size).layout.digest;
    void this.layouts.for(o, etag).salts(digest, () => Promise.resolve(records.map((r) => Buffer.from(r.salt))));
  }

  private async readPartRecords(o: ObjectId, dek: Buffer, env: Envelope, parts: { partNumber: number; plaintextLength: number }[], etag: string): Promise<PartRecord[]> {
    const headers = await readPartHeaders(
      (r) => this.store.get(o.bucket, o.key, r, etag),
      parts.map((p) => p.plaintextLength),
      this.opts.headerReadConcurrency,
    );
    return headers.map((h, i) => {
      // the completed object must hold the listed parts, each encrypted for this upload
      wipe(checkPartHeader(dek, env.uploadNonce!, env, h, { index: i, ...parts[i]! }).contentKey);
      return { partNumber: h.partNumber, plaintextLength: h.plaintextLength, salt: Buffer.from(h.salt) };
    });
  }
}

/**
 * The upload of a part that Complete will use: the one with the caller's ETag. A backend that lists
 * every upload of a part number (SeaweedFS) completes with that one, so its size (the committed
 * layout) and CRC32 come from it; otherwise the newest listed (a backend that keeps only the last
 * upload refuses another ETag itself, InvalidPart).
 */
function uploadNamed(part: UploadedPart, etag: string): UploadedPart {
  const want = unquoted(etag);
  return [part, ...(part.superseded ?? [])].find((u) => u.etag !== undefined && unquoted(u.etag) === want) ?? part;
}

const unquoted = (etag: string): string => etag.replace(/^(W\/)?"|"$/g, '');

/**
 * Stream the caller's body through an encrypting stream into a backend request. The encrypting
 * stream checks the declared length and holds its final chunk back until the body ended at exactly
 * that length, so a body of the wrong length never reaches the backend whole. When the stream fails,
 * the call fails with the stream's error and the backend request is aborted, not left waiting for
 * bytes that never come.
 *
 * The backend gets its own pass-through of the ciphertext, which ends or is destroyed but never
 * emits an error: the S3 SDK re-emits a body stream's error on a wrapper nobody listens to (an
 * uncaught exception), so failures travel by the abort signal instead.
 */
async function sendSealed<T>(body: Readable | Buffer, sealing: Transform, send: (b: Readable | Buffer, signal?: AbortSignal) => Promise<T>): Promise<T> {
  const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
  const abort = new AbortController();
  const wire = new PassThrough({ highWaterMark: sealing.readableHighWaterMark });
  const failed = new Promise<never>((_, reject) => {
    pipeline(source, sealing, (err) => {
      if (!err) return;
      reject(err);
      abort.abort(err);
      wire.destroy();
    });
  });
  sealing.pipe(wire);
  const sent = send(wire, abort.signal);
  // a backend failure stops reading the body; the stream's own error wins when it came first
  sent.catch(() => sealing.destroy());
  return Promise.race([sent, failed]);
}

/**
 * Bodies (single-part PUTs and parts) of at most this many plaintext bytes are sealed whole in memory
 * and sent as one buffer (SealedObjects.sendInMemory); larger ones stream. 16 MiB covers the part
 * sizes SDKs use (lib-storage: 5 MiB by default) while keeping a request's memory bounded.
 */
export const BUFFERED_SEND_PLAINTEXT = 16 * 1024 * 1024;

/** bodies up to this size are always sent buffered (a few per request in flight cost little) */
const ALWAYS_BUFFERED_PLAINTEXT = 1024 * 1024;

/**
 * The most memory (plaintext copy + sealed buffer) the buffered bodies of one SealedObjects may hold
 * at once; a body over ALWAYS_BUFFERED_PLAINTEXT that would go past it streams instead, so 32
 * concurrent 16 MiB PUTs cost this much, not 1 GiB.
 */
export const BUFFERED_BUDGET_BYTES = 256 * 1024 * 1024;

/** the largest single-part ciphertext that is sent buffered: a body one byte longer streams aws-chunked */
export const BUFFERED_SEND_LIMIT = singlePartCiphertextSize(BUFFERED_SEND_PLAINTEXT);

/**
 * `body` copied into `out`, which it must fill exactly: a longer body is refused at the first byte
 * past it (nothing more is read: the stream is destroyed), a shorter one when it ends — with
 * SealingTransform's errors. On failure the caller zeroes `out`.
 */
async function collectExactly(body: Readable | Buffer, out: Buffer): Promise<void> {
  const length = out.length;
  let n = 0;
  // leaving the loop by a throw destroys the stream: nothing past the limit is read
  for await (const c of Buffer.isBuffer(body) ? [body] : (body as AsyncIterable<Uint8Array>)) {
    if (n + c.length > length) throw bodyLengthMismatch('longer');
    out.set(c, n);
    n += c.length;
  }
  if (n < length) throw bodyLengthMismatch('shorter');
}
