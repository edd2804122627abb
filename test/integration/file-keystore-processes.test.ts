/**
 * Several real processes sharing one key file (DESIGN.md "Keystores": every change is a
 * read-modify-write under an inter-process lock; a running process notices changes made by others
 * before it uses a key). The workers are forked from the compiled helper test/helpers/file-keystore-worker.ts.
 * No services needed.
 */
import test from 'ava';
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileKeystore, type FileKeystoreOptions } from '../../src/keystores/file-keystore.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { bindingContext } from '../../src/crypto/encryption-context.js';
import type { HandedOutKey, MixResult, WorkerReply, WorkerRequest } from '../helpers/file-keystore-worker.js';
import { tempDir } from '../helpers/temp-dir.js';

const WORKER = new URL('../helpers/file-keystore-worker.js', import.meta.url);

interface Worker {
  ask(req: WorkerRequest): Promise<WorkerReply>;
  close(): void;
  kill(): Promise<void>;
}

function worker(): Worker {
  const child: ChildProcess = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    ask: (req) =>
      new Promise((resolve, reject) => {
        const onExit = (code: number | null): void => {
          child.off('message', onMessage);
          reject(new Error(`worker exited (${code})`));
        };
        const onMessage = (m: unknown): void => {
          child.off('exit', onExit);
          resolve(m as WorkerReply);
        };
        child.once('message', onMessage);
        child.once('exit', onExit);
        child.send(req);
      }),
    close: () => child.disconnect(),
    kill: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

async function ok(w: Worker, req: WorkerRequest): Promise<MixResult | undefined> {
  const r = await w.ask(req);
  if (!r.ok) throw new Error(`worker ${req.op} failed: ${r.code}: ${r.message}`);
  return r.mix;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return err instanceof KeystoreError ? err.code : String(err);
  }
}

/** the data keys that a fresh instance on the file cannot unwrap back to what was handed out */
async function unrecoverable(path: string, keys: HandedOutKey[]): Promise<number> {
  const ks = new FileKeystore({ path });
  let lost = 0;
  for (const k of keys) {
    const dek = await ks.decryptDataKey(k.keyName, Buffer.from(k.wrapped, 'base64'), k.context).catch(() => undefined);
    if (dek?.toString('base64') !== k.plaintext) lost++;
  }
  return lost;
}

interface StoredKey {
  current: number;
  versions: Record<string, string>;
  reserved?: Record<string, number>;
}

function storedKeys(path: string): Record<string, StoredKey> {
  return (JSON.parse(readFileSync(path, 'utf8')) as { keys: Record<string, StoredKey> }).keys;
}

async function twoWorkers(opts: FileKeystoreOptions, ops: number, mix: { rotate: number; create: number; generate: number }): Promise<[MixResult, MixResult]> {
  const a = worker();
  const b = worker();
  try {
    const [ra, rb] = await Promise.all([ok(a, { op: 'mix', opts, id: 'a', ops, mix }), ok(b, { op: 'mix', opts, id: 'b', ops, mix })]);
    return [ra!, rb!];
  } finally {
    a.close();
    b.close();
  }
}

test('two processes rotating, creating keys and generating data keys on one file lose nothing: every data key unwraps, every version and key is on disk', async (t) => {
  const path = join(tempDir('fkproc'), 'keys.json');
  await new FileKeystore({ path, create: true }).createKey('shared');
  const [a, b] = await twoWorkers({ path }, 300, { rotate: 1, create: 1, generate: 2 });
  const dataKeys = [...a.dataKeys, ...b.dataKeys];
  t.true(dataKeys.length > 100 && a.rotations.length > 30 && b.created.length > 30, 'the mix really interleaved every kind of change');

  const keys = storedKeys(path);
  const shared = keys['shared']!;
  const rotations = [...a.rotations, ...b.rotations].sort((x, y) => x - y);
  const created = [...a.created, ...b.created];
  const onDisk = Object.keys(shared.versions).map(Number);
  // one summary, so a failure shows every kind of loss at once
  t.deepEqual(
    {
      failedOps: [...a.errors, ...b.errors].length,
      unrecoverableDataKeys: await unrecoverable(path, dataKeys),
      sharedCurrent: shared.current,
      duplicateRotationVersions: rotations.length - new Set(rotations).size,
      versionsOnDisk: onDisk.length,
      createdKeysMissing: created.filter((n) => !(n in keys)).length,
      keysOnDisk: Object.keys(keys).length,
    },
    {
      failedOps: 0,
      unrecoverableDataKeys: 0,
      sharedCurrent: 1 + rotations.length,
      duplicateRotationVersions: 0,
      versionsOnDisk: 1 + rotations.length,
      createdKeysMissing: 0,
      keysOnDisk: 1 + created.length,
    },
    `${dataKeys.length} data keys, ${rotations.length} rotations, ${created.length} keys created by two processes`,
  );
  t.deepEqual(rotations, Array.from({ length: rotations.length }, (_, i) => i + 2), 'each rotation made its own version');
  t.deepEqual(onDisk.sort((x, y) => x - y), Array.from({ length: shared.current }, (_, i) => i + 1));
});

test('two processes creating the key file at once: neither replaces the other\'s file, every key created survives', async (t) => {
  const a = worker();
  const b = worker();
  const lost: string[] = [];
  try {
    for (let round = 0; round < 30; round++) {
      const path = join(tempDir('fkcreate'), 'keys.json');
      const opts = { path, create: true };
      const mix = { rotate: 0, create: 1, generate: 0 };
      const [ra, rb] = await Promise.all([ok(a, { op: 'mix', opts, id: 'a', ops: 2, mix }), ok(b, { op: 'mix', opts, id: 'b', ops: 2, mix })]);
      const keys = storedKeys(path);
      lost.push(...[...ra!.errors, ...rb!.errors], ...[...ra!.created, ...rb!.created].filter((n) => !(n in keys)).map((n) => `${round}: ${n} lost`));
    }
  } finally {
    a.close();
    b.close();
  }
  t.deepEqual(lost, []);
});

test('two processes share one wrap budget per root version: no version wraps more than the limit; the key rotates itself before it', async (t) => {
  const path = join(tempDir('fkbudget'), 'keys.json');
  await new FileKeystore({ path, create: true }).createKey('shared');
  const wrapLimit = 7;
  const [a, b] = await twoWorkers({ path, wrapLimit, wrapReserve: 3 }, 150, { rotate: 0, create: 0, generate: 1 });
  const dataKeys = [...a.dataKeys, ...b.dataKeys];
  t.deepEqual([...a.errors, ...b.errors], []);
  const perVersion = new Map<number, number>();
  for (const k of dataKeys) perVersion.set(k.version, (perVersion.get(k.version) ?? 0) + 1);
  t.true(Math.max(...perVersion.values()) <= wrapLimit, `wraps per version ≤ ${wrapLimit}: ${JSON.stringify([...perVersion])}`);
  const shared = storedKeys(path)['shared']!;
  t.true(shared.current >= Math.ceil(dataKeys.length / wrapLimit), 'the key was rotated automatically as budgets ran out');
  t.true(Object.values(shared.reserved ?? {}).every((n) => n <= wrapLimit), 'no version reserved past the limit');
  t.is(await unrecoverable(path, dataKeys), 0, 'every data key unwraps');
});

test('a disable, a new key and a rotation in another process apply to the next operation here', async (t) => {
  const path = join(tempDir('fkseen'), 'keys.json');
  const ks = new FileKeystore({ path, create: true });
  await ks.createKey('shared');
  const c = bindingContext({ bucket: 'b', key: 'k' });
  const before = await ks.generateDataKey('shared', c);
  const other = worker();
  try {
    await ok(other, { op: 'setEnabled', opts: { path }, keyName: 'shared', enabled: false });
    t.is(await code(ks.generateDataKey('shared', c)), 'KMS.DisabledException', 'generate refused right after the disable elsewhere');
    t.is(await code(ks.decryptDataKey('shared', before.wrapped, c)), 'KMS.DisabledException', 'decrypt refused too');
    t.is(await code(ks.rewrapDataKey('shared', before.wrapped, c)), 'KMS.DisabledException');
    t.is(await code(ks.deriveSecret('shared', 'upload token')), 'KMS.DisabledException');
    t.false((await ks.describeKey('shared')).enabled);

    await ok(other, { op: 'setEnabled', opts: { path }, keyName: 'shared', enabled: true });
    t.true((await ks.decryptDataKey('shared', before.wrapped, c)).equals(before.plaintext), 'enabled again elsewhere: usable here');

    await ok(other, { op: 'createKey', opts: { path }, keyName: 'elsewhere' });
    t.is((await ks.describeKey('elsewhere')).keyId, 'file:elsewhere', 'a key created elsewhere is found');
    const g = await ks.generateDataKey('elsewhere', c);
    t.true((await ks.decryptDataKey('elsewhere', g.wrapped, c)).equals(g.plaintext));

    await ok(other, { op: 'rotateKey', opts: { path }, keyName: 'shared' });
    t.is((await ks.generateDataKey('shared', c)).keyVersion, 2, 'new data keys use the version rotated elsewhere');
  } finally {
    other.close();
  }
});

test('the lock of a live process is respected however long it is held; the lock of a killed process is taken over', async (t) => {
  const path = join(tempDir('fklock'), 'keys.json');
  const ks = new FileKeystore({ path, create: true, lockStaleMs: 5000, lockWaitMs: 6500 });
  const holder = worker();
  await ok(holder, { op: 'holdLock', path, staleMs: 5000 });
  let started = Date.now();
  const err = await t.throwsAsync(ks.createKey('k'), { instanceOf: KeystoreError });
  t.is(err.code, 'KeyStoreUnavailable');
  t.true(Date.now() - started > 5000, 'held past the stale timeout, but refreshed: not taken over');

  await holder.kill(); // no release: its lock directory stays behind
  started = Date.now();
  const patient = new FileKeystore({ path, lockStaleMs: 5000, lockWaitMs: 15_000 });
  t.is((await patient.createKey('k')).keyId, 'file:k');
  t.log(`a killed holder's lock was taken over after ${Date.now() - started} ms`);
});
