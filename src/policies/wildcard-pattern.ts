/**
 * An IAM-style wildcard pattern as an anchored RegExp: `*` any run of characters (including `/`, as in
 * IAM resource ARNs), `?` exactly one, everything else literal. Compiled once when a document loads,
 * so evaluating a request is a few regex tests.
 */
export function wildcardPattern(pattern: string, caseInsensitive = false): RegExp {
  let src = '';
  for (const ch of pattern) {
    if (ch === '*') src += '[\\s\\S]*';
    else if (ch === '?') src += '[\\s\\S]';
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, caseInsensitive ? 'iu' : 'u');
}
