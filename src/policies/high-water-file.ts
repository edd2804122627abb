import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SealError } from '../errors.js';

/** the highest bucket-encryption document version an instance has verified, and that document's MAC */
export interface SeenVersion {
  version: number;
  mac: Buffer;
}

/**
 * The bucket-encryption store's high-water mark kept on the s3seal host (config
 * `bucketEncryption.stateFile`), out of the object-server administrator's reach: with it, a restarted
 * instance still refuses a rolled-back document, a forked one, or a deleted reserved bucket, which an
 * instance with only its memory cannot (FORMAT.md §13, THREAT-MODEL). The file holds the version and
 * the document's MAC (public: it is in the document too) — no key. Written atomically (temp file,
 * fsync, rename), mode 0600; only ever raised. Processes sharing one file each raise it; a raise that
 * races another's may leave the lower of two new versions until the next change, never one below
 * what either wrote before.
 */
export class HighWaterFile {
  constructor(
    private readonly path: string,
    private readonly reservedBucket: string,
  ) {}

  async read(): Promise<SeenVersion | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const bad = (why: string): SealError => new SealError('BucketConfigurationInvalid', `the bucket encryption state file ${this.path} ${why}: restore it, or delete it to trust the backend's document again`);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw bad('is not JSON');
    }
    const o = v as { reservedBucket?: unknown; version?: unknown; mac?: unknown };
    if (typeof o !== 'object' || o === null || o.reservedBucket !== this.reservedBucket) throw bad(`is not the state of reserved bucket "${this.reservedBucket}"`);
    if (typeof o.version !== 'number' || !Number.isSafeInteger(o.version) || o.version < 1) throw bad('has no valid version');
    if (typeof o.mac !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(o.mac)) throw bad('has no valid MAC');
    return { version: o.version, mac: Buffer.from(o.mac, 'base64url') };
  }

  /** record `seen` unless the file already holds a higher version */
  async raise(seen: SeenVersion): Promise<void> {
    const current = await this.read().catch(() => undefined);
    if (current !== undefined && current.version >= seen.version) return;
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = join(dirname(this.path), `.${randomBytes(6).toString('hex')}.tmp`);
    const f = await open(tmp, 'wx', 0o600);
    try {
      await f.writeFile(JSON.stringify({ reservedBucket: this.reservedBucket, version: seen.version, mac: seen.mac.toString('base64url') }));
      await f.sync();
    } finally {
      await f.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
