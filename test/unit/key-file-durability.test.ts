/**
 * The key file is replaced durably (DESIGN.md "Keystores": atomic replace with file and directory
 * fsync). A rename is only durable once the directory holding it is fsynced: without that, a crash
 * after a rotation can bring back the old file while data keys wrapped under the new version are
 * already stored. The file system calls are observed by wrapping node:fs (ESM named imports of
 * builtins follow `syncBuiltinESMExports`); calls pass through unchanged.
 */
import test from 'ava';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';

test('every key-file change: temp file written and fsynced, renamed over the file, then the directory fsynced', async (t) => {
  const dir = tempDir('durable');
  const path = join(dir, 'keys.json');
  const ks = new FileKeystore({ path, create: true });

  const calls: string[] = [];
  const fdPath = new Map<number, string>();
  const name = (p: fs.PathLike): string => (p.toString() === dir ? 'DIR' : basename(p.toString()).endsWith('.tmp') ? 'TMP' : basename(p.toString()));
  const inDir = (p: fs.PathLike): boolean => p.toString() === dir || dirname(p.toString()) === dir;
  const orig = { openSync: fs.openSync, fsyncSync: fs.fsyncSync, renameSync: fs.renameSync };
  fs.openSync = (p: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode | null) => {
    const fd = orig.openSync(p, flags ?? 'r', mode);
    if (inDir(p)) fdPath.set(fd, name(p));
    return fd;
  };
  fs.fsyncSync = (fd: number) => {
    const p = fdPath.get(fd);
    if (p !== undefined) calls.push(`fsync ${p}`);
    orig.fsyncSync(fd);
  };
  fs.renameSync = (from: fs.PathLike, to: fs.PathLike) => {
    if (inDir(to)) calls.push(`rename ${name(from)} → ${name(to)}`);
    orig.renameSync(from, to);
  };
  syncBuiltinESMExports();
  try {
    await ks.createKey('a');
    await ks.rotateKey('a');
  } finally {
    Object.assign(fs, orig);
    syncBuiltinESMExports();
  }
  const once = ['fsync TMP', 'rename TMP → keys.json', 'fsync DIR'];
  t.deepEqual(calls, [...once, ...once]);
});
