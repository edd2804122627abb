import type { VaultHttp } from './vault-http.js';
import { VaultHttp as Http } from './vault-http.js';
import { KeystoreError } from '../keystore-error.js';

export type VaultAuthConfig = { method: 'token'; token: string } | { method: 'approle'; roleId: string; secretId: string; mount?: string };

/**
 * Supplies a valid Vault token: a static token, or an AppRole login renewed before it expires
 * (renew-self at two thirds of its TTL, a fresh login when renewal is refused or the TTL is spent).
 */
export class VaultTokenSource {
  private token: string | undefined;
  private expiresAt = 0;
  private renewAt = 0;
  private renewable = false;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly http: VaultHttp,
    private readonly auth: VaultAuthConfig,
    private readonly now: () => number = Date.now,
  ) {
    if (auth.method === 'token') this.token = auth.token;
  }

  async get(): Promise<string> {
    if (this.auth.method === 'token') return this.auth.token;
    const t = this.now();
    if (this.token && t < this.renewAt) return this.token;
    this.pending ??= this.refresh().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async refresh(): Promise<string> {
    if (this.token && this.renewable && this.now() < this.expiresAt) {
      const r = await this.http.call('POST', Http.path('auth/token/renew-self'), this.token, {});
      if (r.status === 200 && r.body.auth) return this.accept(r.body.auth);
    }
    return this.login();
  }

  private async login(): Promise<string> {
    if (this.auth.method !== 'approle') throw new Error('unreachable');
    const r = await this.http.call('POST', Http.path('auth', this.auth.mount ?? 'approle', 'login'), undefined, { role_id: this.auth.roleId, secret_id: this.auth.secretId });
    if (r.status >= 500) throw new KeystoreError('KeyStoreUnavailable', `vault AppRole login: server error ${r.status}`);
    if (r.status !== 200 || !r.body.auth) throw new KeystoreError('AccessDenied', `vault AppRole login refused (status ${r.status})`);
    return this.accept(r.body.auth);
  }

  private accept(auth: Record<string, unknown>): string {
    const token = auth['client_token'];
    if (typeof token !== 'string') throw new KeystoreError('KeyStoreUnavailable', 'vault login: no client token in answer');
    const ttl = typeof auth['lease_duration'] === 'number' ? (auth['lease_duration']) : 0;
    const t = this.now();
    this.token = token;
    this.renewable = auth['renewable'] === true;
    this.expiresAt = ttl > 0 ? t + ttl * 1000 : Number.POSITIVE_INFINITY;
    this.renewAt = ttl > 0 ? t + (ttl * 1000 * 2) / 3 : Number.POSITIVE_INFINITY;
    return token;
  }
}
