import { SealError } from '../../errors.js';
import { parseKeyRef } from '../../keystores/key-ref.js';
import type { AllowedReadKeys, KeyUseRequest } from './allowed-read-keys.js';
import type { KeystoreRegistry } from './keystore-registry.js';

export interface ConfiguredReadKeysOptions {
  /** the configured default KMS key (config `defaultKmsKey`): always readable */
  defaultKmsKey?: string;
  /** further keyRefs SSE-KMS objects may be read under (config `readKeys`) */
  readKeys?: readonly string[];
}

/** the least time between two fresh re-resolutions of the allow-list */
const FRESH_INTERVAL_MS = 5_000;

/**
 * DESIGN.md "Defaults", without a policy document: the process's own principal may use every
 * *configured* key, and only those — SSE-S3 objects only under the managed key (`sseS3Key`), SSE-KMS
 * objects only under the default KMS key and the `readKeys` allow-list. A key is matched by its
 * resolved id (an alias by the ARN it points to), through the registry's shared resolved-id cache, so
 * a check costs no keystore call within the cache's TTL and never a decrypt. An alias names its
 * current target only: after it is re-pointed, objects under the earlier key need that key's ARN in
 * `readKeys` (within the TTL the cached id still matches them). An envelope naming any
 * other key — even one this process could unwrap — is AccessDenied. SSE-C has no keystore key: its
 * reads are governed by bucket/prefix rules only (DESIGN.md permission matrix), of which there are
 * none without a policy document. With one, src/policies' key grants decide instead.
 */
export class ConfiguredReadKeys implements AllowedReadKeys {
  private readonly kmsKeys: readonly string[];
  /** when the allow-list was last re-resolved fresh (see check) */
  private lastFresh = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly registry: KeystoreRegistry,
    opts: ConfiguredReadKeysOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    const refs = [...(opts.defaultKmsKey !== undefined ? [opts.defaultKmsKey] : []), ...(opts.readKeys ?? [])];
    // a misspelt keyRef fails here, at wiring time, not on the first read that needs it
    for (const r of refs) parseKeyRef(r);
    this.kmsKeys = [...new Set(refs)];
  }

  async check(req: KeyUseRequest): Promise<void> {
    const { mode, keyId } = req;
    const { bucket, key } = req.object;
    // decrypt and rewrap alike: without a policy document the process may use every configured key
    if (mode === 'SSE-C') return;
    const refs = mode === 'SSE-S3' ? (this.registry.sseS3Key !== undefined ? [this.registry.sseS3Key] : []) : this.kmsKeys;
    // cached ids first; only a miss is decided against freshly resolved ones (an alias re-pointed
    // within the TTL) — at most once per FRESH_INTERVAL_MS, so reads of planted objects cannot turn
    // into a DescribeKey per configured key per request
    if (keyId !== undefined && (await this.matches(refs, keyId, false))) return;
    if (keyId !== undefined && this.now() - this.lastFresh >= FRESH_INTERVAL_MS) {
      this.lastFresh = this.now();
      if (await this.matches(refs, keyId, true)) return;
    }
    throw new SealError('AccessDenied', `${bucket}/${key} is ${mode} under ${keyId ?? 'no key'}, which is not a key this process is configured to read (${mode === 'SSE-S3' ? 'sseS3Key' : 'defaultKmsKey / readKeys'})`);
  }

  /**
   * whether one of `refs` resolves to `keyId`. A ref that cannot be resolved (a keystore outage) and
   * no other match: that error, not AccessDenied — the outage may hide the match, and it is retryable.
   */
  private async matches(refs: readonly string[], keyId: string, fresh: boolean): Promise<boolean> {
    const ids = await Promise.allSettled(refs.map((r) => this.registry.resolveId(r, fresh)));
    if (ids.some((r) => r.status === 'fulfilled' && r.value === keyId)) return true;
    // only an outage is passed on; a configured key that is gone (not found, disabled) simply
    // matches nothing, and its name never reaches a refused caller
    const outage = ids.find((r): r is PromiseRejectedResult => r.status === 'rejected' && (r.reason as { retryable?: boolean }).retryable === true);
    if (outage) throw outage.reason;
    return false;
  }
}
