import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { KeystoreError } from './keystore-error.js';

const VERSION = /^[1-9][0-9]*$/;

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
          versions: z.record(z.string().regex(VERSION), z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 32-byte key')),
          // wraps reserved so far per version, by every process (the AES-GCM nonce budget, see
          // FileKeystoreOptions.wrapLimit). Optional: files written before it existed still load, their
          // versions counting from 0.
          reserved: z.record(z.string().regex(VERSION), z.number().int().nonnegative()).optional(),
        })
        .strict(),
    ),
  })
  .strict();

export type KeyFile = z.infer<typeof KeyFileSchema>;
export type KeyEntry = KeyFile['keys'][string];

/**
 * What identifies one published version of the key file. Every write is a new inode renamed over the
 * path, so a change of any of these means another process (or this one) replaced the file.
 */
export interface KeyFileStamp {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

function stampOf(st: Stats): KeyFileStamp {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

export function sameStamp(a: KeyFileStamp, b: KeyFileStamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

function errno(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'error';
}

function unreadable(path: string, err: unknown): KeystoreError {
  return new KeystoreError('KeyStoreMisconfigured', `key file ${path}: cannot be read (${errno(err)})`);
}

/** the file's stamp as it is now, without reading it (the per-operation freshness check) */
export function statKeyFile(path: string): KeyFileStamp {
  try {
    return stampOf(statSync(path));
  } catch (err) {
    throw unreadable(path, err);
  }
}

/** whether the path names nothing (a key file to create), as opposed to one that exists or cannot be examined */
export function keyFileMissing(path: string): boolean {
  try {
    statSync(path);
    return false;
  } catch (err) {
    return errno(err) === 'ENOENT';
  }
}

/**
 * Reads and validates the key file. The stamp comes from fstat of the descriptor the bytes were read
 * from, so stamp and content always belong to the same published version (a stat of the path before or
 * after the read could pair old content with a newer stamp and miss a change).
 */
export function readKeyFile(path: string): { data: KeyFile; stamp: KeyFileStamp } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw unreadable(path, err);
  }
  let st: Stats;
  let text: string;
  try {
    st = fstatSync(fd);
    text = readFileSync(fd, 'utf8');
  } catch (err) {
    throw unreadable(path, err);
  } finally {
    closeSync(fd);
  }
  if ((st.mode & 0o077) !== 0) {
    throw new KeystoreError('KeyStoreMisconfigured', `key file ${path}: is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
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
  return { data: parsed.data, stamp: stampOf(st) };
}

export function emptyKeyFile(): KeyFile {
  return { format: 's3seal-file-keystore', version: 1, keys: {} };
}

/** a new 0600 temp file beside `path` holding `data`, written and fsynced; returns its path */
function writeTemp(path: string, data: KeyFile): string {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeFileSync(fd, JSON.stringify(data, null, 2) + '\n');
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  return tmp;
}

/** a rename or link is durable only once the directory entry is: fsync the directory too */
function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces the key file atomically: temp file (0600) written and fsynced, renamed over the path, then
 * the directory fsynced. The caller holds the key-file lock, so the returned stamp (the path's stat
 * right after the rename) is the stamp of exactly what was written.
 */
export function writeKeyFile(path: string, data: KeyFile): KeyFileStamp {
  const tmp = writeTemp(path, data);
  try {
    renameSync(tmp, path);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
  fsyncDir(dirname(path));
  return statKeyFile(path);
}

/**
 * Creates an empty key file if none exists, never replacing one: the temp file is published with
 * link(2), which fails with EEXIST instead of overwriting. This needs no lock — it only ever publishes
 * an empty file and only where there is none, so it cannot lose a change (a rename here could replace
 * a file another process just created and filled). Returns false when the file already existed.
 */
export function createKeyFileIfMissing(path: string): boolean {
  const tmp = writeTemp(path, emptyKeyFile());
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new KeystoreError('KeyStoreMisconfigured', `key file ${path}: cannot be created (${errno(err)})`);
  } finally {
    unlinkSync(tmp);
  }
  fsyncDir(dirname(path));
  return true;
}
