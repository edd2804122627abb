/** A Vault address over plain http is refused unless explicitly allowed (issue 6 item 18). */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { VaultKeystore } from '../../src/keystores/vault/vault-keystore.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { ConfigError, createContainer, TOKENS } from '../../src/index.js';

const auth = { method: 'token', token: 't' } as const;

test('VaultKeystore: http:// is refused without allowInsecureHttp; https:// and an explicit opt-in are accepted', (t) => {
  const err = t.throws(() => new VaultKeystore({ address: 'http://vault.example:8200', auth }), { instanceOf: KeystoreError });
  t.is(err?.code, 'KeyStoreMisconfigured');
  t.regex(err?.message ?? '', /plain http.*allowInsecureHttp/);
  t.throws(() => new VaultKeystore({ address: 'http://127.0.0.1:8200', auth, allowInsecureHttp: false }), { instanceOf: KeystoreError });
  t.throws(() => new VaultKeystore({ address: 'ftp://vault.example', auth }), { instanceOf: KeystoreError });
  t.notThrows(() => new VaultKeystore({ address: 'https://vault.example:8200', auth }));
  t.notThrows(() => new VaultKeystore({ address: 'http://127.0.0.1:8200', auth, allowInsecureHttp: true }));
});

test('container config: keystores.vault.allowInsecureHttp defaults to false, so an http:// Vault is refused when the container is created', (t) => {
  const base = { backend: { endpoint: 'http://127.0.0.1:9', accessKeyId: 'x', secretAccessKey: 'x' }, uploadTokenRoot: randomBytes(32).toString('base64') };
  const err = t.throws(() => createContainer({ ...base, keystores: { vault: { address: 'http://127.0.0.1:8200', auth } } }), { instanceOf: ConfigError });
  t.regex(String(err?.message), /^s3seal configuration: keystores\.vault: vault address http:\/\/127\.0\.0\.1:8200 is plain http/);
  const allowed = createContainer({ ...base, keystores: { vault: { address: 'http://127.0.0.1:8200', allowInsecureHttp: true, auth } } });
  t.true(allowed.get<VaultKeystore>(TOKENS.VaultKeystore) instanceof VaultKeystore);
});
