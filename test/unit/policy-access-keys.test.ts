import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { parsePolicyDocument } from '../../src/policies/load-policy-document.js';
import { PolicyDocumentError } from '../../src/policies/policy-document-error.js';
import { PolicyAccessKeys } from '../../src/policies/access-key-lookup.js';
import { PolicySource } from '../../src/policies/policy-source.js';
import { tempDir } from '../helpers/temp-dir.js';

const SECRET_A = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SECRET_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const silent = { info: () => undefined, error: () => undefined };

function setup(): { dir: string; doc: string } {
  const dir = tempDir('policy-keys');
  writeFileSync(join(dir, 'a.secret'), `${SECRET_A}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'b.secret'), SECRET_B, { mode: 0o600 });
  return { dir, doc: join(dir, 'policy.yaml') };
}

function mistake(text: string, source: string): PolicyDocumentError {
  try {
    parsePolicyDocument(text, source, 'file');
  } catch (err) {
    if (err instanceof PolicyDocumentError) return err;
    throw err;
  }
  throw new Error('the document was accepted');
}

test('access keys: secrets are read from their files (relative to the document, trailing newline dropped) and looked up by id; the document never prints a secret', (t) => {
  const { dir, doc } = setup();
  const parsed = parsePolicyDocument(
    `version: 1
principals:
  uploader:
    accessKeys:
      - { id: AKIAUPLOADER01, secretFile: a.secret }
  auditor:
    accessKeys:
      - id: AKIAAUDITOR001
        secretFile: ${join(dir, 'b.secret')}
  nobody:
`,
    doc,
    'file',
  );
  const keys = new PolicyAccessKeys({ current: parsed });
  const up = keys.lookup('AKIAUPLOADER01');
  t.is(up?.principal, 'uploader');
  t.is(up?.secret.bytes().toString(), SECRET_A, 'the trailing newline is not part of the secret');
  t.is(keys.lookup('AKIAAUDITOR001')?.secret.bytes().toString(), SECRET_B);
  t.is(keys.lookup('AKIAUNKNOWN'), undefined);
  t.deepEqual(parsed.principals.get('nobody'), { accessKeys: [] });
  for (const shown of [JSON.stringify({ ...parsed, accessKeys: [...parsed.accessKeys], principals: [...parsed.principals] }), inspect(parsed, { depth: 10 }), `${String(up?.secret)}`]) {
    t.false(shown.includes(SECRET_A) || shown.includes(SECRET_B), 'no secret in JSON, inspect or string form');
  }
});

test('access keys: an inline secret is refused, naming its line and field', (t) => {
  const { doc } = setup();
  const e = mistake(`version: 1\nprincipals:\n  u:\n    accessKeys:\n      - id: AKIAINLINE0001\n        secretFile: a.secret\n        secret: ${SECRET_A}\n`, doc);
  t.is(e.line, 7);
  t.is(e.field, 'principals.u.accessKeys[0].secret');
  t.regex(e.detail, /inline secrets are not accepted/);
  t.false(e.message.includes(SECRET_A), 'the inline secret is not quoted back');
});

test('access keys: the same access key id twice (two principals or one) is an error at the second use', (t) => {
  const { doc } = setup();
  const e = mistake(`version: 1\nprincipals:\n  u:\n    accessKeys: [{ id: AKIASAME000001, secretFile: a.secret }]\n  v:\n    accessKeys:\n      - { id: AKIASAME000001, secretFile: b.secret }\n`, doc);
  t.is(e.line, 7);
  t.is(e.field, 'principals.v.accessKeys[0].id');
  t.regex(e.detail, /already used by principal "u"/);
  const same = mistake(`version: 1\nprincipals:\n  u:\n    accessKeys:\n      - { id: AKIASAME000001, secretFile: a.secret }\n      - { id: AKIASAME000001, secretFile: b.secret }\n`, doc);
  t.is(same.field, 'principals.u.accessKeys[1].id');
});

test('access keys: a missing or unfit secret file, a bad id or a missing secretFile fails with line and field, never quoting file content', (t) => {
  const { dir, doc } = setup();
  writeFileSync(join(dir, 'short.secret'), 'tooShort');
  writeFileSync(join(dir, 'space.secret'), 'has a space inside it, too long');
  const missing = mistake(`version: 1\nprincipals:\n  u:\n    accessKeys:\n      - id: AKIAMISSING001\n        secretFile: nope.secret\n`, doc);
  t.is(missing.line, 6);
  t.is(missing.field, 'principals.u.accessKeys[0].secretFile');
  t.regex(missing.detail, /cannot read the secret file .*nope\.secret \(ENOENT\)/);
  for (const f of ['short.secret', 'space.secret']) {
    const e = mistake(`version: 1\nprincipals:\n  u:\n    accessKeys:\n      - id: AKIAUNFIT00001\n        secretFile: ${f}\n`, doc);
    t.is(e.field, 'principals.u.accessKeys[0].secretFile', f);
    t.regex(e.detail, /must be 16 to 1024 visible ASCII characters/, f);
    t.false(e.message.includes('tooShort') || e.message.includes('has a space'), `${f}: content not quoted`);
  }
  t.is(mistake(`version: 1\nprincipals:\n  u:\n    accessKeys: [{ id: "AKIA/SLASH", secretFile: a.secret }]\n`, doc).field, 'principals.u.accessKeys[0].id');
  const noFile = mistake(`version: 1\nprincipals:\n  u:\n    accessKeys: [{ id: AKIANOFILE0001 }]\n`, doc);
  t.is(noFile.field, 'principals.u.accessKeys[0].secretFile');
  t.is(noFile.detail, 'missing required field');
});

test.serial('access keys: a reload brings new keys and drops removed ones; a rotated secret file under an unchanged document takes effect on reload', async (t) => {
  const { dir, doc } = setup();
  writeFileSync(doc, 'version: 1\nprincipals:\n  u:\n    accessKeys: [{ id: AKIAFIRST00001, secretFile: a.secret }]\n');
  const source = PolicySource.openSync(doc, 'file', silent);
  t.teardown(() => source.close());
  const keys = new PolicyAccessKeys(source);
  t.is(keys.lookup('AKIAFIRST00001')?.secret.bytes().toString(), SECRET_A);
  writeFileSync(join(dir, 'a.secret'), SECRET_B);
  t.true(await source.reload());
  t.is(keys.lookup('AKIAFIRST00001')?.secret.bytes().toString(), SECRET_B, 'the rotated secret is in force');
  writeFileSync(doc, 'version: 1\nprincipals:\n  v:\n    accessKeys: [{ id: AKIASECOND0001, secretFile: b.secret }]\n');
  t.true(await source.reload());
  t.is(keys.lookup('AKIAFIRST00001'), undefined, 'the removed key is gone');
  t.is(keys.lookup('AKIASECOND0001')?.principal, 'v');
  // a secret file that disappears keeps the document (and its keys) in force
  writeFileSync(doc, 'version: 1\nprincipals:\n  v:\n    accessKeys: [{ id: AKIATHIRD00001, secretFile: gone.secret }]\n');
  t.false(await source.reload());
  t.is(keys.lookup('AKIASECOND0001')?.principal, 'v');
});
