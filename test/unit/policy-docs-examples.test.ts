/**
 * The policy documents shown in README.md and docs/POLICY.md are valid documents (docs stay true to
 * the code): every ```yaml block that is a whole document (`version: 1`) parses and validates.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { parsePolicyDocument } from '../../src/policies/load-policy-document.js';

function yamlDocuments(file: string): string[] {
  const text = readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /^version: 1$/m.test(b));
}

for (const file of ['README.md', 'docs/POLICY.md']) {
  test(`${file}: every policy document shown is valid`, (t) => {
    const docs = yamlDocuments(file);
    t.true(docs.length >= 1, `${file} shows a policy document`);
    for (const d of docs) t.notThrows(() => parsePolicyDocument(d, file, 'awskms'));
  });
}
