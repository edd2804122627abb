import { pipeline, Readable } from 'node:stream';
import { ENVELOPE_METADATA_KEY, PART_HEADER_SIZE, USER_METADATA_LIMIT } from '../crypto/constants.js';
import { decodeEnvelopeBytes, encodeEnvelope, verifyEnvelope, type Envelope } from '../crypto/envelope.js';
import { buildLayout, encodeLayout, type PartRecord } from '../crypto/layout.js';
import { wipe } from '../crypto/kdf.js';
import type { ObjectId } from '../crypto/object-id.js';
import { decodeUploadToken, encodeUploadToken } from '../crypto/upload-token.js';
import type { ObjectStore, PutResult } from '../backends/object-store.js';
import { SealError } from '../errors.js';
import { findEnvelope, PlaintextGuard } from './envelope-lookup.js';
import type { KeyResolver } from './key-resolver.js';
import { metadataSize, withEnvelope, type UserMetadata } from './metadata-budget.js';
import { openObject, plaintextLengthOf, type PlainRange } from './object-reader.js';
import { encryptPart, sealSinglePart, startMultipart } from './object-writer.js';
import { checkPartHeader, readPartHeaders } from './part-headers.js';
import { partCiphertextSize, segmentPlaintextSize, singlePartCiphertextSize } from './size-math.js';

export interface SealedObjectsOptions {
  /**
   * 32-byte root of upload-token MACs, shared by every instance of a deployment (FORMAT.md §7.1): a
   * buffer, or a function that derives it from the keystore (called once, on first use)
   */
  uploadTokenRoot: Buffer | (() => Promise<Buffer>);
  /** objects without any s3seal trace are served as plaintext only where this says so (default: nowhere) */
  passthrough?: (o: ObjectId) => boolean;
  /** concurrent part-header reads when committing a multipart layout */
  headerReadConcurrency?: number;
  releaseWindow?: number;
}

export interface ObjectHead {
  plaintextLength: number;
  etag: string;
  userMetadata: Record<string, string>;
  /** undefined for a passthrough (plaintext) object */
  envelope?: Envelope;
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

  constructor(
    private readonly store: ObjectStore,
    private readonly opts: SealedObjectsOptions,
  ) {
    if (Buffer.isBuffer(opts.uploadTokenRoot) && opts.uploadTokenRoot.length !== 32) throw new RangeError('uploadTokenRoot must be 32 bytes');
    this.passthrough = opts.passthrough ?? (() => false);
  }

  private tokenRoot: Promise<Buffer> | undefined;

  private root(): Promise<Buffer> {
    const r = this.opts.uploadTokenRoot;
    if (Buffer.isBuffer(r)) return Promise.resolve(r);
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

  async put(o: ObjectId, body: Readable | Buffer, plaintextLength: number, meta: UserMetadata, keys: KeyResolver): Promise<PutResult> {
    const { dek, wrap } = await keys.generate(o, plaintextLength);
    try {
      const { envelope, stream } = sealSinglePart(dek, wrap);
      const metadata = withEnvelope(meta, envelope);
      const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
      const counted = countExactly(source, plaintextLength);
      pipeline(counted, stream, () => undefined);
      return await this.store.put(o.bucket, o.key, stream, singlePartCiphertextSize(plaintextLength), metadata);
    } finally {
      wipe(dek);
    }
  }

  async head(o: ObjectId): Promise<ObjectHead> {
    const info = await this.store.head(o.bucket, o.key);
    const envelope = findEnvelope(info.metadata);
    if (!envelope) {
      if (!this.passthrough(o)) throw new SealError('EnvelopeMissing', 'object is not sealed by s3seal and passthrough is not configured for it');
      return { plaintextLength: info.size, etag: info.etag, userMetadata: info.metadata };
    }
    return { plaintextLength: plaintextLengthOf(envelope, info.size), etag: info.etag, userMetadata: userMetadataOf(info.metadata), envelope };
  }

  async get(o: ObjectId, keys: KeyResolver, range?: PlainRange): Promise<ObjectRead> {
    const info = await this.store.head(o.bucket, o.key);
    const envelope = findEnvelope(info.metadata);
    if (!envelope) {
      if (!this.passthrough(o)) throw new SealError('EnvelopeMissing', 'object is not sealed by s3seal and passthrough is not configured for it');
      const raw = await this.store.get(o.bucket, o.key, range, info.etag);
      const guard = new PlaintextGuard();
      pipeline(raw, guard, () => undefined);
      return { plaintextLength: info.size, etag: info.etag, userMetadata: info.metadata, stream: guard };
    }
    const dek = await keys.recover(o, envelope);
    try {
      // every backend read is pinned to the ETag we sized the object by: a concurrent overwrite fails
      const opened = await openObject(
        dek,
        envelope,
        { size: info.size, read: (r) => this.store.get(o.bucket, o.key, r, info.etag) },
        { ...(range ? { range } : {}), ...(this.opts.releaseWindow !== undefined ? { releaseWindow: this.opts.releaseWindow } : {}) },
      );
      return { plaintextLength: opened.plaintextLength, etag: info.etag, userMetadata: userMetadataOf(info.metadata), envelope, stream: opened.stream };
    } finally {
      wipe(dek);
    }
  }

  /** CreateMultipartUpload: returns the s3seal upload token that callers use as UploadId. */
  async createMultipart(o: ObjectId, meta: UserMetadata, keys: KeyResolver): Promise<string> {
    const { dek, wrap } = await keys.generate(o);
    try {
      const started = startMultipart(dek, wrap);
      // the pending envelope (upload nonce, no layout) makes a completed-but-uncommitted object unreadable
      const metadata = withEnvelope(meta, started.metadataValue);
      const backendUploadId = await this.store.createMultipart(o.bucket, o.key, metadata);
      return encodeUploadToken(await this.root(), o, { backendUploadId, envelope: started.envelope, callerMetadataSize: metadataSize(meta) });
    } finally {
      wipe(dek);
    }
  }

  private async openToken(o: ObjectId, token: string, keys: KeyResolver): Promise<OpenUpload> {
    const t = decodeUploadToken(await this.root(), o, token);
    const env = decodeEnvelopeBytes(t.envelope);
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

  async uploadPart(o: ObjectId, token: string, partNumber: number, body: Readable | Buffer, plaintextLength: number, keys: KeyResolver): Promise<string> {
    const { backendUploadId, envelope, env, dek } = await this.openToken(o, token, keys);
    try {
      // the upload's DEK was generated with 0 bytes known: its parts count against the key's limits
      await keys.charge?.(o, env, plaintextLength);
      const part = encryptPart(dek, envelope, partNumber, plaintextLength);
      const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
      pipeline(source, part, () => undefined);
      return await this.store.uploadPart(o.bucket, o.key, backendUploadId, partNumber, part, partCiphertextSize(plaintextLength));
    } finally {
      wipe(dek);
    }
  }

  async abortMultipart(o: ObjectId, token: string): Promise<void> {
    const t = decodeUploadToken(await this.root(), o, token);
    await this.store.abortMultipart(o.bucket, o.key, t.backendUploadId);
  }

  /**
   * CompleteMultipartUpload (FORMAT.md §7.3): check the final envelope fits before completing on the
   * backend, complete, read back each part header (the salts pin the committed attempts), then
   * replace the metadata with the committed layout — conditional on the ETag the Complete returned.
   */
  async completeMultipart(o: ObjectId, token: string, parts: { partNumber: number; etag: string }[], keys: KeyResolver): Promise<PutResult> {
    const { backendUploadId, env, dek, callerMetadataSize } = await this.openToken(o, token, keys);
    try {
      const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
      const sizes = await this.store.listPartSizes(o.bucket, o.key, backendUploadId);
      const lengths = sorted.map((p) => {
        const size = sizes.get(p.partNumber);
        if (size === undefined) throw new SealError('InvalidArgument', `part ${p.partNumber} was not uploaded`);
        return segmentPlaintextSize(size, PART_HEADER_SIZE);
      });
      const { version, suite, mac: _mac, ...fields } = env;
      const id = { version, suite };
      // the layout's size does not depend on the salts: check the budget with placeholders, before the
      // backend upload is completed (after that, an over-budget object could not be committed)
      const placeholder = sorted.map((p, i) => ({ partNumber: p.partNumber, plaintextLength: lengths[i]!, salt: Buffer.alloc(16) }));
      const probe = encodeEnvelope({ ...fields, layout: encodeLayout(buildLayout(env.uploadNonce!, placeholder, id)) }, dek, id);
      const total = callerMetadataSize + metadataSize({ [ENVELOPE_METADATA_KEY]: probe });
      if (total > USER_METADATA_LIMIT) throw new SealError('MetadataTooLarge', `metadata with the committed part layout would be ${total} bytes, limit ${USER_METADATA_LIMIT}`);

      const done = await this.store.completeMultipart(o.bucket, o.key, backendUploadId, sorted);
      const records = await this.readPartRecords(o, dek, env, sorted.map((p, i) => ({ partNumber: p.partNumber, plaintextLength: lengths[i]! })), done.etag);
      const envelope = encodeEnvelope({ ...fields, layout: encodeLayout(buildLayout(env.uploadNonce!, records, id)) }, dek, id);
      const stored = await this.store.head(o.bucket, o.key);
      return await this.store.replaceMetadata(o.bucket, o.key, withEnvelope(userMetadataOf(stored.metadata), envelope), done.etag);
    } finally {
      wipe(dek);
    }
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

/** Fails the upload (and so never commits a body) if the input is not exactly the declared length. */
function countExactly(source: Readable, length: number): Readable {
  let seen = 0;
  const checked = Readable.from(
    (async function* () {
      for await (const c of source) {
        const b = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
        seen += b.length;
        if (seen > length) throw new SealError('PartLengthMismatch', 'body is longer than its Content-Length');
        yield b;
      }
      if (seen !== length) throw new SealError('PartLengthMismatch', 'body is shorter than its Content-Length');
    })(),
    { objectMode: false },
  );
  return checked;
}
