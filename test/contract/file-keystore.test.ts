import test from 'ava';
import { chmodSync, writeFileSync } from 'node:fs';
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

test('file: a rotation by another process is seen here (unknown version → reload)', async (t) => {
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
  const { statSync, readdirSync } = await import('node:fs');
  t.is(statSync(path).mode & 0o777, 0o600);
  t.deepEqual(readdirSync(join(path, '..')), ['keys.json'], 'no temp files left behind');
});
