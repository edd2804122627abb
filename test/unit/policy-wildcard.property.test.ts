/**
 * Property tests of the wildcard patterns statements' actions and resources compile to: compared with
 * a straightforward recursive glob matcher, for any pattern (regex metacharacters included) and any
 * key (slashes, newlines, astral characters). A divergence would let a resource pattern cover keys
 * its author did not write, or miss ones they did.
 */
import test from 'ava';
import fc from 'fast-check';
import { wildcardPattern } from '../../src/policies/wildcard-pattern.js';

const RUNS = Number(process.env['S3SEAL_PROPERTY_RUNS'] ?? 2000);

/** the reference: `*` any run, `?` one code point, the rest literal */
function globMatches(p: readonly string[], s: readonly string[]): boolean {
  if (p.length === 0) return s.length === 0;
  const [h, ...rest] = p;
  if (h === '*') return globMatches(rest, s) || (s.length > 0 && globMatches(p, s.slice(1)));
  if (s.length === 0) return false;
  return (h === '?' || h === s[0]) && globMatches(rest, s.slice(1));
}

const alphabet = fc.constantFrom('a', 'b', '/', '.', '*', '?', '+', '(', ')', '[', ']', '\\', '^', '$', '|', '{', '}', '-', '\n', '😀');
const text = fc.array(alphabet, { maxLength: 8 });

test('a compiled pattern matches exactly what the reference glob matches', (t) => {
  fc.assert(
    fc.property(text, text, (p, s) => {
      const key = s.filter((c) => c !== '*' && c !== '?');
      return wildcardPattern(p.join('')).test(key.join('')) === globMatches(p, key);
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

test('a pattern without wildcards matches only itself', (t) => {
  fc.assert(
    fc.property(text, text, (p, s) => {
      const lit = p.filter((c) => c !== '*' && c !== '?').join('');
      const other = s.filter((c) => c !== '*' && c !== '?').join('');
      const re = wildcardPattern(lit);
      return re.test(lit) && re.test(other) === (other === lit);
    }),
    { numRuns: RUNS },
  );
  t.pass();
});
