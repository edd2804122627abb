/**
 * The one contract every keystore honours (DESIGN.md "Keystores"), run against the file keystore,
 * OpenBao Transit and local-kms (real servers). Capabilities decide which optional behaviours are
 * checked; a keystore that declares a capability must really have it.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import type { Keystore } from '../../src/keystores/keystore.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { bindingContext } from '../../src/crypto/encryption-context.js';

export interface ContractSubject {
  ks: Keystore;
  /** two existing, enabled keys (keystore-local names) */
  keyName: string;
  otherKeyName: string;
  /** a fresh key the suite may disable and rotate */
  scratchKeyName: () => Promise<string>;
  missingKeyName: string;
  /** a key deriveSecret works with (awskms: an HMAC key; others: keyName) */
  secretKeyName: string;
  /** the same keystore as a second, independent instance (another process or gateway) would see it */
  secondInstance: () => Promise<Keystore>;
}

const ctx = (key: string, extra: Record<string, string> = {}): string => bindingContext({ bucket: 'contract', key }, extra);

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return err instanceof KeystoreError ? err.code : `untyped ${String((err as Error).name)}: ${String((err as Error).message)}`;
  }
}

/** no error message may contain a key in any common encoding */
function assertNoKeyMaterial(messages: string[], keys: Buffer[]): string[] {
  const bad: string[] = [];
  for (const m of messages) {
    for (const k of keys) {
      for (const enc of [k.toString('hex'), k.toString('base64'), k.toString('base64url')]) if (m.includes(enc) || m.includes(enc.slice(0, 16))) bad.push(m);
    }
  }
  return bad;
}

export function keystoreContract(label: string, subject: () => Promise<ContractSubject>): void {
  test(`${label}: generate → decrypt round trip; 256-bit keys; wrapped differs from plaintext`, async (t) => {
    const s = await subject();
    const c = ctx('a', { dept: 'x' });
    const g = await s.ks.generateDataKey(s.keyName, c);
    t.is(g.plaintext.length, 32);
    t.false(g.wrapped.includes(g.plaintext));
    t.truthy(g.keyId);
    t.true((await s.ks.decryptDataKey(s.keyName, g.wrapped, c)).equals(g.plaintext));
    const g2 = await s.ks.generateDataKey(s.keyName, c);
    t.false(g2.plaintext.equals(g.plaintext), 'every data key is fresh');
    t.is((await s.ks.describeKey(s.keyName)).keyId, g.keyId, 'describeKey resolves to the id stored with wrapped keys');
  });

  test(`${label}: context binding is real — a changed or missing context entry fails`, async (t) => {
    const s = await subject();
    const g = await s.ks.generateDataKey(s.keyName, ctx('a', { dept: 'x' }));
    const messages: string[] = [];
    for (const wrong of [ctx('b', { dept: 'x' }), ctx('a', { dept: 'y' }), ctx('a')]) {
      const err = await s.ks.decryptDataKey(s.keyName, g.wrapped, wrong).then(() => undefined, (e: unknown) => e as Error);
      t.true(err instanceof KeystoreError, `refused for ${wrong}`);
      t.is((err as KeystoreError).code, 'KMS.InvalidCiphertextException');
      messages.push((err as Error).message);
    }
    t.deepEqual(assertNoKeyMaterial(messages, [g.plaintext, g.wrapped]), []);
  });

  test(`${label}: a wrapped key does not decrypt under another key; tampered ciphertext fails`, async (t) => {
    const s = await subject();
    const c = ctx('a');
    const g = await s.ks.generateDataKey(s.keyName, c);
    t.is(await code(s.ks.decryptDataKey(s.otherKeyName, g.wrapped, c)), 'KMS.InvalidCiphertextException');
    const flipped = Buffer.from(g.wrapped);
    flipped[flipped.length - 3] = flipped[flipped.length - 3]! ^ 1;
    t.is(await code(s.ks.decryptDataKey(s.keyName, flipped, c)), 'KMS.InvalidCiphertextException');
  });

  test(`${label}: a missing key is KMS.NotFoundException`, async (t) => {
    const s = await subject();
    t.is(await code(s.ks.generateDataKey(s.missingKeyName, ctx('a'))), 'KMS.NotFoundException');
    t.is(await code(s.ks.describeKey(s.missingKeyName)), 'KMS.NotFoundException');
  });

  test(`${label}: rewrap to another key keeps the data key; only the target key decrypts it`, async (t) => {
    const s = await subject();
    const c = ctx('r', { dept: 'x' });
    const g = await s.ks.generateDataKey(s.keyName, c);
    const r = await s.ks.rewrapDataKey(s.keyName, g.wrapped, c, s.otherKeyName);
    t.is(r.keyId, (await s.ks.describeKey(s.otherKeyName)).keyId);
    t.true((await s.ks.decryptDataKey(s.otherKeyName, r.wrapped, c)).equals(g.plaintext));
    t.is(await code(s.ks.decryptDataKey(s.keyName, r.wrapped, c)), 'KMS.InvalidCiphertextException');
    t.is(await code(s.ks.rewrapDataKey(s.keyName, g.wrapped, ctx('other'), s.otherKeyName)), 'KMS.InvalidCiphertextException', 'rewrap checks the context too');
  });

  test(`${label}: encryptDataKey wraps a held data key under another key and context (a copy's re-wrap); only that key and context decrypt it`, async (t) => {
    const s = await subject();
    const from = ctx('src', { dept: 'x' });
    const to = ctx('dst/other key', { dept: 'y' });
    const g = await s.ks.generateDataKey(s.keyName, from);
    const e = await s.ks.encryptDataKey(s.otherKeyName, g.plaintext, to);
    t.is(e.keyId, (await s.ks.describeKey(s.otherKeyName)).keyId);
    t.false(e.wrapped.includes(g.plaintext));
    t.true((await s.ks.decryptDataKey(s.otherKeyName, e.wrapped, to)).equals(g.plaintext));
    t.is(await code(s.ks.decryptDataKey(s.otherKeyName, e.wrapped, from)), 'KMS.InvalidCiphertextException', 'bound to the new context');
    t.is(await code(s.ks.decryptDataKey(s.keyName, e.wrapped, to)), 'KMS.InvalidCiphertextException', 'bound to the new key');
    t.is(await code(s.ks.encryptDataKey(s.missingKeyName, g.plaintext, to)), 'KMS.NotFoundException');
  });

  test(`${label}: disable and enable (capability canDisable)`, async (t) => {
    const s = await subject();
    if (!s.ks.capabilities.canDisable) {
      t.false('setEnabled' in s.ks && s.ks.setEnabled !== undefined, 'a keystore that cannot disable offers no setEnabled');
      return;
    }
    const name = await s.scratchKeyName();
    const c = ctx('d');
    const g = await s.ks.generateDataKey(name, c);
    t.false((await s.ks.setEnabled!(name, false)).enabled);
    t.is(await code(s.ks.generateDataKey(name, c)), 'KMS.DisabledException');
    t.is(await code(s.ks.decryptDataKey(name, g.wrapped, c)), 'KMS.DisabledException');
    t.true((await s.ks.setEnabled!(name, true)).enabled);
    t.true((await s.ks.decryptDataKey(name, g.wrapped, c)).equals(g.plaintext));
  });

  test(`${label}: rotation — new data keys use the new version, older wrapped keys still decrypt, rewrap moves them to the newest`, async (t) => {
    const s = await subject();
    const name = await s.scratchKeyName();
    const c = ctx('rot');
    const before = await s.ks.generateDataKey(name, c);
    if (!s.ks.capabilities.rotatesOnDemand) {
      t.is(await code(s.ks.rotateKey(name)), 'KeyStoreMisconfigured', 'refuses clearly instead of pretending');
      return;
    }
    const d = await s.ks.rotateKey(name);
    const after = await s.ks.generateDataKey(name, c);
    if (s.ks.capabilities.exposesKeyVersion) {
      t.is(after.keyVersion, d.latestVersion);
      t.true((after.keyVersion ?? 0) > (before.keyVersion ?? 0));
    }
    t.true((await s.ks.decryptDataKey(name, before.wrapped, c)).equals(before.plaintext));
    const moved = await s.ks.rewrapDataKey(name, before.wrapped, c);
    if (s.ks.capabilities.exposesKeyVersion) t.is(moved.keyVersion, d.latestVersion);
    t.false(moved.wrapped.equals(before.wrapped));
    t.true((await s.ks.decryptDataKey(name, moved.wrapped, c)).equals(before.plaintext));
  });

  test(`${label}: deriveSecret is deterministic across instances, 256-bit, distinct per label and key, stable across rotation`, async (t) => {
    const s = await subject();
    const a = await s.ks.deriveSecret(s.secretKeyName, 'upload token');
    t.is(a.length, 32);
    t.true((await s.ks.deriveSecret(s.secretKeyName, 'upload token')).equals(a));
    t.true((await (await s.secondInstance()).deriveSecret(s.secretKeyName, 'upload token')).equals(a), 'another instance derives the same secret');
    t.false((await s.ks.deriveSecret(s.secretKeyName, 'bucket config')).equals(a), 'labels separate');
    t.is(await code(s.ks.deriveSecret(s.missingKeyName, 'upload token')), 'KMS.NotFoundException');
    if (s.ks.capabilities.rotatesOnDemand) {
      await s.ks.rotateKey(s.secretKeyName);
      t.true((await s.ks.deriveSecret(s.secretKeyName, 'upload token')).equals(a), 'rotation does not change it');
    }
  });

  test(`${label}: wrapped keys from random bytes are refused, never a crash or a wrong key`, async (t) => {
    const s = await subject();
    for (const junk of [randomBytes(1), randomBytes(60), randomBytes(300)]) {
      t.is(await code(s.ks.decryptDataKey(s.keyName, junk, ctx('j'))), 'KMS.InvalidCiphertextException');
    }
  });
}
