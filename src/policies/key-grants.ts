import type { EncryptionContext } from '../crypto/encryption-context.js';
import type { Decision } from './decision.js';
import type { KeyPermission } from './key-permission.js';
import type { KeyGrant, PolicyDocument } from './policy-document.js';
import { principalMatches } from './principal-matches.js';

export type { KeyPermission } from './key-permission.js';

/** the registry's resolveId: keyRef → the resolved stored key id (an alias → the ARN it points to) */
export type ResolveKeyId = (keyRef: string, fresh: boolean) => Promise<string>;

/** the least time between two fresh re-resolutions of the grants' keyRefs (as ConfiguredReadKeys) */
const FRESH_INTERVAL_MS = 5_000;

/** one pass over the named grants: the decision if one allows, else why the closest one did not */
interface PassResult {
  allow?: Decision;
  contextMiss?: string;
  outage?: Error;
}

/**
 * The key half of the policy (DESIGN.md permission matrix): which principal may use which key for
 * what. Grants name keyRefs, requests carry the resolved key id an envelope stores (or a target key
 * resolves to), so a grant matches by resolving its keyRef through the registry's shared cache —
 * cached ids first, and only a miss is retried against freshly resolved ones, at most once per
 * FRESH_INTERVAL_MS (an alias re-pointed within the cache TTL), so requests naming a foreign key
 * cannot turn into a DescribeKey per grant each. A grant's context condition is checked against the
 * caller context (for reads: the envelope's MACed context), never the derived `aws:s3:arn`.
 */
export class KeyGrants {
  /** when the grants were last re-resolved fresh */
  private lastFresh = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly doc: PolicyDocument,
    private readonly resolve: ResolveKeyId,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * May `principal` use the key whose resolved id is `keyId` for `permission`, with this caller
   * context? A grant whose keyRef cannot be resolved because of an outage, and no other grant
   * allows: that (retryable) error, since the outage may hide the match. A grant whose key is gone
   * (not found, disabled) matches nothing.
   */
  async check(principal: string, permission: KeyPermission, keyId: string, context: EncryptionContext | undefined): Promise<Decision> {
    if (!this.doc.principals.has(principal)) return { allowed: false, reason: `principal "${principal}" is not declared in the policy document` };
    const grants = this.doc.keyGrants.filter((g) => g.permissions.has(permission) && principalMatches(this.doc, g.principals, principal));
    let contextMiss: string | undefined;
    for (const g of grants) {
      if (g.key !== '*') continue;
      const miss = contextMismatch(g, context);
      if (miss === undefined) return { allowed: true, reason: `keys[${g.index}] gives ${permission} on every key` };
      contextMiss ??= miss;
    }
    const named = grants.filter((g) => g.key !== '*');
    if (named.length > 0) {
      let pass = await this.pass(named, keyId, context, false);
      if (pass.allow) return pass.allow;
      if (pass.outage !== undefined) throw pass.outage;
      contextMiss ??= pass.contextMiss;
      if (this.now() - this.lastFresh >= FRESH_INTERVAL_MS) {
        this.lastFresh = this.now();
        pass = await this.pass(named, keyId, context, true);
        if (pass.allow) return pass.allow;
        if (pass.outage !== undefined) throw pass.outage;
        contextMiss ??= pass.contextMiss;
      }
    }
    return { allowed: false, reason: contextMiss ?? `no key grant gives "${principal}" ${permission} on ${keyId}` };
  }

  /**
   * DESIGN.md: "a rewrap to a more widely readable key requires decrypt(source)". True when some
   * declared principal may decrypt `toKeyId` (under any grant, with or without a context condition)
   * but has no unconditional decrypt grant on `fromKeyId` — moving the object would let it read what
   * it could not. Decided on cached resolutions (an outage is rethrown, a gone key matches nothing).
   */
  async widensReaders(fromKeyId: string, toKeyId: string): Promise<boolean> {
    const decrypts = this.doc.keyGrants.filter((g) => g.permissions.has('decrypt'));
    const refs = [...new Set(decrypts.filter((g) => g.key !== '*').map((g) => g.key))];
    const resolved = await this.resolveAll(refs, false);
    const outage = resolved.find((r) => r.outage !== undefined)?.outage;
    if (outage) throw outage;
    const ids = new Map(resolved.map((r) => [r.ref, r.id]));
    const names = (g: KeyGrant, id: string) => g.key === '*' || ids.get(g.key) === id;
    for (const p of this.doc.principals.keys()) {
      const mine = decrypts.filter((g) => principalMatches(this.doc, g.principals, p));
      const readsTarget = mine.some((g) => names(g, toKeyId));
      const readsSourceFreely = mine.some((g) => g.context.size === 0 && names(g, fromKeyId));
      if (readsTarget && !readsSourceFreely) return true;
    }
    return false;
  }

  private async pass(grants: readonly KeyGrant[], keyId: string, context: EncryptionContext | undefined, fresh: boolean): Promise<PassResult> {
    const resolved = await this.resolveAll([...new Set(grants.map((g) => g.key))], fresh);
    const matching = new Set(resolved.filter((r) => r.id === keyId).map((r) => r.ref));
    let contextMiss: string | undefined;
    for (const g of grants) {
      if (!matching.has(g.key)) continue;
      const miss = contextMismatch(g, context);
      if (miss === undefined) return { allow: { allowed: true, reason: `keys[${g.index}] gives ${[...g.permissions].join(', ')} on ${g.key}` } };
      contextMiss ??= miss;
    }
    // only an outage is passed on; a granted key that is gone simply matches nothing
    const outage = resolved.find((r) => r.outage !== undefined)?.outage;
    return { ...(contextMiss !== undefined ? { contextMiss } : {}), ...(outage !== undefined ? { outage } : {}) };
  }

  private async resolveAll(refs: readonly string[], fresh: boolean): Promise<{ ref: string; id?: string; outage?: Error }[]> {
    const settled = await Promise.allSettled(refs.map((r) => this.resolve(r, fresh)));
    return settled.map((s, i) => {
      const ref = refs[i]!;
      if (s.status === 'fulfilled') return { ref, id: s.value };
      return (s.reason as { retryable?: boolean } | undefined)?.retryable === true ? { ref, outage: s.reason as Error } : { ref };
    });
  }
}

/** why `context` does not satisfy the grant's condition (names the entry and the grant, never the caller's value), or undefined */
function contextMismatch(g: KeyGrant, context: EncryptionContext | undefined): string | undefined {
  for (const [k, allowed] of g.context) {
    const v = context !== undefined && Object.hasOwn(context, k) ? context[k] : undefined;
    if (v === undefined) return `keys[${g.index}] context needs ${k}`;
    if (!allowed.includes(v)) return `keys[${g.index}] context ${k}≠${allowed.join('|')}`;
  }
  return undefined;
}
