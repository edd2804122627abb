import type { PolicyDocument, PrincipalSet } from './policy-document.js';

/**
 * Whether a statement's or grant's principals include `principal`. `*` is every principal the
 * document declares — not any name at all: a principal the document does not know (a typo in a
 * client's `principal` option) gets nothing, which is what deny-by-default means.
 */
export function principalMatches(doc: PolicyDocument, set: PrincipalSet, principal: string): boolean {
  if (!doc.principals.has(principal)) return false;
  return set.all || set.names.has(principal);
}
