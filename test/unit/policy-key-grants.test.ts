import test from 'ava';
import { KeyGrants, type ResolveKeyId } from '../../src/policies/key-grants.js';
import { parsePolicyDocument } from '../../src/policies/load-policy-document.js';
import type { PolicyDocument } from '../../src/policies/policy-document.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';

const INVOICES = 'arn:aws:kms:us-east-1:111111111111:key/invoices-1';
const PAYROLL = 'arn:aws:kms:us-east-1:111111111111:key/payroll-1';
const OTHER = 'arn:aws:kms:us-east-1:111111111111:key/other-1';

const doc = (keys: string): PolicyDocument =>
  parsePolicyDocument(`version: 1\nprincipals: { uploader: {}, auditor: {}, payroll: {}, ops: {} }\nkeys:\n${keys}`, 'policy.yaml', 'awskms');

/** a registry's resolveId over a fixed alias table, counting calls; `outage` refs fail retryably, unknown refs are gone */
function fakeResolve(table: Record<string, string>, opts: { fresh?: Record<string, string>; outage?: string[] } = {}) {
  const calls: { ref: string; fresh: boolean }[] = [];
  const resolve: ResolveKeyId = async (ref, fresh) => {
    calls.push({ ref, fresh });
    if (opts.outage?.includes(ref)) throw new KeystoreError('KeyStoreUnavailable', 'keystore unreachable');
    const id = (fresh ? opts.fresh?.[ref] : undefined) ?? table[ref] ?? (ref.startsWith('arn:') ? ref : undefined);
    if (id === undefined) throw new KeystoreError('KMS.NotFoundException', `no key ${ref}`);
    return id;
  };
  return { resolve, calls };
}

const ALIASES = { 'alias/invoices': INVOICES, 'alias/payroll': PAYROLL };

test('a grant allows exactly its principals and permissions; an alias grant matches the ARN it resolves to', async (t) => {
  const d = doc(`  - principals: [uploader]
    key: alias/invoices
    permissions: [encrypt]
  - principals: [auditor]
    key: alias/invoices
    permissions: [decrypt, rewrap]
`);
  const g = new KeyGrants(d, fakeResolve(ALIASES).resolve);
  t.deepEqual(await g.check('uploader', 'encrypt', INVOICES, undefined), { allowed: true, reason: 'keys[0] gives encrypt on alias/invoices' });
  t.deepEqual(await g.check('uploader', 'decrypt', INVOICES, undefined), { allowed: false, reason: `no key grant gives "uploader" decrypt on ${INVOICES}` });
  t.true((await g.check('auditor', 'decrypt', INVOICES, undefined)).allowed);
  t.true((await g.check('auditor', 'rewrap', INVOICES, undefined)).allowed);
  t.false((await g.check('auditor', 'encrypt', INVOICES, undefined)).allowed);
  t.false((await g.check('auditor', 'admin', INVOICES, undefined)).allowed);
  t.false((await g.check('auditor', 'decrypt', OTHER, undefined)).allowed, 'another key, even one the keystore could unwrap');
  t.deepEqual(await g.check('stranger', 'decrypt', INVOICES, undefined), { allowed: false, reason: 'principal "stranger" is not declared in the policy document' });
});

test('"*" key grants every key without resolving anything; "*" principals are every declared principal', async (t) => {
  const d = doc(`  - principals: [ops]
    key: "*"
    permissions: admin
  - principals: "*"
    key: alias/invoices
    permissions: encrypt
`);
  const r = fakeResolve(ALIASES);
  const g = new KeyGrants(d, r.resolve);
  t.deepEqual(await g.check('ops', 'admin', OTHER, undefined), { allowed: true, reason: 'keys[0] gives admin on every key' });
  t.deepEqual(r.calls, []);
  for (const p of ['uploader', 'auditor', 'payroll', 'ops']) t.true((await g.check(p, 'encrypt', INVOICES, undefined)).allowed, p);
  t.false((await g.check('ops', 'decrypt', OTHER, undefined)).allowed);
});

test('context conditions: every entry must be present with one of its values', async (t) => {
  const d = doc(`  - principals: [payroll]
    key: alias/payroll
    permissions: decrypt
    context: { dept: [payroll, hr], region: eu }
`);
  const g = new KeyGrants(d, fakeResolve(ALIASES).resolve);
  t.true((await g.check('payroll', 'decrypt', PAYROLL, { dept: 'payroll', region: 'eu' })).allowed);
  t.true((await g.check('payroll', 'decrypt', PAYROLL, { dept: 'hr', region: 'eu', extra: 'x' })).allowed, 'any listed value; extra entries do not matter');
  t.deepEqual(await g.check('payroll', 'decrypt', PAYROLL, { dept: 'sales', region: 'eu' }), { allowed: false, reason: 'keys[0] context dept≠payroll|hr' });
  t.deepEqual(await g.check('payroll', 'decrypt', PAYROLL, { dept: 'payroll' }), { allowed: false, reason: 'keys[0] context needs region' });
  t.deepEqual(await g.check('payroll', 'decrypt', PAYROLL, undefined), { allowed: false, reason: 'keys[0] context needs dept' });
  t.false((await g.check('payroll', 'decrypt', PAYROLL, { dept: 'payroll', region: 'us' })).allowed);
  // a context value is only ever compared, never reported
  t.false((await g.check('payroll', 'decrypt', PAYROLL, { dept: 'secret-value', region: 'eu' })).reason.includes('secret-value'));
  const inherited = Object.create({ dept: 'payroll', region: 'eu' }) as Record<string, string>;
  t.false((await g.check('payroll', 'decrypt', PAYROLL, inherited)).allowed, 'only own entries count, not inherited properties');
});

test('another grant can allow where one grant\'s context does not match', async (t) => {
  const d = doc(`  - principals: [payroll]
    key: alias/payroll
    permissions: decrypt
    context: { dept: payroll }
  - principals: [payroll]
    key: "*"
    permissions: decrypt
    context: { dept: hr }
  - principals: [auditor]
    key: alias/payroll
    permissions: decrypt
`);
  const g = new KeyGrants(d, fakeResolve(ALIASES).resolve);
  t.true((await g.check('payroll', 'decrypt', PAYROLL, { dept: 'payroll' })).allowed);
  t.true((await g.check('payroll', 'decrypt', PAYROLL, { dept: 'hr' })).allowed);
  t.false((await g.check('payroll', 'decrypt', PAYROLL, { dept: 'it' })).allowed);
  t.true((await g.check('auditor', 'decrypt', PAYROLL, { dept: 'it' })).allowed, 'an unconditional grant');
});

test('an outage that may hide the matching grant is rethrown; a granted key that is gone matches nothing', async (t) => {
  const d = doc(`  - principals: [auditor]
    key: alias/invoices
    permissions: decrypt
  - principals: [auditor]
    key: alias/deleted
    permissions: decrypt
  - principals: [auditor]
    key: vault:transit/flaky
    permissions: decrypt
`);
  const g = new KeyGrants(d, fakeResolve(ALIASES, { outage: ['vault:transit/flaky'] }).resolve);
  t.true((await g.check('auditor', 'decrypt', INVOICES, undefined)).allowed, 'a match elsewhere needs no answer from the outage');
  const err = await t.throwsAsync(g.check('auditor', 'decrypt', OTHER, undefined), { instanceOf: KeystoreError });
  t.is(err?.code, 'KeyStoreUnavailable');
  t.true(err?.retryable);
  const gone = new KeyGrants(doc(`  - principals: [auditor]\n    key: alias/deleted\n    permissions: decrypt\n`), fakeResolve(ALIASES).resolve);
  t.deepEqual(await gone.check('auditor', 'decrypt', OTHER, undefined), { allowed: false, reason: `no key grant gives "auditor" decrypt on ${OTHER}` });
});

test('a miss re-resolves fresh (an alias re-pointed within the cache TTL), at most once per 5 s', async (t) => {
  const NEW = 'arn:aws:kms:us-east-1:111111111111:key/invoices-2';
  const d = doc(`  - principals: [auditor]\n    key: alias/invoices\n    permissions: decrypt\n`);
  const r = fakeResolve(ALIASES, { fresh: { 'alias/invoices': NEW } });
  let now = 1_000_000;
  const g = new KeyGrants(d, r.resolve, () => now);
  t.true((await g.check('auditor', 'decrypt', INVOICES, undefined)).allowed, 'the cached id');
  t.deepEqual(r.calls, [{ ref: 'alias/invoices', fresh: false }], 'a hit costs no fresh resolution');
  r.calls.length = 0;
  t.true((await g.check('auditor', 'decrypt', NEW, undefined)).allowed, 'the re-pointed alias, freshly resolved');
  t.deepEqual(r.calls, [{ ref: 'alias/invoices', fresh: false }, { ref: 'alias/invoices', fresh: true }]);
  r.calls.length = 0;
  now += 4_999;
  t.false((await g.check('auditor', 'decrypt', OTHER, undefined)).allowed);
  t.deepEqual(r.calls, [{ ref: 'alias/invoices', fresh: false }], 'within 5 s a miss is decided on cached ids');
  r.calls.length = 0;
  now += 1;
  t.false((await g.check('auditor', 'decrypt', OTHER, undefined)).allowed);
  t.deepEqual(r.calls.filter((c) => c.fresh), [{ ref: 'alias/invoices', fresh: true }], 'after 5 s one fresh pass again');
});

test('widensReaders: a target readable by someone who cannot freely read the source', async (t) => {
  const d = doc(`  - principals: [auditor]
    key: alias/invoices
    permissions: decrypt
  - principals: [auditor, payroll]
    key: alias/payroll
    permissions: decrypt
  - principals: [payroll]
    key: alias/invoices
    permissions: decrypt
    context: { dept: payroll }
  - principals: [ops]
    key: "*"
    permissions: decrypt
`);
  const g = new KeyGrants(d, fakeResolve(ALIASES).resolve);
  // payroll reads PAYROLL freely but INVOICES only under a context condition
  t.true(await g.widensReaders(INVOICES, PAYROLL));
  t.false(await g.widensReaders(PAYROLL, INVOICES), 'everyone who reads INVOICES (any condition) reads PAYROLL freely');
  t.false(await g.widensReaders(PAYROLL, PAYROLL));
  t.true(await g.widensReaders(OTHER, PAYROLL), 'auditor and payroll read PAYROLL but not OTHER');
  t.false(await g.widensReaders(PAYROLL, OTHER), 'only ops reads OTHER, and ops reads every key');
  const everyone = new KeyGrants(doc(`  - principals: "*"\n    key: "*"\n    permissions: decrypt\n`), fakeResolve(ALIASES).resolve);
  t.false(await everyone.widensReaders(INVOICES, OTHER));
  const outage = new KeyGrants(d, fakeResolve(ALIASES, { outage: ['alias/payroll'] }).resolve);
  await t.throwsAsync(outage.widensReaders(INVOICES, OTHER), { instanceOf: KeystoreError });
});
