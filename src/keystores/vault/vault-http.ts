import { Agent, request, type Dispatcher } from 'undici';
import { KeystoreError } from '../keystore-error.js';

export interface VaultHttpOptions {
  /** e.g. https://vault.example:8200 */
  address: string;
  /** Vault Enterprise / OpenBao namespace, sent as X-Vault-Namespace */
  namespace?: string;
  /** PEM CA bundle to trust for the Vault server's certificate */
  caPem?: string;
  /** per-request timeout (ms); default 10 000 */
  timeoutMs?: number;
}

export interface VaultResponse {
  status: number;
  body: { data?: Record<string, unknown>; auth?: Record<string, unknown>; errors?: string[] };
}

/**
 * Minimal Vault / OpenBao HTTP client. Written by hand rather than with @litehex/node-vault
 * (evaluated first: it covers Transit with a configurable mount) because that client's errors drop
 * the HTTP status, and the status is what tells an outage (5xx, sealed, unreachable: fail closed and
 * retry) from a refusal (403 denied, 400 bad ciphertext, 404 unknown key: final). Every path segment
 * is URL-encoded here, once.
 */
export class VaultHttp {
  private readonly dispatcher: Dispatcher | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly opts: VaultHttpOptions) {
    this.dispatcher = opts.caPem ? new Agent({ connect: { ca: opts.caPem } }) : undefined;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  static path(...segments: string[]): string {
    const parts = segments.flatMap((s) => s.split('/')).filter((s) => s.length > 0);
    // URL parsing resolves dot segments, which would climb out of the mount: refuse them outright
    if (parts.some((p) => p === '.' || p === '..')) throw new KeystoreError('KeyStoreMisconfigured', 'vault path has a "." or ".." segment');
    return '/v1/' + parts.map(encodeURIComponent).join('/');
  }

  async call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, token: string | undefined, body?: unknown): Promise<VaultResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers['x-vault-token'] = token;
    if (this.opts.namespace) headers['x-vault-namespace'] = this.opts.namespace;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await request(new URL(path, this.opts.address), {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (err) {
      throw new KeystoreError('KeyStoreUnavailable', `vault ${method} ${path}: unreachable (${(err as { code?: string }).code ?? (err as Error).name})`);
    }
    const text = await res.body.text();
    let parsed: VaultResponse['body'] = {};
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text) as VaultResponse['body'];
      } catch {
        if (res.statusCode < 500) throw new KeystoreError('KeyStoreUnavailable', `vault ${method} ${path}: answer is not JSON (status ${res.statusCode})`);
      }
    }
    return { status: res.statusCode, body: parsed };
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }
}
