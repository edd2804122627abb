import test from 'ava';
import { parsePolicyDocument } from '../../src/policies/load-policy-document.js';
import { PolicyDocumentError } from '../../src/policies/policy-document-error.js';
import { S3SealError } from '../../src/errors.js';

const HEAD = `version: 1
principals:
  uploader: {}
  auditor:
`;

/** the one message a bad document fails with */
function mistake(text: string, source = 'policy.yaml'): PolicyDocumentError {
  try {
    parsePolicyDocument(text, source, 'awskms');
  } catch (err) {
    if (err instanceof PolicyDocumentError) return err;
    throw err;
  }
  throw new Error('the document was accepted');
}

test('the issue 8 example document loads and normalizes', (t) => {
  const doc = parsePolicyDocument(
    `${HEAD}statements:
  - sid: UploaderWrites
    effect: Allow
    principals: [uploader]
    actions: [s3:PutObject, "s3:Get*"]
    resources: ["invoices/*", "arn:aws:s3:::invoices"]
    condition:
      Null: { "s3:x-amz-server-side-encryption": "true" }
      StringNotEquals: { "S3:X-Amz-Server-Side-Encryption": [AES256, "aws:kms"] }
keys:
  - principals: uploader
    key: alias/invoices
    permissions: [encrypt]
    context: { dept: [payroll, hr] }
floors:
  - bucket: invoices
    requireAlgorithm: aws:kms
    requireKey: alias/invoices
    blockedEncryptionTypes: [SSE-C]
`,
    'policy.yaml',
    'awskms',
  );
  t.deepEqual([...doc.principals.keys()], ['uploader', 'auditor']);
  const s = doc.statements[0]!;
  t.is(s.sid, 'UploaderWrites');
  t.deepEqual(s.resources, ['invoices/*', 'invoices'], 'the ARN prefix is stripped');
  t.deepEqual(s.conditions, [
    { operator: 'StringNotEquals', key: 's3:x-amz-server-side-encryption', values: ['AES256', 'aws:kms'] },
    { operator: 'Null', key: 's3:x-amz-server-side-encryption', isNull: true },
  ], 'condition keys are compared in lower case');
  const g = doc.keyGrants[0]!;
  t.deepEqual(g.principals, { all: false, names: new Set(['uploader']) }, 'a single name is a list of one');
  t.deepEqual([...g.context], [['dept', ['payroll', 'hr']]]);
  t.deepEqual(doc.floors, [{ bucket: 'invoices', prefix: '', requireAlgorithm: 'aws:kms', requireKey: 'alias/invoices', blockedEncryptionTypes: ['SSE-C'] }]);
});

test('an unknown action names the line and the field path', (t) => {
  const e = mistake(`${HEAD}statements:
  - effect: Allow
    principals: [uploader]
    actions: [s3:PutObject]
    resources: ["invoices/*"]
  - effect: Allow
    principals: [auditor]
    actions: [s3:GetObjects]
    resources: ["invoices/*"]
`);
  t.is(e.message, 'policy.yaml:12: statements[1].actions[0]: unknown action "s3:GetObjects"');
  t.is(e.code, 'InvalidPolicyDocument');
  t.true(e instanceof S3SealError);
  t.false(e.retryable);
  t.is(e.line, 12);
  t.is(e.field, 'statements[1].actions[0]');
});

test('a wildcard action that matches no supported action is refused; one that does is accepted', (t) => {
  const doc = (a: string) => `${HEAD}statements:
  - effect: Allow
    principals: "*"
    actions: "${a}"
    resources: "*"
`;
  t.is(mistake(doc('s3:Gte*')).message, 'policy.yaml:8: statements[0].actions[0]: action pattern "s3:Gte*" matches no supported action');
  for (const ok of ['*', 's3:*', 's3:Get*', 's3:?utObject', 's3:getobject']) t.notThrows(() => parsePolicyDocument(doc(ok), 'p', 'awskms'), ok);
});

test('an unknown field is refused at its own line', (t) => {
  const e = mistake(`${HEAD}statements:
  - effect: Allow
    principals: [uploader]
    actions: [s3:PutObject]
    resource: ["invoices/*"]
`);
  // the first mistake in the file: the misspelt field (line 9) comes before the then-missing `resources`
  t.is(e.message, 'policy.yaml:9: statements[0].resource: unknown field "resource"');
  t.is(mistake(`${HEAD}  x: { accesKeys: [] }\n`).message, 'policy.yaml:5: principals.x.accesKeys: unknown field "accesKeys"');
  t.is(mistake(`${HEAD}polices: []\n`).message, 'policy.yaml:5: polices: unknown field "polices"');
});

test('an unknown condition operator or key is refused', (t) => {
  const cond = (c: string) => `${HEAD}statements:
  - effect: Deny
    principals: "*"
    actions: s3:PutObject
    resources: "*"
    condition:
${c}`;
  t.is(
    mistake(cond('      StringLike: { "s3:x-amz-server-side-encryption": AES256 }\n')).message,
    'policy.yaml:11: statements[0].condition.StringLike: unknown condition operator "StringLike" (StringEquals, StringNotEquals, Null)',
  );
  t.is(
    mistake(cond('      StringEquals:\n        s3:x-amz-acl: private\n')).message,
    'policy.yaml:12: statements[0].condition.StringEquals["s3:x-amz-acl"]: unknown condition key "s3:x-amz-acl"',
  );
  t.is(
    mistake(cond('      Null: { "s3:x-amz-server-side-encryption": maybe }\n')).message,
    'policy.yaml:11: statements[0].condition.Null["s3:x-amz-server-side-encryption"]: expected true or false',
  );
});

test('a statement or a grant naming an undeclared principal is refused', (t) => {
  t.is(
    mistake(`${HEAD}statements:
  - effect: Allow
    principals: [uploader, uplaoder]
    actions: s3:PutObject
    resources: "*"
`).message,
    'policy.yaml:7: statements[0].principals[1]: principal "uplaoder" is not declared under principals',
  );
  t.is(
    mistake(`${HEAD}keys:
  - principals: [payroll]
    key: alias/payroll
    permissions: decrypt
`).message,
    'policy.yaml:6: keys[0].principals[0]: principal "payroll" is not declared under principals',
  );
  t.is(mistake(`version: 1\nprincipals:\n  "*": {}\n`).message, 'policy.yaml:3: principals["*"]: "*" means every principal and cannot be declared');
});

test('a bad keyRef is refused, with keyRef rules of the default keystore', (t) => {
  const grant = (k: string) => `${HEAD}keys:
  - principals: [auditor]
    key: "${k}"
    permissions: [decrypt]
`;
  t.is(mistake(grant('gcp:projects/x')).message, 'policy.yaml:7: keys[0].key: bad keyRef: unknown key id scheme in "gcp:projects/x"');
  t.regex(mistake(grant('vault:nomount')).message, /^policy\.yaml:7: keys\[0\]\.key: bad keyRef: vault key id must be vault:<mount>\/<name>/);
  for (const ok of ['*', 'alias/invoices', 'arn:aws:kms:us-east-1:111122223333:key/abc', 'vault:transit/payroll', 'file:k', 'bare-name']) {
    t.notThrows(() => parsePolicyDocument(grant(ok), 'p', 'vault'), ok);
  }
  t.is(
    mistake(`${HEAD}floors:\n  - bucket: b\n    requireAlgorithm: aws:kms\n    requireKey: "file:"\n`).message,
    'policy.yaml:8: floors[0].requireKey: bad keyRef: file key id must be file:<name>',
  );
});

test('a grant cannot require the derived aws:s3:arn context entry', (t) => {
  t.is(
    mistake(`${HEAD}keys:
  - principals: [auditor]
    key: alias/x
    permissions: [decrypt]
    context:
      aws:s3:arn: "arn:aws:s3:::b/k"
`).message,
    'policy.yaml:10: keys[0].context["aws:s3:arn"]: "aws:s3:arn" is derived by s3seal, not a context entry a grant can require',
  );
});

test('floors: requireKey needs aws:kms, and a floor must require something', (t) => {
  t.is(
    mistake(`${HEAD}floors:\n  - bucket: invoices\n    requireAlgorithm: AES256\n    requireKey: alias/invoices\n`).message,
    'policy.yaml:8: floors[0].requireKey: requireKey needs requireAlgorithm: aws:kms',
  );
  t.is(mistake(`${HEAD}floors:\n  - bucket: invoices\n    requireKey: alias/invoices\n`).message, 'policy.yaml:7: floors[0].requireKey: requireKey needs requireAlgorithm: aws:kms');
  t.is(mistake(`${HEAD}floors:\n  - bucket: invoices\n    prefix: tmp/\n`).message, 'policy.yaml:6: floors[0]: a floor must require an algorithm or block an encryption type');
  t.is(
    mistake(`${HEAD}floors:\n  - bucket: invoices\n    blockedEncryptionTypes: [SSE-S3]\n`).message,
    'policy.yaml:7: floors[0].blockedEncryptionTypes[0]: expected SSE-C, got "SSE-S3"',
  );
});

test('a duplicate key is refused, in YAML and in JSON', (t) => {
  t.is(mistake(`${HEAD}  uploader: {}\n`).message, 'policy.yaml:5: principals.uploader: duplicate key "uploader"');
  t.is(mistake(`${HEAD}statements: []\nfloors: []\nstatements: []\n`).message, 'policy.yaml:7: statements: duplicate key "statements"');
  t.is(mistake(`{"version": 1,\n "principals": {"a": {}},\n "principals": {"b": {}}}`, 'policy.json').message, 'policy.json:3: principals: duplicate key "principals"');
});

test('JSON documents load and fail with lines and fields too', (t) => {
  const json = (effect: string) => `{
  "version": 1,
  "principals": {"uploader": {}},
  "statements": [
    {"effect": "Allow", "principals": ["uploader"], "actions": ["s3:PutObject"], "resources": ["arn:aws:s3:::invoices/*"]},
    {"effect": "${effect}",
     "principals": ["uploader"], "actions": ["s3:ListBucket"], "resources": ["invoices"]}
  ]
}`;
  const doc = parsePolicyDocument(json('Allow'), 'policy.json', 'awskms');
  t.deepEqual(doc.statements.map((s) => s.resources), [['invoices/*'], ['invoices']]);
  t.is(mistake(json('Alow'), 'policy.json').message, 'policy.json:6: statements[1].effect: expected Allow | Deny, got "Alow"');
});

test('structural mistakes: version, missing fields, wrong types, empty file, YAML syntax', (t) => {
  t.is(mistake('version: 2\nprincipals: {}\n').message, 'policy.yaml:1: version: expected 1 (the only policy document version)');
  t.is(mistake('principals: {}\n').message, 'policy.yaml:1: version: expected 1 (the only policy document version)');
  t.is(mistake('version: 1\nstatements: []\n').message, 'policy.yaml:1: principals: missing required field');
  t.is(mistake(`${HEAD}statements:\n  - effect: Allow\n    principals: [uploader]\n    resources: "*"\n`).message, 'policy.yaml:6: statements[0].actions: missing required field');
  t.is(mistake(`${HEAD}statements: {}\n`).message, 'policy.yaml:5: statements: expected a list');
  t.is(mistake(`${HEAD}keys:\n  - principals: [uploader]\n    key: k\n    permissions: [encrypt, sign]\n`).message, 'policy.yaml:8: keys[0].permissions[1]: expected encrypt | decrypt | rewrap | admin, got "sign"');
  t.is(mistake(`${HEAD}statements:\n  - effect: Allow\n    principals: []\n    actions: "*"\n    resources: "*"\n`).message, 'policy.yaml:7: statements[0].principals: must not be an empty list');
  t.is(mistake('').message, 'policy.yaml:1: expected a mapping with version, principals, statements, keys and floors');
  t.is(mistake('version: 1\nprincipals: { a: {}\n').line, 3);
  t.is(mistake(`${HEAD}statements:\n  - effect: Allow\n    principals: [uploader]\n    actions: "*"\n    resources: ["arn:aws:iam::1:role/x"]\n`).message, 'policy.yaml:9: statements[0].resources[0]: resource "arn:aws:iam::1:role/x" is not an S3 ARN (arn:aws:s3:::bucket/key)');
});
