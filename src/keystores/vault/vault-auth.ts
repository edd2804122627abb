import type { VaultHttp, VaultResponse } from './vault-http.js';
import { VaultHttp as Http } from './vault-http.js';
import { KeystoreError } from '../keystore-error.js';

export type VaultAuthConfig = { method: 'token'; token: string } | { method: 'approle'; roleId: string; secretId: string; mount?: string };

/** while the server cannot be reached to renew or log in, ask again after this long (ms), not on every call */
const OUTAGE_BACKOFF_MS = 1000;

function isOutage(status: number): boolean {
  return status >= 500 || status === 429;
}

/** the least time between two logins forced by denied calls */
const FORCED_LOGIN_INTERVAL_MS = 10_000;

/**
 * Supplies a valid Vault token: a static token, or an AppRole login renewed before it expires.
 * Renew-self runs at two thirds of the lease; a fresh login replaces the token when renewal is refused,
 * when it grants no usable lease (`lease_duration: 0`), or once a renewal came back shorter than the
 * lease asked for (the token's max TTL capped it, so the next renewal could only shrink it further).
 * An outage while renewing or logging in keeps the current token for as long as it is still valid:
 * an unreachable server is never turned into a refusal, nor a valid token thrown away.
 */
export class VaultTokenSource {
  private token: string | undefined;
  private expiresAt = 0;
  private renewAt = 0;
  private renewable = false;
  /** the lease the last login granted (ms): a renewal shorter than this hit the max TTL */
  private leaseMs = 0;
  private pending: Promise<string> | undefined;
  /** when a denied call last forced a new login (see recoverFromDenied) */
  private lastForcedLogin = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly http: VaultHttp,
    private readonly auth: VaultAuthConfig,
    private readonly now: () => number = Date.now,
  ) {
    if (auth.method === 'token') this.token = auth.token;
  }

  async get(): Promise<string> {
    if (this.auth.method === 'token') return this.auth.token;
    if (this.token && this.now() < this.renewAt) return this.token;
    this.pending ??= this.refresh().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /**
   * A call with `token` was answered 403. For an AppRole token that is what an expired or revoked
   * token looks like, and a new login fixes it; for a valid token it is a real denial. Vault tells the
   * two apart by whether the token can still look itself up. Returns true when the caller should
   * repeat the call (once) with a fresh `get()`.
   */
  async recoverFromDenied(token: string): Promise<boolean> {
    if (this.auth.method !== 'approle') return false;
    if (token !== this.token) return true; // another call already replaced it
    let r: VaultResponse;
    try {
      r = await this.http.call('GET', Http.path('auth/token/lookup-self'), token);
    } catch (err) {
      throw err instanceof KeystoreError ? err : new KeystoreError('KeyStoreUnavailable', 'vault token lookup failed');
    }
    if (r.status === 200) return false; // the token is fine: the 403 was a real denial
    if (isOutage(r.status)) throw new KeystoreError('KeyStoreUnavailable', `vault token lookup: server error ${r.status}`);
    // expired, revoked, or a token that may not look itself up (no default policy): log in afresh —
    // at most once per FORCED_LOGIN_INTERVAL_MS, so a role whose tokens cannot look themselves up
    // turns a run of genuine denials into one login, not one login per denied call
    if (this.now() - this.lastForcedLogin < FORCED_LOGIN_INTERVAL_MS) return false;
    this.lastForcedLogin = this.now();
    if (this.token === token) this.forget();
    return true;
  }

  private forget(): void {
    this.token = undefined;
    this.expiresAt = 0;
    this.renewAt = 0;
    this.renewable = false;
  }

  private valid(): boolean {
    return this.token !== undefined && this.now() < this.expiresAt;
  }

  /** keep the current token through an outage while it lasts; ask the server again a little later */
  private ride(err: KeystoreError): string {
    if (!err.retryable || !this.valid()) throw err;
    this.renewAt = Math.min(this.expiresAt, this.now() + OUTAGE_BACKOFF_MS);
    return this.token!;
  }

  private async refresh(): Promise<string> {
    const current = this.token;
    if (current !== undefined && this.renewable && this.valid()) {
      let r: VaultResponse;
      try {
        r = await this.http.call('POST', Http.path('auth/token/renew-self'), current, {});
      } catch (err) {
        return this.ride(err instanceof KeystoreError ? err : new KeystoreError('KeyStoreUnavailable', 'vault token renewal failed'));
      }
      // OpenBao answers a renewal past the max TTL with a 500: not an outage, the token is spent
      const spent = r.status === 500 && (r.body.errors ?? []).some((m) => /max TTL|cannot renew/i.test(m));
      if (isOutage(r.status) && !spent) return this.ride(new KeystoreError('KeyStoreUnavailable', `vault token renewal: server error ${r.status}`));
      const auth = r.status === 200 ? r.body.auth : undefined;
      const granted = auth ? VaultTokenSource.leaseSeconds(auth) : 0;
      if (auth && granted > 0 && auth['client_token'] === current) {
        const leaseMs = this.leaseMs;
        this.accept(auth);
        // capped by the max TTL: renewing again could only shrink it; log in at the next refresh instead
        if (granted * 1000 < leaseMs) this.renewable = false;
        this.leaseMs = leaseMs;
        return current;
      }
      // refused (expired, revoked) or no usable lease: fall through to a fresh login
    }
    try {
      return await this.login();
    } catch (err) {
      return this.ride(err as KeystoreError);
    }
  }

  private async login(): Promise<string> {
    if (this.auth.method !== 'approle') throw new Error('unreachable');
    let r: VaultResponse;
    try {
      r = await this.http.call('POST', Http.path('auth', this.auth.mount ?? 'approle', 'login'), undefined, { role_id: this.auth.roleId, secret_id: this.auth.secretId });
    } catch (err) {
      throw err instanceof KeystoreError ? err : new KeystoreError('KeyStoreUnavailable', 'vault AppRole login failed');
    }
    if (isOutage(r.status)) throw new KeystoreError('KeyStoreUnavailable', `vault AppRole login: server error ${r.status}`);
    if (r.status !== 200 || !r.body.auth) throw new KeystoreError('AccessDenied', `vault AppRole login refused (status ${r.status})`);
    const token = this.accept(r.body.auth);
    this.leaseMs = VaultTokenSource.leaseSeconds(r.body.auth) * 1000;
    return token;
  }

  private static leaseSeconds(auth: Record<string, unknown>): number {
    const ttl = auth['lease_duration'];
    return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? ttl : 0;
  }

  private accept(auth: Record<string, unknown>): string {
    const token = auth['client_token'];
    if (typeof token !== 'string' || token.length === 0) throw new KeystoreError('KeyStoreUnavailable', 'vault login: no client token in answer');
    const ttl = VaultTokenSource.leaseSeconds(auth);
    const t = this.now();
    this.token = token;
    this.renewable = auth['renewable'] === true;
    // a login without a lease (a token with no TTL) never expires; a call answered 403 still recovers
    this.expiresAt = ttl > 0 ? t + ttl * 1000 : Number.POSITIVE_INFINITY;
    this.renewAt = ttl > 0 ? t + (ttl * 1000 * 2) / 3 : Number.POSITIVE_INFINITY;
    return token;
  }
}
