import { equalSecret } from '../crypto/kdf.js';
import type { AccessKeyIdentity, PolicyDocument } from './policy-document.js';

/**
 * The port an authenticating door (the gateway) asks: which principal an access key id acts for, and
 * the secret its SigV4 signatures are made with. undefined: no such key (S3: InvalidAccessKeyId).
 */
export interface AccessKeyLookup {
  lookup(accessKeyId: string): AccessKeyIdentity | undefined;
}

/**
 * The access keys of the policy document in force: each lookup reads the source's current document,
 * so a reload (SIGHUP, file change) takes effect on the next request, old keys gone with it.
 */
export class PolicyAccessKeys implements AccessKeyLookup {
  constructor(private readonly source: { readonly current: PolicyDocument }) {}

  lookup(accessKeyId: string): AccessKeyIdentity | undefined {
    return this.source.current.accessKeys.get(accessKeyId);
  }
}

/** whether two documents hold the same access keys with the same secrets (a reload of unchanged text may still bring rotated secret files) */
export function sameAccessKeys(a: PolicyDocument, b: PolicyDocument): boolean {
  if (a.accessKeys.size !== b.accessKeys.size) return false;
  for (const [id, k] of a.accessKeys) {
    const o = b.accessKeys.get(id);
    if (o === undefined || o.principal !== k.principal || !equalSecret(o.secret.bytes(), k.secret.bytes())) return false;
  }
  return true;
}
