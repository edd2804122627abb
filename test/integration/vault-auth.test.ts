/** Vault/OpenBao authentication and addressing on the real server: AppRole with renewal, namespaces. */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { VaultKeystore } from '../../src/keystores/vault/vault-keystore.js';
import { VaultHttp } from '../../src/keystores/vault/vault-http.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { bindingContext } from '../../src/crypto/encryption-context.js';
import { openbao } from '../helpers/openbao-admin.js';

async function must(p: Promise<{ status: number; body: Record<string, unknown> }>, what: string): Promise<Record<string, unknown>> {
  const r = await p;
  if (r.status < 200 || r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

test('AppRole: login, then keep working past the token TTL (renewal / re-login)', async (t) => {
  const o = openbao();
  const root = new VaultKeystore({ address: o.address, auth: { method: 'token', token: o.rootToken } });
  const name = `approle-${randomBytes(4).toString('hex')}`;
  await root.createKey(`${o.mount}/${name}`);
  const h = o.http;
  const mount = `approle-${randomBytes(3).toString('hex')}`;
  await must(h.call('POST', VaultHttp.path('sys/auth', mount), o.rootToken, { type: 'approle' }), 'enable approle');
  await must(h.call('PUT', VaultHttp.path('sys/policies/acl', name), o.rootToken, { policy: `path "${o.mount}/*" { capabilities = ["read", "update"] }` }), 'policy');
  await must(h.call('POST', VaultHttp.path('auth', mount, 'role/app'), o.rootToken, { token_policies: [name], token_ttl: '3s', token_max_ttl: '6s' }), 'role');
  const roleId = String(((await must(h.call('GET', VaultHttp.path('auth', mount, 'role/app/role-id'), o.rootToken), 'role-id'))['data'] as Record<string, unknown>)['role_id']);
  const secretId = String(((await must(h.call('POST', VaultHttp.path('auth', mount, 'role/app/secret-id'), o.rootToken, {}), 'secret-id'))['data'] as Record<string, unknown>)['secret_id']);

  const ks = new VaultKeystore({ address: o.address, auth: { method: 'approle', roleId, secretId, mount } });
  const c = bindingContext({ bucket: 'b', key: 'k' });
  const g = await ks.generateDataKey(`${o.mount}/${name}`, c);
  // past 2/3 of the TTL (renew), past the TTL, and past the max TTL (fresh login)
  for (const wait of [2200, 2200, 3000]) {
    await sleep(wait);
    t.true((await ks.decryptDataKey(`${o.mount}/${name}`, g.wrapped, c)).equals(g.plaintext));
  }
  const bad = new VaultKeystore({ address: o.address, auth: { method: 'approle', roleId, secretId: 'wrong', mount }, retry: { attempts: 1 } });
  const err = await t.throwsAsync(bad.generateDataKey(`${o.mount}/${name}`, c), { instanceOf: KeystoreError });
  t.is(err?.code, 'AccessDenied');
});

test('namespaces: the keystore addresses keys inside its namespace only', async (t) => {
  const o = openbao();
  const ns = `ns${randomBytes(3).toString('hex')}`;
  const created = await o.http.call('POST', VaultHttp.path('sys/namespaces', ns), o.rootToken, {});
  t.true(created.status >= 200 && created.status < 300, `OpenBao creates namespace ${ns}: ${created.status} ${JSON.stringify(created.body)}`);
  const inNs = new VaultHttp({ address: o.address, namespace: ns });
  await must(inNs.call('POST', VaultHttp.path('sys/mounts/transit'), o.rootToken, { type: 'transit' }), 'mount transit in namespace');
  const ks = new VaultKeystore({ address: o.address, namespace: ns, auth: { method: 'token', token: o.rootToken } });
  const key = `transit/in-ns-${randomBytes(3).toString('hex')}`;
  await ks.createKey(key);
  const c = bindingContext({ bucket: 'b', key: 'k' });
  const g = await ks.generateDataKey(key, c);
  t.true((await ks.decryptDataKey(key, g.wrapped, c)).equals(g.plaintext));
  const outside = new VaultKeystore({ address: o.address, auth: { method: 'token', token: o.rootToken }, retry: { attempts: 1 } });
  const err = await t.throwsAsync(outside.generateDataKey(key, c), { instanceOf: KeystoreError });
  t.is(err?.code, 'KMS.NotFoundException', 'the same key path outside the namespace does not exist');
});
