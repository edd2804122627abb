import test from 'ava';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { lock } from 'proper-lockfile';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { bindingContext } from '../../src/crypto/encryption-context.js';
import { keystoreContract } from './keystore-contract.js';

function fresh(): { path: string; ks: FileKeystore } {
  const path = join(tempDir('fileks'), 'keys.json');
  return { path, ks: new FileKeystore({ path, create: true }) };
}

keystoreContract('file', async () => {
  const { ks, path } = fresh();
  await ks.createKey('main');
  await ks.createKey('other');
  let n = 0;
  await ks.createKey('secrets');
  return {
    ks,
    keyName: 'main',
    otherKeyName: 'other',
    missingKeyName: 'nope',
    secretKeyName: 'secrets',
    secondInstance: async () => new FileKeystore({ path }),
    scratchKeyName: async () => (await ks.createKey(`scratch-${n++}`)).keyId.slice('file:'.length),
  };
});

test('file: the key file is created 0600; a group- or world-readable file is refused, naming file and problem', (t) => {
  const { path } = fresh();
  chmodSync(path, 0o644);
  const err = t.throws(() => new FileKeystore({ path }), { instanceOf: KeystoreError });
  t.true(err.message.includes(path));
  t.regex(err.message, /group or others.*644/);
});

test('file: a corrupt or invalid key file is refused with the file and the field named', (t) => {
  const { path } = fresh();
  writeFileSync(path, '{not json', { mode: 0o600 });
  t.regex(t.throws(() => new FileKeystore({ path })).message, new RegExp(`${path}: is not valid JSON`));
  writeFileSync(path, JSON.stringify({ format: 's3seal-file-keystore', version: 1, keys: { k: { enabled: true, current: 1, versions: { '1': 'short' } } } }), { mode: 0o600 });
  t.regex(t.throws(() => new FileKeystore({ path })).message, /field keys\.k\.versions\.1: a base64 32-byte key/);
  writeFileSync(path, JSON.stringify({ format: 's3seal-file-keystore', version: 1, keys: { k: { enabled: true, current: 2, versions: { '1': randomBytes(32).toString('base64') } } } }), { mode: 0o600 });
  t.regex(t.throws(() => new FileKeystore({ path })).message, /current version 2 has no key/);
});

test('file: a rotation by another process is seen here (the file is checked before each use and re-read when replaced)', async (t) => {
  const { path, ks } = fresh();
  await ks.createKey('shared');
  const c = bindingContext({ bucket: 'b', key: 'k' });
  // another process rotates and wraps a data key under the new version
  const script = `
    import { FileKeystore } from ${JSON.stringify(new URL('../../src/keystores/file-keystore.js', import.meta.url).href)};
    const ks = new FileKeystore({ path: ${JSON.stringify(path)} });
    await ks.rotateKey('shared');
    const g = await ks.generateDataKey('shared', ${JSON.stringify(c)});
    process.stdout.write(JSON.stringify({ v: g.keyVersion, w: g.wrapped.toString('base64'), p: g.plaintext.toString('base64') }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { v: number; w: string; p: string };
  t.is(out.v, 2);
  const dek = await ks.decryptDataKey('shared', Buffer.from(out.w, 'base64'), c);
  t.is(dek.toString('base64'), out.p);
  t.is((await ks.generateDataKey('shared', c)).keyVersion, 2, 'this process now wraps under the new version too');
});

test('file: the key file is replaced atomically and stays 0600 after updates', async (t) => {
  const { path, ks } = fresh();
  await ks.createKey('a');
  await ks.rotateKey('a');
  const { readdirSync } = await import('node:fs');
  t.is(statSync(path).mode & 0o777, 0o600);
  t.deepEqual(readdirSync(join(path, '..')), ['keys.json'], 'no temp files left behind');
});

const ctxN = (i: number): string => bindingContext({ bucket: 'b', key: `k${i}` });

function storedKey(path: string, name: string): { current: number; versions: Record<string, string>; reserved?: Record<string, number> } {
  return (JSON.parse(readFileSync(path, 'utf8')) as { keys: Record<string, { current: number; versions: Record<string, string>; reserved?: Record<string, number> }> }).keys[name]!;
}

test('file: wraps per root version are bounded — the key rotates itself before a version exceeds wrapLimit; rewraps count too', async (t) => {
  const path = join(tempDir('fkwrap'), 'keys.json');
  const ks = new FileKeystore({ path, create: true, wrapLimit: 4, wrapReserve: 2 });
  await ks.createKey('k');
  const made = [];
  for (let i = 0; i < 7; i++) made.push(await ks.generateDataKey('k', ctxN(i)));
  const moved = await ks.rewrapDataKey('k', made[0]!.wrapped, ctxN(0));
  const last = await ks.generateDataKey('k', ctxN(9));
  t.deepEqual([...made.map((g) => g.keyVersion), moved.keyVersion, last.keyVersion], [1, 1, 1, 1, 2, 2, 2, 2, 3]);
  t.deepEqual(storedKey(path, 'k').reserved, { '1': 4, '2': 4, '3': 2 }, 'reservations are in the file, never past the limit');
  const fresh = new FileKeystore({ path });
  for (const [i, g] of made.entries()) t.true((await fresh.decryptDataKey('k', g.wrapped, ctxN(i))).equals(g.plaintext));
  t.true((await fresh.decryptDataKey('k', moved.wrapped, ctxN(0))).equals(made[0]!.plaintext));
});

test('file: with autoRotate off, a version whose wraps are used up is refused with a clear error until the key is rotated', async (t) => {
  const path = join(tempDir('fkwrap'), 'keys.json');
  const ks = new FileKeystore({ path, create: true, wrapLimit: 3, autoRotate: false });
  await ks.createKey('k');
  for (let i = 0; i < 3; i++) t.is((await ks.generateDataKey('k', ctxN(i))).keyVersion, 1);
  const err = await t.throwsAsync(ks.generateDataKey('k', ctxN(3)), { instanceOf: KeystoreError });
  t.is(err.code, 'KeyStoreMisconfigured');
  t.false(err.retryable);
  t.regex(err.message, /file:k version 1 has used its 3 wraps and automatic rotation is off: rotate the key/);
  t.is(storedKey(path, 'k').current, 1, 'nothing rotated behind the operator');
  await ks.rotateKey('k');
  t.is((await ks.generateDataKey('k', ctxN(4))).keyVersion, 2);
});

test('file: instances share one budget through the file; a block costs one file write, not one per wrap', async (t) => {
  const path = join(tempDir('fkwrap'), 'keys.json');
  const a = new FileKeystore({ path, create: true, wrapLimit: 5, wrapReserve: 3 });
  await a.createKey('k');
  const b = new FileKeystore({ path, wrapLimit: 5, wrapReserve: 3 });
  const versions = [];
  versions.push((await a.generateDataKey('k', ctxN(0))).keyVersion); // a reserves 3 (1..3)
  versions.push((await b.generateDataKey('k', ctxN(1))).keyVersion); // b gets the 2 left (4..5)
  versions.push((await b.generateDataKey('k', ctxN(2))).keyVersion);
  versions.push((await b.generateDataKey('k', ctxN(3))).keyVersion); // version 1 spent: b rotates
  versions.push((await a.generateDataKey('k', ctxN(4))).keyVersion); // a's block is for an old version: reserve on 2
  t.deepEqual(versions, [1, 1, 1, 2, 2]);
  t.deepEqual(storedKey(path, 'k').reserved, { '1': 5, '2': 5 });

  const big = new FileKeystore({ path, wrapReserve: 1000 });
  await big.generateDataKey('k', ctxN(5));
  const ino = statSync(path).ino;
  for (let i = 0; i < 50; i++) await big.generateDataKey('k', ctxN(i));
  t.is(statSync(path).ino, ino, 'fifty wraps from a reserved block: the file was not rewritten');
});

test('file: a key file written before wrap counting (no reserved counters) loads and gains them', async (t) => {
  const path = join(tempDir('fkwrap'), 'keys.json');
  writeFileSync(path, JSON.stringify({ format: 's3seal-file-keystore', version: 1, keys: { k: { enabled: true, current: 2, versions: { '1': randomBytes(32).toString('base64'), '2': randomBytes(32).toString('base64') } } } }), { mode: 0o600 });
  const ks = new FileKeystore({ path });
  const g = await ks.generateDataKey('k', ctxN(0));
  t.is(g.keyVersion, 2);
  t.deepEqual(storedKey(path, 'k').reserved, { '2': 1024 }, 'a first, small block (a short-lived process wastes little)');
  t.true((await new FileKeystore({ path }).decryptDataKey('k', g.wrapped, ctxN(0))).equals(g.plaintext));
});

test('file: a process reserves small blocks first and doubles them up to wrapReserve', async (t) => {
  const { path, ks } = fresh();
  await ks.createKey('k');
  const c = ctxN(0);
  await ks.generateDataKey('k', c);
  t.deepEqual(storedKey(path, 'k').reserved, { '1': 1024 });
  for (let i = 0; i < 1024; i++) await ks.generateDataKey('k', c);
  t.deepEqual(storedKey(path, 'k').reserved, { '1': 1024 + 2048 });
});

test('file: bad wrap options are refused', (t) => {
  const { path } = fresh();
  for (const o of [{ wrapLimit: 0 }, { wrapLimit: 1.5 }, { wrapReserve: -1 }]) {
    t.regex(t.throws(() => new FileKeystore({ path, ...o }), { instanceOf: KeystoreError }).message, /must be a positive integer/);
  }
  t.regex(t.throws(() => new FileKeystore({ path, wrapLimit: 2 ** 32 + 1 })).message, /wrapLimit must be at most 2\^32 \(AES-GCM with random nonces, NIST SP 800-38D\)/);
});

test('file: a change that cannot get the lock is a retryable KeyStoreUnavailable and changes nothing', async (t) => {
  const { path, ks } = fresh();
  await ks.createKey('k');
  const before = readFileSync(path, 'utf8');
  const release = await lock(path, { realpath: false }); // another holder, alive (refreshing its lock)
  try {
    const slow = new FileKeystore({ path, lockWaitMs: 300 });
    for (const change of [slow.rotateKey('k'), slow.createKey('other'), slow.setEnabled('k', false)]) {
      const err = await t.throwsAsync(change, { instanceOf: KeystoreError });
      t.is(err.code, 'KeyStoreUnavailable');
      t.true(err.retryable);
      t.regex(err.message, /another process holds its lock/);
    }
  } finally {
    await release();
  }
  t.is(readFileSync(path, 'utf8'), before, 'the file is unchanged');
  t.is((await ks.rotateKey('k')).latestVersion, 2, 'works once the lock is free');
});

test('file: a stale lock left by a dead process is taken over', async (t) => {
  const { path, ks } = fresh();
  mkdirSync(`${path}.lock`);
  const old = new Date(Date.now() - 60_000);
  utimesSync(`${path}.lock`, old, old);
  t.is((await ks.createKey('k')).keyId, 'file:k');
  t.false(existsSync(`${path}.lock`), 'and released afterwards');
});
