/**
 * Root-token administration of the test OpenBao: policies and tokens for role-separation tests.
 * Uses the same HTTP client as the keystore, with the dev server's root token.
 */
import { randomBytes } from 'node:crypto';
import { VaultHttp } from '../../src/keystores/vault/vault-http.js';
import { service } from './services.js';

export function openbao(): { address: string; rootToken: string; mount: string; http: VaultHttp } {
  const d = service('openbao');
  if (!d.token || !d.mount) throw new Error('openbao descriptor lacks token or mount');
  return { address: d.endpoint, rootToken: d.token, mount: d.mount, http: new VaultHttp({ address: d.endpoint }) };
}

async function ok(p: Promise<{ status: number; body: unknown }>, what: string): Promise<Record<string, unknown>> {
  const r = await p;
  if (r.status < 200 || r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, unknown>;
}

/** A token whose only rights are the given Transit capabilities on one key (plus reading the key). */
export async function tokenWith(paths: Record<string, string[]>): Promise<string> {
  const { http, rootToken } = openbao();
  const name = `p-${randomBytes(4).toString('hex')}`;
  const policy = Object.entries(paths)
    .map(([path, caps]) => `path "${path}" { capabilities = [${caps.map((c) => `"${c}"`).join(', ')}] }`)
    .join('\n');
  await ok(http.call('PUT', VaultHttp.path('sys/policies/acl', name), rootToken, { policy }), 'write policy');
  const body = await ok(http.call('POST', VaultHttp.path('auth/token/create'), rootToken, { policies: [name], no_default_policy: true, ttl: '1h' }), 'create token');
  return String((body['auth'] as Record<string, unknown>)['client_token']);
}

export async function createNonDerivedKey(mount: string, name: string): Promise<void> {
  const { http, rootToken } = openbao();
  await ok(http.call('POST', VaultHttp.path(mount, 'keys', name), rootToken, { type: 'aes256-gcm96' }), 'create non-derived key');
}
