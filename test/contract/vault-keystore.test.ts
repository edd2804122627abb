import test from 'ava';
import { randomBytes } from 'node:crypto';
import { VaultKeystore } from '../../src/keystores/vault/vault-keystore.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { bindingContext } from '../../src/crypto/encryption-context.js';
import { keystoreContract, type ContractSubject } from './keystore-contract.js';
import { createNonDerivedKey, openbao } from '../helpers/openbao-admin.js';

let shared: Promise<ContractSubject> | undefined;

function subject(): Promise<ContractSubject> {
  shared ??= (async () => {
    const o = openbao();
    const ks = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
    const tag = randomBytes(4).toString('hex');
    await ks.createKey(`${o.mount}/main-${tag}`);
    await ks.createKey(`${o.mount}/other-${tag}`);
    let n = 0;
    const secretKey = `${o.mount}/secrets-${tag}`;
    await ks.createKey(secretKey);
    return {
      ks,
      secretKeyName: secretKey,
      secondInstance: async () => new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } }),
      keyName: `${o.mount}/main-${tag}`,
      otherKeyName: `${o.mount}/other-${tag}`,
      missingKeyName: `${o.mount}/missing-${tag}`,
      scratchKeyName: async () => (await ks.createKey(`${o.mount}/scratch-${tag}-${n++}`)).keyId.slice('vault:'.length),
    };
  })();
  return shared;
}

keystoreContract('vault (OpenBao Transit)', subject);

test('vault: a key that is not derived is refused (its context binding would be silently ignored)', async (t) => {
  const o = openbao();
  const name = `plain-${randomBytes(4).toString('hex')}`;
  await createNonDerivedKey(o.mount, name);
  const ks = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
  const err = await t.throwsAsync(ks.generateDataKey(`${o.mount}/${name}`, bindingContext({ bucket: 'b', key: 'k' })), { instanceOf: KeystoreError });
  t.is(err?.code, 'KeyStoreMisconfigured');
  t.regex(err.message, /not a derived key/);
});

test('vault: key names are URL-encoded path segments: a crafted name never reaches another key or path', async (t) => {
  const o = openbao();
  const ks = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken }, retry: { attempts: 1 } });
  const victim = `victim-${randomBytes(3).toString('hex')}`;
  await ks.createKey(`${o.mount}/${victim}`);
  const c = bindingContext({ bucket: 'b', key: 'k' });
  // unencoded, "victim?x=1" and "victim#x" would address the victim key; encoded they name no key
  for (const crafted of [`${victim}?x=1`, `${victim}#frag`, `${victim}%2F`]) {
    const err = await t.throwsAsync(ks.generateDataKey(`${o.mount}/${crafted}`, c), { instanceOf: KeystoreError }, crafted);
    t.is(err?.code, 'KMS.NotFoundException', crafted);
  }
  // dot segments would be resolved by URL parsing and climb out of the mount: refused before any request
  const dots = await t.throwsAsync(ks.generateDataKey(`${o.mount}/../sys/${victim}`, c), { instanceOf: KeystoreError });
  t.is(dots?.code, 'KeyStoreMisconfigured');
});
