import { createHash } from 'node:crypto';
import type { GeneratedDataKey, KeyDescription, Keystore, KeystoreCapabilities, RewrappedKey } from '../keystore.js';
import { KeystoreError } from '../keystore-error.js';
import { backoff, withRetries, type RetryOptions } from '../retry.js';
import { VaultHttp, type VaultHttpOptions, type VaultResponse } from './vault-http.js';
import { VaultTokenSource, type VaultAuthConfig } from './vault-auth.js';

export interface VaultKeystoreOptions extends VaultHttpOptions {
  auth: VaultAuthConfig;
  retry?: RetryOptions;
  /**
   * Allow a plain `http://` address. Tokens, data keys and AppRole secrets cross the wire in clear
   * over http, so it is refused unless set (the test harness's dev OpenBao is http on loopback).
   */
  allowInsecureHttp?: boolean;
}

/** `<mount>/<name>` (the keystore-local part of `vault:<mount>/<name>`); the mount may be nested */
function split(keyName: string): { mount: string; name: string } {
  const i = keyName.lastIndexOf('/');
  if (i <= 0 || i === keyName.length - 1) throw new KeystoreError('KeyStoreMisconfigured', `vault key must be <mount>/<name>, got "${keyName}"`);
  return { mount: keyName.slice(0, i), name: keyName.slice(i + 1) };
}

/** Transit derived-key context: base64(SHA-256(canonical binding context)) — fixed length, binding real. */
function transitContext(context: string): string {
  return createHash('sha256').update(context, 'utf8').digest('base64');
}

function versionOf(ciphertext: string): number | undefined {
  const m = /^vault:v(\d+):/.exec(ciphertext);
  return m ? Number(m[1]) : undefined;
}

/**
 * Vault / OpenBao Transit (DESIGN.md "Keystores"). Keys are created with derived=true and the
 * binding context is passed as the derivation context, so Transit itself refuses a wrong context;
 * keys that are not derived are refused (binding would silently not happen). Data keys come from
 * `datakey/plaintext`; `rewrap` moves a ciphertext to the newest version inside Transit.
 */
export class VaultKeystore implements Keystore {
  readonly id = 'vault' as const;
  readonly capabilities: KeystoreCapabilities = { canDisable: false, exposesKeyVersion: true, nativeRewrap: true, rotatesOnDemand: true };
  private readonly http: VaultHttp;
  private readonly tokens: VaultTokenSource;
  private readonly derivedChecked = new Set<string>();

  constructor(private readonly opts: VaultKeystoreOptions) {
    let scheme: string;
    try {
      scheme = new URL(opts.address).protocol;
    } catch {
      throw new KeystoreError('KeyStoreMisconfigured', 'vault address is not a URL');
    }
    if (scheme === 'http:' && opts.allowInsecureHttp !== true) {
      throw new KeystoreError('KeyStoreMisconfigured', `vault address ${opts.address} is plain http: tokens and data keys would cross the network in clear; use https, or set allowInsecureHttp: true (loopback tests only)`);
    }
    if (scheme !== 'http:' && scheme !== 'https:') throw new KeystoreError('KeyStoreMisconfigured', `vault address must be https:// (got ${scheme})`);
    this.http = new VaultHttp(opts);
    this.tokens = new VaultTokenSource(this.http, opts.auth);
  }

  /** one call, outages retried with backoff: blind retries suit idempotent calls only (see rotateKey) */
  private async send(what: string, method: 'GET' | 'POST', path: string, body?: unknown, retry: RetryOptions | undefined = this.opts.retry): Promise<Record<string, unknown>> {
    return withRetries(
      () => this.attempt(what, method, path, body),
      (err) => (err instanceof KeystoreError ? err : new KeystoreError('KeyStoreUnavailable', `${what}: ${(err as Error).message}`)),
      retry,
    );
  }

  private async attempt(what: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const token = await this.tokens.get();
    let r = await this.http.call(method, path, token, body);
    // an AppRole token that expired or was revoked is answered 403 like a denial: log in again, once
    if (r.status === 403 && (await this.tokens.recoverFromDenied(token))) r = await this.http.call(method, path, await this.tokens.get(), body);
    if (r.status >= 200 && r.status < 300) return r.body.data ?? {};
    throw VaultKeystore.refusal(what, r);
  }

  /** Map a non-2xx answer. Messages carry Vault's error strings, which never contain key material. */
  private static refusal(what: string, r: VaultResponse): KeystoreError {
    const msg = (r.body.errors ?? []).join('; ');
    if (r.status >= 500 || r.status === 429) return new KeystoreError('KeyStoreUnavailable', `${what}: vault answered ${r.status}${msg ? ` (${msg})` : ''}`);
    if (r.status === 403) return new KeystoreError('AccessDenied', `${what}: permission denied by vault`);
    if (r.status === 404 || /encryption key not found|no existing key named|key not found/i.test(msg)) return new KeystoreError('KMS.NotFoundException', `${what}: key not found`);
    if (r.status === 400 && /authentication failed|invalid ciphertext|unable to decrypt|ciphertext|decryption|invalid (key )?version|no key/i.test(msg)) {
      return new KeystoreError('KMS.InvalidCiphertextException', `${what}: ciphertext does not decrypt under this key and context`);
    }
    return new KeystoreError('KeyStoreMisconfigured', `${what}: vault refused the request (${r.status}${msg ? `: ${msg}` : ''})`);
  }

  private async requireDerived(keyName: string): Promise<void> {
    if (this.derivedChecked.has(keyName)) return;
    const { mount, name } = split(keyName);
    const d = await this.send('read key', 'GET', VaultHttp.path(mount, 'keys', name));
    if (d['derived'] !== true) throw new KeystoreError('KeyStoreMisconfigured', `vault:${keyName} is not a derived key: its context binding would be ignored; create it with derived=true`);
    this.derivedChecked.add(keyName);
  }

  async generateDataKey(keyName: string, context: string): Promise<GeneratedDataKey> {
    await this.requireDerived(keyName);
    const { mount, name } = split(keyName);
    const d = await this.send('datakey', 'POST', VaultHttp.path(mount, 'datakey', 'plaintext', name), { context: transitContext(context), bits: 256 });
    const pt = d['plaintext'];
    const ct = d['ciphertext'];
    if (typeof pt !== 'string' || typeof ct !== 'string') throw new KeystoreError('KeyStoreUnavailable', 'datakey: incomplete answer');
    const v = versionOf(ct);
    return { plaintext: Buffer.from(pt, 'base64'), wrapped: Buffer.from(ct, 'utf8'), keyId: `vault:${keyName}`, ...(v !== undefined ? { keyVersion: v } : {}) };
  }

  private static ciphertext(wrapped: Buffer): string {
    const s = wrapped.toString('utf8');
    if (!/^vault:v\d+:[A-Za-z0-9+/=]+$/.test(s) || s.length > 1024) throw new KeystoreError('KMS.InvalidCiphertextException', 'wrapped key is not a Transit ciphertext');
    return s;
  }

  async decryptDataKey(keyName: string, wrapped: Buffer, context: string): Promise<Buffer> {
    const ciphertext = VaultKeystore.ciphertext(wrapped);
    await this.requireDerived(keyName);
    const { mount, name } = split(keyName);
    const d = await this.send('decrypt', 'POST', VaultHttp.path(mount, 'decrypt', name), { ciphertext, context: transitContext(context) });
    const pt = d['plaintext'];
    if (typeof pt !== 'string') throw new KeystoreError('KeyStoreUnavailable', 'decrypt: incomplete answer');
    const out = Buffer.from(pt, 'base64');
    if (out.length !== 32) {
      out.fill(0);
      throw new KeystoreError('KMS.InvalidCiphertextException', 'decrypt: not a 256-bit data key');
    }
    return out;
  }

  async rewrapDataKey(keyName: string, wrapped: Buffer, context: string, toKeyName?: string): Promise<RewrappedKey> {
    const ciphertext = VaultKeystore.ciphertext(wrapped);
    await this.requireDerived(keyName);
    if (toKeyName === undefined || toKeyName === keyName) {
      const { mount, name } = split(keyName);
      const d = await this.send('rewrap', 'POST', VaultHttp.path(mount, 'rewrap', name), { ciphertext, context: transitContext(context) });
      const ct = d['ciphertext'];
      if (typeof ct !== 'string') throw new KeystoreError('KeyStoreUnavailable', 'rewrap: incomplete answer');
      const v = versionOf(ct);
      return { wrapped: Buffer.from(ct, 'utf8'), keyId: `vault:${keyName}`, ...(v !== undefined ? { keyVersion: v } : {}) };
    }
    // Transit rewraps only within one key: to another key the data key passes through this process
    await this.requireDerived(toKeyName);
    const dek = await this.decryptDataKey(keyName, wrapped, context);
    try {
      return await this.encryptDataKey(toKeyName, dek, context);
    } finally {
      dek.fill(0);
    }
  }

  async encryptDataKey(keyName: string, plaintext: Buffer, context: string): Promise<RewrappedKey> {
    await this.requireDerived(keyName);
    const to = split(keyName);
    const d = await this.send('encrypt', 'POST', VaultHttp.path(to.mount, 'encrypt', to.name), { plaintext: plaintext.toString('base64'), context: transitContext(context) });
    const ct = d['ciphertext'];
    if (typeof ct !== 'string') throw new KeystoreError('KeyStoreUnavailable', 'encrypt: incomplete answer');
    const v = versionOf(ct);
    return { wrapped: Buffer.from(ct, 'utf8'), keyId: `vault:${keyName}`, ...(v !== undefined ? { keyVersion: v } : {}) };
  }

  async deriveSecret(keyName: string, label: string): Promise<Buffer> {
    const { mount, name } = split(keyName);
    // HMAC under the key's version 1: deterministic, stable across rotations, the key stays in Transit
    const d = await this.send('hmac', 'POST', VaultHttp.path(mount, 'hmac', name, 'sha2-256'), { input: Buffer.from(`s3seal derived secret\0${label}`).toString('base64'), key_version: 1 });
    const mac = d['hmac'];
    const m = typeof mac === 'string' ? /^vault:v1:([A-Za-z0-9+/=]+)$/.exec(mac) : null;
    if (!m) throw new KeystoreError('KeyStoreUnavailable', 'hmac: incomplete answer');
    const out = Buffer.from(m[1]!, 'base64');
    if (out.length !== 32) throw new KeystoreError('KeyStoreUnavailable', 'hmac: not a 256-bit value');
    return out;
  }

  async createKey(keyName: string): Promise<KeyDescription> {
    const { mount, name } = split(keyName);
    await this.send('create key', 'POST', VaultHttp.path(mount, 'keys', name), { type: 'aes256-gcm96', derived: true });
    return this.describeKey(keyName);
  }

  /**
   * Rotation is not idempotent: an answer lost after Vault applied it must not rotate twice. So the
   * rotate call itself is never retried blindly; after an outage the key's latest_version is read
   * again, and only a version that did not move is rotated again.
   */
  async rotateKey(keyName: string): Promise<KeyDescription> {
    const { mount, name } = split(keyName);
    const before = (await this.describeKey(keyName)).latestVersion;
    if (before === undefined) throw new KeystoreError('KeyStoreUnavailable', 'rotate: vault did not report the key version');
    const attempts = this.opts.retry?.attempts ?? 3;
    for (let i = 1; ; i++) {
      try {
        await this.send('rotate', 'POST', VaultHttp.path(mount, 'keys', name, 'rotate'), {}, { ...this.opts.retry, attempts: 1 });
        return await this.describeKey(keyName);
      } catch (err) {
        if (!(err instanceof KeystoreError) || !err.retryable) throw err;
        const now = await this.describeKey(keyName);
        if (now.latestVersion !== undefined && now.latestVersion > before) return now; // the lost answer had rotated it
        if (i >= attempts) throw err;
        await backoff(i, this.opts.retry);
      }
    }
  }

  async describeKey(keyName: string): Promise<KeyDescription> {
    const { mount, name } = split(keyName);
    const d = await this.send('read key', 'GET', VaultHttp.path(mount, 'keys', name));
    const latest = d['latest_version'];
    return { keyId: `vault:${keyName}`, enabled: true, ...(typeof latest === 'number' ? { latestVersion: latest } : {}) };
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
