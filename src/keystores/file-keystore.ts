import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { fileUnwrap, fileWrap, parseFileWrap } from '../crypto/file-wrap.js';
import { hkdf, V1 } from '../crypto/kdf.js';
import { lp } from '../crypto/bytes.js';
import { LABEL } from '../crypto/constants.js';
import { SealError } from '../errors.js';
import type { GeneratedDataKey, KeyDescription, Keystore, KeystoreCapabilities, RewrappedKey } from './keystore.js';
import { KeystoreError } from './keystore-error.js';

const KeyFileSchema = z
  .object({
    format: z.literal('s3seal-file-keystore'),
    version: z.literal(1),
    keys: z.record(
      z.string().min(1).max(255),
      z
        .object({
          enabled: z.boolean(),
          current: z.number().int().positive(),
          versions: z.record(z.string().regex(/^[1-9][0-9]*$/), z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 32-byte key')),
        })
        .strict(),
    ),
  })
  .strict();
type KeyFile = z.infer<typeof KeyFileSchema>;

export interface FileKeystoreOptions {
  /** path of the key file (created 0600 when `create` is set and it does not exist) */
  path: string;
  create?: boolean;
}

/**
 * Versioned 256-bit root keys in a local 0600 JSON file (DESIGN.md "Keystores": the embedded
 * default). Records name key and version (FORMAT.md §10). The file is replaced atomically (write,
 * fsync, rename), refused if group- or world-accessible or corrupt, and re-read when a record names
 * a version this process has not seen, so a rotation by another instance is picked up.
 */
export class FileKeystore implements Keystore {
  readonly id = 'file' as const;
  readonly capabilities: KeystoreCapabilities = { canDisable: true, exposesKeyVersion: true, nativeRewrap: false, rotatesOnDemand: true };
  private data: KeyFile;

  constructor(private readonly opts: FileKeystoreOptions) {
    this.data = this.load();
  }

  private load(): KeyFile {
    const { path } = this.opts;
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && this.opts.create) {
        const empty: KeyFile = { format: 's3seal-file-keystore', version: 1, keys: {} };
        this.write(empty);
        return empty;
      }
      throw new KeystoreError('KeyStoreMisconfigured', `key file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if ((st.mode & 0o077) !== 0) {
      throw new KeystoreError('KeyStoreMisconfigured', `key file ${path}: is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
    }
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      throw new KeystoreError('KeyStoreMisconfigured', `key file ${path}: is not valid JSON`);
    }
    const parsed = KeyFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new KeystoreError('KeyStoreMisconfigured', `key file ${path}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    for (const [name, k] of Object.entries(parsed.data.keys)) {
      if (!(String(k.current) in k.versions)) throw new KeystoreError('KeyStoreMisconfigured', `key file ${path}: key ${name}: current version ${k.current} has no key`);
    }
    return parsed.data;
  }

  private write(data: KeyFile): void {
    const { path } = this.opts;
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify(data, null, 2) + '\n');
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      unlinkSync(tmp);
      throw err;
    }
    closeSync(fd);
    renameSync(tmp, path);
  }

  private key(name: string): KeyFile['keys'][string] {
    const k = this.data.keys[name];
    if (!k) throw new KeystoreError('KMS.NotFoundException', `key file:${name} does not exist`);
    return k;
  }

  private enabledKey(name: string): KeyFile['keys'][string] {
    const k = this.key(name);
    if (!k.enabled) throw new KeystoreError('KMS.DisabledException', `key file:${name} is disabled`);
    return k;
  }

  private root(name: string, version: number): Buffer {
    let v = this.key(name).versions[String(version)];
    if (v === undefined) {
      // a version we have not seen: another instance may have rotated; re-read once
      this.data = this.load();
      v = this.key(name).versions[String(version)];
    }
    if (v === undefined) throw new KeystoreError('KMS.InvalidCiphertextException', `key file:${name} has no version ${version}`);
    return Buffer.from(v, 'base64');
  }

  private describe(name: string): KeyDescription {
    const k = this.key(name);
    return { keyId: `file:${name}`, enabled: k.enabled, latestVersion: k.current };
  }

  async generateDataKey(keyName: string, context: string): Promise<GeneratedDataKey> {
    const k = this.enabledKey(keyName);
    const plaintext = randomBytes(32);
    const root = this.root(keyName, k.current);
    const wrapped = fileWrap(root, { keyName, keyVersion: k.current }, context, plaintext);
    root.fill(0);
    return { plaintext, wrapped, keyId: `file:${keyName}`, keyVersion: k.current };
  }

  async decryptDataKey(keyName: string, wrapped: Buffer, context: string): Promise<Buffer> {
    let rec;
    try {
      rec = parseFileWrap(wrapped);
    } catch {
      throw new KeystoreError('KMS.InvalidCiphertextException', `wrapped key is not a file-keystore record`);
    }
    if (rec.keyName !== keyName) throw new KeystoreError('KMS.InvalidCiphertextException', `wrapped key belongs to file:${rec.keyName}, not file:${keyName}`);
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

  async rewrapDataKey(keyName: string, wrapped: Buffer, context: string, toKeyName?: string): Promise<RewrappedKey> {
    const dek = await this.decryptDataKey(keyName, wrapped, context);
    try {
      const target = toKeyName ?? keyName;
      const k = this.enabledKey(target);
      const root = this.root(target, k.current);
      const out = fileWrap(root, { keyName: target, keyVersion: k.current }, context, dek);
      root.fill(0);
      return { wrapped: out, keyId: `file:${target}`, keyVersion: k.current };
    } finally {
      dek.fill(0);
    }
  }

  /** read-modify-write against the file as it is now, so concurrent rotations are not lost */
  private update(fn: (d: KeyFile) => void): void {
    const fresh = this.load();
    fn(fresh);
    this.write(fresh);
    this.data = fresh;
  }

  async deriveSecret(keyName: string, label: string): Promise<Buffer> {
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
    this.update((d) => {
      if (d.keys[keyName]) throw new KeystoreError('KeyStoreMisconfigured', `key file:${keyName} already exists`);
      d.keys[keyName] = { enabled: true, current: 1, versions: { '1': randomBytes(32).toString('base64') } };
    });
    return this.describe(keyName);
  }

  async rotateKey(keyName: string): Promise<KeyDescription> {
    this.update((d) => {
      const k = d.keys[keyName];
      if (!k) throw new KeystoreError('KMS.NotFoundException', `key file:${keyName} does not exist`);
      k.current += 1;
      k.versions[String(k.current)] = randomBytes(32).toString('base64');
    });
    return this.describe(keyName);
  }

  async setEnabled(keyName: string, enabled: boolean): Promise<KeyDescription> {
    this.update((d) => {
      const k = d.keys[keyName];
      if (!k) throw new KeystoreError('KMS.NotFoundException', `key file:${keyName} does not exist`);
      k.enabled = enabled;
    });
    return this.describe(keyName);
  }

  async describeKey(keyName: string): Promise<KeyDescription> {
    // describe reflects the file as it is now (another instance may have rotated)
    this.data = this.load();
    return this.describe(keyName);
  }
}
