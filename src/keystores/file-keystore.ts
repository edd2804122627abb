import { randomBytes } from 'node:crypto';
import { fileUnwrap, fileWrap, parseFileWrap } from '../crypto/file-wrap.js';
import { hkdf, V1 } from '../crypto/kdf.js';
import { lp } from '../crypto/bytes.js';
import { LABEL } from '../crypto/constants.js';
import { SealError } from '../errors.js';
import type { GeneratedDataKey, KeyDescription, Keystore, KeystoreCapabilities, RewrappedKey } from './keystore.js';
import { KeystoreError } from './keystore-error.js';
import { createKeyFileIfMissing, keyFileMissing, readKeyFile, sameStamp, statKeyFile, writeKeyFile, type KeyEntry, type KeyFile, type KeyFileStamp } from './key-file.js';
import { DEFAULT_LOCK_OPTIONS, withKeyFileLock } from './key-file-lock.js';

/**
 * Wraps per root key version. Every wrap is AES-GCM with a random 96-bit nonce under a key derived
 * from (root version, key name); NIST SP 800-38D §8.3 allows at most 2^32 such invocations per key.
 * Half of that leaves the collision probability far below 2^-32 and room for reservations lost to
 * crashed processes.
 */
export const DEFAULT_WRAP_LIMIT = 2 ** 31;
/** the most wraps a process reserves per locked write: at full speed one file write per 65,536 data keys */
export const DEFAULT_WRAP_RESERVE = 2 ** 16;
/** NIST SP 800-38D §8.3: random 96-bit nonces, at most 2^32 invocations per key */
const NIST_LIMIT = 2 ** 32;
/**
 * A process's first block per key; each further block doubles, up to wrapReserve. A short-lived
 * process (a CLI call wrapping one key) then leaves at most this many reserved wraps unused, while a
 * busy service soon reserves full blocks.
 */
const FIRST_BLOCK = 1024;

export interface FileKeystoreOptions {
  /** path of the key file (created 0600 when `create` is set and it does not exist) */
  path: string;
  create?: boolean;
  /** wraps allowed under one root key version, counted across every process sharing the file (default 2^31, at most 2^32) */
  wrapLimit?: number;
  /** the most wraps a process reserves at a time under the lock (default 2^16; capped at wrapLimit) */
  wrapReserve?: number;
  /**
   * when the current version's wraps are used up: rotate the key (default) or refuse with
   * KeyStoreMisconfigured until an operator rotates it
   */
  autoRotate?: boolean;
  /** how long a change waits for another process's lock before KeyStoreUnavailable (default 15 s: longer than lockStaleMs) */
  lockWaitMs?: number;
  /** a lock not refreshed for this long is taken over as stale (default 10 s, at least 5 s) */
  lockStaleMs?: number;
}

/** wraps this process may still make under one version without touching the file */
interface Allowance {
  version: number;
  left: number;
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isSafeInteger(n) || n < 1) throw new KeystoreError('KeyStoreMisconfigured', `file keystore: ${name} must be a positive integer`);
  if (n > NIST_LIMIT) throw new KeystoreError('KeyStoreMisconfigured', `file keystore: ${name} must be at most 2^32 (AES-GCM with random nonces, NIST SP 800-38D)`);
  return n;
}

/** the coarsest file timestamp granularity we allow for (FAT: 2 s) */
const STAMP_GRANULE_MS = 2000;

/**
 * Versioned 256-bit root keys in a local 0600 JSON file (DESIGN.md "Keystores": the embedded
 * default). Records name key and version (FORMAT.md §10).
 *
 * Several processes share one file: every change (create, rotate, enable/disable, wrap reservation)
 * is a read-modify-write of the file as it is now, under an inter-process lock (key-file-lock.ts), and
 * is published atomically (key-file.ts). Before every use of a key the file is stat'ed and re-read if
 * another process replaced it, so a disable, rotation or new key elsewhere applies to the next
 * operation here. Wraps per root version are bounded (wrapLimit): processes reserve blocks of wraps in
 * the file and the key rotates (or refuses) before a version's budget is exceeded.
 */
export class FileKeystore implements Keystore {
  readonly id = 'file' as const;
  readonly capabilities: KeystoreCapabilities = { canDisable: true, exposesKeyVersion: true, nativeRewrap: false, rotatesOnDemand: true };
  private data!: KeyFile;
  private stamp!: KeyFileStamp;
  /** when `stamp` was taken (see refresh) */
  private stampTakenAt = 0;
  private readonly allowances = new Map<string, Allowance>();
  /** the size of this process's next reservation per key (doubling up to wrapReserve) */
  private readonly blocks = new Map<string, number>();
  /** changes from this process run one at a time (the file lock is per process, not per call) */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly wrapLimit: number;
  private readonly wrapReserve: number;

  constructor(private readonly opts: FileKeystoreOptions) {
    this.wrapLimit = positiveInt('wrapLimit', opts.wrapLimit, DEFAULT_WRAP_LIMIT);
    this.wrapReserve = Math.min(positiveInt('wrapReserve', opts.wrapReserve, DEFAULT_WRAP_RESERVE), this.wrapLimit);
    if (opts.create && keyFileMissing(opts.path)) createKeyFileIfMissing(opts.path);
    this.hold(readKeyFile(opts.path));
  }

  /** re-read the file if another process replaced it since we last read or wrote it */
  private refresh(): void {
    if (sameStamp(statKeyFile(this.opts.path), this.stamp) && !this.stampAmbiguous()) return;
    this.hold(readKeyFile(this.opts.path));
  }

  private hold(r: { data: KeyFile; stamp: KeyFileStamp }): void {
    this.data = r.data;
    this.holdStamp(r.stamp);
  }

  private holdStamp(stamp: KeyFileStamp): void {
    this.stamp = stamp;
    this.stampTakenAt = Date.now();
  }

  /**
   * A stamp taken within STAMP_GRANULE_MS of the file's mtime cannot tell this file from a
   * replacement written in the same timestamp granule (coarse mtimes: 1–2 s on FAT, NFS attribute
   * caching) with the same size and a reused inode number; until a read happens after that window,
   * every use re-reads the file. Files change rarely, so this costs reads only just after a change.
   */
  private stampAmbiguous(): boolean {
    return this.stampTakenAt - this.stamp.mtimeMs < STAMP_GRANULE_MS;
  }

  private key(name: string): KeyEntry {
    const k = this.data.keys[name];
    if (!k) throw new KeystoreError('KMS.NotFoundException', `key file:${name} does not exist`);
    return k;
  }

  private enabledKey(name: string): KeyEntry {
    const k = this.key(name);
    if (!k.enabled) throw new KeystoreError('KMS.DisabledException', `key file:${name} is disabled`);
    return k;
  }

  private root(name: string, version: number): Buffer {
    let v = this.key(name).versions[String(version)];
    if (v === undefined && version > this.key(name).current) {
      // a record from a version newer than the file we hold: re-read even though the stamp looked the
      // same (a file system with coarse timestamps, or attribute caching on a network mount)
      this.hold(readKeyFile(this.opts.path));
      v = this.key(name).versions[String(version)];
    }
    if (v === undefined) throw new KeystoreError('KMS.InvalidCiphertextException', `key file:${name} has no version ${version}`);
    return Buffer.from(v, 'base64');
  }

  private describe(name: string): KeyDescription {
    const k = this.key(name);
    return { keyId: `file:${name}`, enabled: k.enabled, latestVersion: k.current };
  }

  /**
   * Read-modify-write of the file as it is now, under the inter-process lock: a change made by another
   * process in the meantime is kept, never overwritten. `fn` changes the data it is given and says
   * whether it did; `done` runs once that change is on disk (so nothing in memory ever runs ahead of
   * the file: a failed write leaves this process on the last published version).
   */
  private update<T>(fn: (d: KeyFile) => { changed: boolean; done: () => T }): Promise<T> {
    const run = async (): Promise<T> =>
      withKeyFileLock(this.opts.path, { waitMs: this.opts.lockWaitMs ?? DEFAULT_LOCK_OPTIONS.waitMs, staleMs: this.opts.lockStaleMs ?? DEFAULT_LOCK_OPTIONS.staleMs }, (stillHeld) => {
        const now = readKeyFile(this.opts.path);
        this.hold(now);
        const next = structuredClone(now.data);
        const { changed, done } = fn(next);
        if (changed) {
          stillHeld();
          const stamp = writeKeyFile(this.opts.path, next);
          this.data = next;
          this.holdStamp(stamp);
        }
        return done();
      });
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private static addVersion(k: KeyEntry): void {
    k.current += 1;
    k.versions[String(k.current)] = randomBytes(32).toString('base64');
  }

  /**
   * The version the next wrap under `name` uses, counted against that version's budget. Most calls
   * take one from this process's reserved block; when it is empty (or belongs to a version that is no
   * longer current) a new block is reserved in the file under the lock, rotating first when the
   * current version has no wraps left.
   */
  private async takeWrap(name: string): Promise<number> {
    const fromBlock = (current: number): number | undefined => {
      const a = this.allowances.get(name);
      if (a === undefined || a.left === 0 || a.version !== current) return undefined;
      a.left -= 1;
      return a.version;
    };
    const now = fromBlock(this.key(name).current);
    if (now !== undefined) return now;
    return this.update((d) => {
      const k = d.keys[name];
      if (!k) throw new KeystoreError('KMS.NotFoundException', `key file:${name} does not exist`);
      if (!k.enabled) throw new KeystoreError('KMS.DisabledException', `key file:${name} is disabled`);
      // a concurrent call of this process may have reserved a block meanwhile
      const again = fromBlock(k.current);
      if (again !== undefined) return { changed: false, done: () => again };
      let used = k.reserved?.[String(k.current)] ?? 0;
      if (used >= this.wrapLimit) {
        if (this.opts.autoRotate === false) {
          throw new KeystoreError('KeyStoreMisconfigured', `key file:${name} version ${k.current} has used its ${this.wrapLimit} wraps and automatic rotation is off: rotate the key`);
        }
        FileKeystore.addVersion(k);
        used = 0;
      }
      const block = this.blocks.get(name) ?? Math.min(FIRST_BLOCK, this.wrapReserve);
      const n = Math.min(block, this.wrapLimit - used);
      const version = k.current;
      k.reserved = { ...k.reserved, [String(version)]: used + n };
      return {
        changed: true,
        done: () => {
          this.allowances.set(name, { version, left: n - 1 });
          this.blocks.set(name, Math.min(block * 2, this.wrapReserve));
          return version;
        },
      };
    });
  }

  /** wrap `dek` under the current version of `name` (which the caller checked is enabled) */
  private async wrap(name: string, context: string, dek: Buffer): Promise<{ wrapped: Buffer; version: number }> {
    const version = await this.takeWrap(name);
    const root = this.root(name, version);
    try {
      return { wrapped: fileWrap(root, { keyName: name, keyVersion: version }, context, dek), version };
    } finally {
      root.fill(0);
    }
  }

  async generateDataKey(keyName: string, context: string): Promise<GeneratedDataKey> {
    this.refresh();
    this.enabledKey(keyName);
    const plaintext = randomBytes(32);
    try {
      const { wrapped, version } = await this.wrap(keyName, context, plaintext);
      return { plaintext, wrapped, keyId: `file:${keyName}`, keyVersion: version };
    } catch (err) {
      plaintext.fill(0);
      throw err;
    }
  }

  async decryptDataKey(keyName: string, wrapped: Buffer, context: string): Promise<Buffer> {
    let rec;
    try {
      rec = parseFileWrap(wrapped);
    } catch {
      throw new KeystoreError('KMS.InvalidCiphertextException', `wrapped key is not a file-keystore record`);
    }
    if (rec.keyName !== keyName) throw new KeystoreError('KMS.InvalidCiphertextException', `wrapped key belongs to file:${rec.keyName}, not file:${keyName}`);
    this.refresh();
    this.enabledKey(keyName);
    const root = this.root(keyName, rec.keyVersion);
    try {
      return fileUnwrap(root, wrapped, context);
    } catch (err) {
      if (err instanceof SealError) throw new KeystoreError('KMS.InvalidCiphertextException', `wrapped key does not decrypt under file:${keyName} with this context`);
      throw err;
    } finally {
      root.fill(0);
    }
  }

  async encryptDataKey(keyName: string, plaintext: Buffer, context: string): Promise<RewrappedKey> {
    this.refresh();
    this.enabledKey(keyName);
    const out = await this.wrap(keyName, context, plaintext);
    return { wrapped: out.wrapped, keyId: `file:${keyName}`, keyVersion: out.version };
  }

  async rewrapDataKey(keyName: string, wrapped: Buffer, context: string, toKeyName?: string): Promise<RewrappedKey> {
    const dek = await this.decryptDataKey(keyName, wrapped, context);
    try {
      const target = toKeyName ?? keyName;
      this.enabledKey(target);
      const out = await this.wrap(target, context, dek);
      return { wrapped: out.wrapped, keyId: `file:${target}`, keyVersion: out.version };
    } finally {
      dek.fill(0);
    }
  }

  async deriveSecret(keyName: string, label: string): Promise<Buffer> {
    this.refresh();
    this.enabledKey(keyName);
    // version 1 is never removed by rotation, so the secret is stable for the key's whole life
    const root = this.root(keyName, 1);
    try {
      return hkdf(root, Buffer.alloc(0), V1, LABEL.derivedSecret, lp(label));
    } finally {
      root.fill(0);
    }
  }

  async createKey(keyName: string): Promise<KeyDescription> {
    if (!/^[A-Za-z0-9._-]{1,255}$/.test(keyName)) throw new KeystoreError('KeyStoreMisconfigured', `invalid key name "${keyName}"`);
    return this.update((d) => {
      if (d.keys[keyName]) throw new KeystoreError('KeyStoreMisconfigured', `key file:${keyName} already exists`);
      d.keys[keyName] = { enabled: true, current: 1, versions: { '1': randomBytes(32).toString('base64') } };
      return { changed: true, done: () => this.describe(keyName) };
    });
  }

  async rotateKey(keyName: string): Promise<KeyDescription> {
    return this.update((d) => {
      const k = d.keys[keyName];
      if (!k) throw new KeystoreError('KMS.NotFoundException', `key file:${keyName} does not exist`);
      FileKeystore.addVersion(k);
      return { changed: true, done: () => this.describe(keyName) };
    });
  }

  async setEnabled(keyName: string, enabled: boolean): Promise<KeyDescription> {
    return this.update((d) => {
      const k = d.keys[keyName];
      if (!k) throw new KeystoreError('KMS.NotFoundException', `key file:${keyName} does not exist`);
      const changed = k.enabled !== enabled;
      k.enabled = enabled;
      return { changed, done: () => this.describe(keyName) };
    });
  }

  async describeKey(keyName: string): Promise<KeyDescription> {
    this.refresh();
    return this.describe(keyName);
  }
}
