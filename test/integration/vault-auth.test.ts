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

/** An AppRole auth mount with one role whose tokens carry `policy`; returns the login credentials. */
async function appRole(o: ReturnType<typeof openbao>, policy: string, ttl: string, maxTtl: string): Promise<{ roleId: string; secretId: string; mount: string }> {
  const h = o.http;
  const mount = `approle-${randomBytes(3).toString('hex')}`;
  const policyName = `p-${mount}`;
  await must(h.call('POST', VaultHttp.path('sys/auth', mount), o.rootToken, { type: 'approle' }), 'enable approle');
  await must(h.call('PUT', VaultHttp.path('sys/policies/acl', policyName), o.rootToken, { policy }), 'policy');
  await must(h.call('POST', VaultHttp.path('auth', mount, 'role/app'), o.rootToken, { token_policies: [policyName], token_ttl: ttl, token_max_ttl: maxTtl }), 'role');
  const roleId = String(((await must(h.call('GET', VaultHttp.path('auth', mount, 'role/app/role-id'), o.rootToken), 'role-id'))['data'] as Record<string, unknown>)['role_id']);
  const secretId = String(((await must(h.call('POST', VaultHttp.path('auth', mount, 'role/app/secret-id'), o.rootToken, {}), 'secret-id'))['data'] as Record<string, unknown>)['secret_id']);
  return { roleId, secretId, mount };
}

test('AppRole: login, then keep working past the token TTL (renewal / re-login)', async (t) => {
  const o = openbao();
  const root = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
  const name = `approle-${randomBytes(4).toString('hex')}`;
  await root.createKey(`${o.mount}/${name}`);
  const { roleId, secretId, mount } = await appRole(o, `path "${o.mount}/*" { capabilities = ["read", "update"] }`, '3s', '6s');

  const ks = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'approle', roleId, secretId, mount } });
  const c = bindingContext({ bucket: 'b', key: 'k' });
  const g = await ks.generateDataKey(`${o.mount}/${name}`, c);
  // past 2/3 of the TTL (renew), past the TTL, and past the max TTL (fresh login)
  for (const wait of [2200, 2200, 3000]) {
    await sleep(wait);
    t.true((await ks.decryptDataKey(`${o.mount}/${name}`, g.wrapped, c)).equals(g.plaintext));
  }
  const bad = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'approle', roleId, secretId: 'wrong', mount }, retry: { attempts: 1 } });
  const err = await t.throwsAsync(bad.generateDataKey(`${o.mount}/${name}`, c), { instanceOf: KeystoreError });
  t.is(err?.code, 'AccessDenied');
});

test('AppRole with token_ttl 2s / token_max_ttl 4s: calls keep working for over 3x the max TTL (renewals capped by the max TTL, then fresh logins)', async (t) => {
  const o = openbao();
  const root = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
  const name = `short-ttl-${randomBytes(4).toString('hex')}`;
  await root.createKey(`${o.mount}/${name}`);
  const { roleId, secretId, mount } = await appRole(o, `path "${o.mount}/*" { capabilities = ["read", "update"] }`, '2s', '4s');
  const ks = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'approle', roleId, secretId, mount } });
  const c = bindingContext({ bucket: 'b', key: 'k' });
  const g = await ks.generateDataKey(`${o.mount}/${name}`, c);
  const failures: string[] = [];
  let calls = 0;
  const end = Date.now() + 13_000;
  while (Date.now() < end) {
    calls++;
    try {
      if (!(await ks.decryptDataKey(`${o.mount}/${name}`, g.wrapped, c)).equals(g.plaintext)) failures.push('wrong key');
    } catch (err) {
      failures.push(`${(err as KeystoreError).code}: ${(err as Error).message}`);
    }
    // back to back: a token the cache still trusts after the server let it expire shows at once
    await sleep(20);
  }
  t.true(calls > 200, `${calls} calls`);
  t.deepEqual(failures.slice(0, 3), [], `${failures.length} of ${calls} calls failed`);
  await ks.close();
});

test('AppRole: a token revoked behind our back (403 for a token that was valid) is replaced by one new login; a real denial stays AccessDenied', async (t) => {
  const o = openbao();
  const root = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
  const tag = randomBytes(4).toString('hex');
  const allowed = `${o.mount}/allowed-${tag}`;
  const other = `${o.mount}/other-${tag}`;
  await root.createKey(allowed);
  await root.createKey(other);
  const policy = ['keys', 'decrypt', 'datakey/plaintext'].map((p) => `path "${o.mount}/${p}/allowed-${tag}" { capabilities = ["read", "update"] }`).join('\n');
  const { roleId, secretId, mount } = await appRole(o, policy, '1h', '2h');
  const ks = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'approle', roleId, secretId, mount }, retry: { attempts: 1 } });
  const c = bindingContext({ bucket: 'b', key: 'k' });
  const g = await ks.generateDataKey(allowed, c);
  // revoke every token this AppRole mount handed out: ours is now invalid long before its TTL
  const revoked = await o.http.call('PUT', VaultHttp.path('sys/leases/revoke-prefix/auth', mount, 'login'), o.rootToken, {});
  t.true(revoked.status >= 200 && revoked.status < 300, `revoke-prefix: ${revoked.status} ${JSON.stringify(revoked.body)}`);
  t.true((await ks.decryptDataKey(allowed, g.wrapped, c)).equals(g.plaintext), 'the call after the revocation logged in again and succeeded');
  const denied = await t.throwsAsync(ks.generateDataKey(other, c), { instanceOf: KeystoreError });
  t.is(denied?.code, 'AccessDenied', 'a valid token without the right is a refusal, not retried into a success');
  await ks.close();
});

test('namespaces: the keystore addresses keys inside its namespace only', async (t) => {
  const o = openbao();
  const ns = `ns${randomBytes(3).toString('hex')}`;
  const created = await o.http.call('POST', VaultHttp.path('sys/namespaces', ns), o.rootToken, {});
  t.true(created.status >= 200 && created.status < 300, `OpenBao creates namespace ${ns}: ${created.status} ${JSON.stringify(created.body)}`);
  const inNs = new VaultHttp({ address: o.address, namespace: ns });
  await must(inNs.call('POST', VaultHttp.path('sys/mounts/transit'), o.rootToken, { type: 'transit' }), 'mount transit in namespace');
  const ks = new VaultKeystore({ address: o.address, allowInsecureHttp: true, namespace: ns, auth: { method: 'token', token: o.rootToken } });
  const key = `transit/in-ns-${randomBytes(3).toString('hex')}`;
  await ks.createKey(key);
  const c = bindingContext({ bucket: 'b', key: 'k' });
  const g = await ks.generateDataKey(key, c);
  t.true((await ks.decryptDataKey(key, g.wrapped, c)).equals(g.plaintext));
  const outside = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken }, retry: { attempts: 1 } });
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
