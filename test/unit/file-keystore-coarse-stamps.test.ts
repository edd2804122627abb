/**
 * Review M2 (issue 6 item 2 on file systems with coarse timestamps): the per-use freshness check
 * compares (dev, ino, size, mtime, ctime). Where mtimes are coarse (FAT, NFS attribute caching) a
 * replacement written in the same timestamp granule, with the same size and a reused inode number,
 * stats exactly like the file we hold. Such a file system is played here by making `fs.statSync`
 * (through syncBuiltinESMExports, which the keystore's ESM binding sees) answer the stats of the file
 * as first read. A stamp taken within the granule of the file's mtime must then still re-read.
 */
import test from 'ava';
import nodeFs, { utimesSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { tempDir } from '../helpers/temp-dir.js';

/** the fs module with its functions replaceable (its ESM namespace typing marks them read-only) */
const fs = nodeFs as { -readonly [K in keyof typeof nodeFs]: (typeof nodeFs)[K] };

function withFrozenStat<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const real = fs.statSync;
  const frozen = real(path);
  fs.statSync = ((p: nodeFs.PathLike, o?: nodeFs.StatSyncOptions) => (String(p) === path ? frozen : real(p, o))) as typeof nodeFs.statSync;
  syncBuiltinESMExports();
  return fn().finally(() => {
    fs.statSync = real;
    syncBuiltinESMExports();
  });
}

test.serial('a disable by another instance is seen even when the replaced file stats the same, while the stamp is within the mtime granule', async (t) => {
  const path = join(tempDir('coarse'), 'keys.json');
  const admin = new FileKeystore({ path, create: true });
  await admin.createKey('k');
  const reader = new FileKeystore({ path });
  await reader.generateDataKey('k', '{}'); // reserves wraps (a write under the lock), so the next use needs none
  await withFrozenStat(path, async () => {
    await admin.setEnabled('k', false);
    const err = await t.throwsAsync(reader.generateDataKey('k', '{}'), { instanceOf: KeystoreError });
    t.is(err?.code, 'KMS.DisabledException');
  });
});

test.serial('a stamp taken well after the file was written is trusted: an unchanged stat means no re-read', async (t) => {
  const path = join(tempDir('coarse'), 'keys.json');
  const admin = new FileKeystore({ path, create: true });
  await admin.createKey('k');
  const reader = new FileKeystore({ path });
  await reader.generateDataKey('k', '{}'); // reserves a block of wraps: a write, so a fresh mtime
  const old = new Date(Date.now() - 60_000);
  utimesSync(path, old, old);
  await reader.generateDataKey('k', '{}'); // the stat changed (ctime): one re-read, long after the mtime
  let opens = 0;
  const realOpen = fs.openSync;
  fs.openSync = ((...a: Parameters<typeof nodeFs.openSync>) => {
    if (String(a[0]) === path) opens++;
    return realOpen(...a);
  });
  syncBuiltinESMExports();
  try {
    for (let i = 0; i < 5; i++) await reader.generateDataKey('k', '{}');
  } finally {
    fs.openSync = realOpen;
    syncBuiltinESMExports();
  }
  t.is(opens, 0);
});
