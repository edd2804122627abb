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

test('TLS: a Vault behind a certificate from a private CA works with that CA configured, and is refused without it', async (t) => {
  // a second OpenBao dev server with its own generated CA (-dev-tls), started and stopped here
  const { ensureTool } = await import('../../scripts/harness/tools.js');
  const { freePort } = await import('../../scripts/harness/free-port.js');
  const { makeDataDir, spawnService, stopProcess } = await import('../../scripts/harness/service-process.js');
  const { readFileSync, existsSync } = await import('node:fs');
  const path = await import('node:path');
  const binary = await ensureTool('openbao');
  const port = await freePort();
  const dir = makeDataDir('openbao-tls');
  const token = `tls-${randomBytes(8).toString('hex')}`;
  const proc = spawnService(binary, ['server', '-dev', '-dev-tls', `-dev-tls-cert-dir=${dir}`, `-dev-root-token-id=${token}`, `-dev-listen-address=127.0.0.1:${port}`], dir, { ...process.env, HOME: dir });
  try {
    const caFile = path.join(dir, 'vault-ca.pem');
    for (let i = 0; i < 120 && !existsSync(caFile); i++) await sleep(250);
    const caPem = readFileSync(caFile, 'utf8');
    const address = `https://127.0.0.1:${port}`;
    const http = new VaultHttp({ address, caPem });
    let mounted = false;
    for (let i = 0; i < 120 && !mounted; i++) {
      const r = await http.call('POST', VaultHttp.path('sys/mounts/transit'), token, { type: 'transit' }).catch(() => undefined);
      mounted = r !== undefined && r.status >= 200 && r.status < 300;
      if (!mounted) await sleep(250);
    }
    t.true(mounted, 'transit mounted over TLS');
    const ks = new VaultKeystore({ address, caPem, auth: { method: 'token', token } });
    await ks.createKey('transit/tls');
    const c = bindingContext({ bucket: 'b', key: 'k' });
    const g = await ks.generateDataKey('transit/tls', c);
    t.true((await ks.decryptDataKey('transit/tls', g.wrapped, c)).equals(g.plaintext));
    const untrusting = new VaultKeystore({ address, auth: { method: 'token', token }, retry: { attempts: 1 } });
    const err = await t.throwsAsync(untrusting.generateDataKey('transit/tls', c), { instanceOf: KeystoreError });
    t.is(err?.code, 'KeyStoreUnavailable', 'an unverifiable certificate fails closed');
    await http.close();
    await ks.close();
  } finally {
    await stopProcess(proc.pid, dir);
  }
});
