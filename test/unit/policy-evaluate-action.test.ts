import test from 'ava';
import { evaluateAction } from '../../src/policies/evaluate-action.js';
import { IAM_ACTION_FOR, iamActionFor, type PolicyAction } from '../../src/policies/iam-action-for.js';
import { actionResource } from '../../src/policies/action-resource.js';
import { parsePolicyDocument } from '../../src/policies/load-policy-document.js';
import type { PolicyDocument } from '../../src/policies/policy-document.js';

const doc = (statements: string): PolicyDocument =>
  parsePolicyDocument(`version: 1\nprincipals: { uploader: {}, auditor: {}, admin: {} }\nstatements:\n${statements}`, 'policy.yaml', 'awskms');

const NONE = {};

test('an Allow statement allows its principal, action and resource; everything else is denied by default', (t) => {
  const d = doc(`  - effect: Allow
    principals: [uploader]
    actions: [s3:PutObject]
    resources: ["invoices/*"]
`);
  t.deepEqual(evaluateAction(d, 'uploader', 'PutObject', 'invoices', '2026/01.pdf', NONE), { allowed: true, reason: 'statements[0] allows s3:PutObject on invoices/2026/01.pdf' });
  // every step of a multipart upload is s3:PutObject, as on AWS
  for (const a of ['CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload'] as const) t.true(evaluateAction(d, 'uploader', a, 'invoices', 'k', NONE).allowed, a);
  t.deepEqual(evaluateAction(d, 'uploader', 'GetObject', 'invoices', 'k', NONE), { allowed: false, reason: 'no Allow statement matches s3:GetObject on invoices/k for "uploader"' });
  t.false(evaluateAction(d, 'auditor', 'PutObject', 'invoices', 'k', NONE).allowed, 'another principal');
  t.false(evaluateAction(d, 'uploader', 'PutObject', 'other', 'k', NONE).allowed, 'another bucket');
  t.false(evaluateAction(d, 'uploader', 'ListBucket', 'invoices', '', NONE).allowed, 'invoices/* does not cover the bucket itself');
  t.deepEqual(evaluateAction(d, 'nobody', 'PutObject', 'invoices', 'k', NONE), { allowed: false, reason: 'principal "nobody" is not declared in the policy document' });
});

test('an explicit Deny beats any Allow, wherever it stands', (t) => {
  const d = doc(`  - effect: Allow
    principals: "*"
    actions: "s3:*"
    resources: "*"
  - sid: NoDeletes
    effect: Deny
    principals: [uploader]
    actions: [s3:DeleteObject]
    resources: ["invoices/*"]
`);
  t.deepEqual(evaluateAction(d, 'uploader', 'DeleteObject', 'invoices', 'k', NONE), { allowed: false, reason: 'statements[1] (NoDeletes) denies s3:DeleteObject on invoices/k' });
  t.true(evaluateAction(d, 'auditor', 'DeleteObject', 'invoices', 'k', NONE).allowed);
  t.true(evaluateAction(d, 'uploader', 'DeleteObject', 'archive', 'k', NONE).allowed);
});

test('principal "*" is every declared principal, not any name', (t) => {
  const d = doc(`  - effect: Allow\n    principals: "*"\n    actions: s3:GetObject\n    resources: "*"\n`);
  for (const p of ['uploader', 'auditor', 'admin']) t.true(evaluateAction(d, p, 'GetObject', 'b', 'k', NONE).allowed, p);
  t.false(evaluateAction(d, 'Uploader', 'GetObject', 'b', 'k', NONE).allowed, 'principal names are exact');
});

test('action wildcards: s3:*, s3:Get*, ?, and IAM names compare case-insensitively', (t) => {
  const d = doc(`  - effect: Allow
    principals: [auditor]
    actions: ["s3:Get*", "s3:List?ucket"]
    resources: "*"
  - effect: Allow
    principals: [admin]
    actions: "s3:*"
    resources: "*"
  - effect: Allow
    principals: [uploader]
    actions: s3:putobject
    resources: "*"
`);
  for (const a of ['GetObject', 'HeadObject', 'GetObjectAttributes', 'GetBucketLocation', 'GetBucketEncryption', 'ListBucket', 'HeadBucket'] as const) {
    t.true(evaluateAction(d, 'auditor', a, 'b', 'k', NONE).allowed, a);
  }
  for (const a of ['PutObject', 'ListBuckets', 'ListParts', 'PutBucketEncryption'] as const) t.false(evaluateAction(d, 'auditor', a, 'b', 'k', NONE).allowed, a);
  for (const a of Object.keys(IAM_ACTION_FOR) as PolicyAction[]) t.true(evaluateAction(d, 'admin', a, 'b', 'k', NONE).allowed, a);
  t.true(evaluateAction(d, 'uploader', 'PutObject', 'b', 'k', NONE).allowed);
});

test('resource wildcards: * spans slashes, ? is one character, ARN forms, bucket vs object', (t) => {
  const d = doc(`  - effect: Allow
    principals: [auditor]
    actions: "s3:*"
    resources: ["invoices/20??/*.pdf", "arn:aws:s3:::reports", "logs*"]
`);
  const get = (b: string, k: string) => evaluateAction(d, 'auditor', 'GetObject', b, k, NONE).allowed;
  t.true(get('invoices', '2026/01/a.pdf'));
  t.false(get('invoices', '202/01/a.pdf'), '? is exactly one character');
  t.false(get('invoices', '2026/01/a.txt'));
  t.false(get('reports', 'x'), 'the bucket resource is not its objects');
  t.true(evaluateAction(d, 'auditor', 'ListBucket', 'reports', '', NONE).allowed);
  t.true(evaluateAction(d, 'auditor', 'DeleteBucket', 'reports', '', NONE).allowed);
  t.true(get('logs', 'a/b'), 'logs* covers the bucket logs and its objects');
  t.true(get('logs-2026', 'a'));
  t.true(evaluateAction(d, 'auditor', 'HeadBucket', 'logs', '', NONE).allowed);
  t.false(evaluateAction(d, 'auditor', 'ListBuckets', '', '', NONE).allowed, 'ListBuckets needs resource "*"');
});

test('ListBuckets is s3:ListAllMyBuckets on resource "*"', (t) => {
  const d = doc(`  - effect: Allow\n    principals: [admin]\n    actions: s3:ListAllMyBuckets\n    resources: "arn:aws:s3:::*"\n`);
  t.deepEqual(evaluateAction(d, 'admin', 'ListBuckets', '', '', NONE), { allowed: true, reason: 'statements[0] allows s3:ListAllMyBuckets on *' });
  t.is(actionResource('ListBuckets', 'b', 'k'), '*');
});

test('the action map is Amazon S3\'s', (t) => {
  t.is(iamActionFor('HeadObject'), 's3:GetObject');
  t.is(iamActionFor('HeadBucket'), 's3:ListBucket');
  t.is(iamActionFor('ListParts'), 's3:ListMultipartUploadParts');
  t.is(iamActionFor('ListBuckets'), 's3:ListAllMyBuckets');
  t.is(iamActionFor('PutBucketEncryption'), 's3:PutEncryptionConfiguration');
  t.is(iamActionFor('DeleteBucketEncryption'), 's3:PutEncryptionConfiguration');
  t.is(iamActionFor('GetBucketEncryption'), 's3:GetEncryptionConfiguration');
  t.is(iamActionFor('AbortMultipartUpload'), 's3:AbortMultipartUpload');
  t.is(actionResource('PutBucketEncryption', 'b', ''), 'b');
  t.is(actionResource('ListBucket', 'b', 'prefix/'), 'b');
  t.is(actionResource('UploadPart', 'b', 'k'), 'b/k');
});

test('Null: deny uploads without an SSE header ("true") or require one ("false")', (t) => {
  const d = doc(`  - effect: Allow
    principals: "*"
    actions: s3:PutObject
    resources: "*"
  - effect: Deny
    principals: [uploader]
    actions: s3:PutObject
    resources: "*"
    condition:
      Null: { "s3:x-amz-server-side-encryption": "true" }
  - effect: Deny
    principals: [auditor]
    actions: s3:PutObject
    resources: "*"
    condition:
      Null: { "s3:x-amz-server-side-encryption-customer-algorithm": false }
`);
  t.false(evaluateAction(d, 'uploader', 'PutObject', 'b', 'k', {}).allowed, 'no header');
  t.true(evaluateAction(d, 'uploader', 'PutObject', 'b', 'k', { sse: 'AES256' }).allowed);
  t.true(evaluateAction(d, 'auditor', 'PutObject', 'b', 'k', {}).allowed);
  t.false(evaluateAction(d, 'auditor', 'PutObject', 'b', 'k', { customerAlgorithm: 'AES256' }).allowed, 'SSE-C present');
});

test('StringEquals and StringNotEquals, with lists; a missing key fails StringEquals and passes StringNotEquals (IAM)', (t) => {
  const d = doc(`  - effect: Allow
    principals: [uploader]
    actions: s3:PutObject
    resources: "*"
    condition:
      StringEquals:
        s3:x-amz-server-side-encryption: aws:kms
        s3:x-amz-server-side-encryption-aws-kms-key-id: [alias/invoices, "arn:aws:kms:us-east-1:111122223333:alias/invoices"]
  - effect: Allow
    principals: [auditor]
    actions: s3:PutObject
    resources: "*"
  - effect: Deny
    principals: [auditor]
    actions: s3:PutObject
    resources: "*"
    condition:
      StringNotEquals: { "s3:x-amz-server-side-encryption": [AES256, "aws:kms"] }
`);
  const up = (c: object) => evaluateAction(d, 'uploader', 'PutObject', 'b', 'k', c).allowed;
  t.true(up({ sse: 'aws:kms', kmsKeyId: 'alias/invoices' }));
  t.true(up({ sse: 'aws:kms', kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:alias/invoices' }), 'any value of the list');
  t.false(up({ sse: 'aws:kms', kmsKeyId: 'alias/other' }));
  t.false(up({ sse: 'aws:kms' }), 'a missing key never equals');
  t.false(up({ sse: 'AES256', kmsKeyId: 'alias/invoices' }), 'every key of the operator must hold');
  const au = (c: object) => evaluateAction(d, 'auditor', 'PutObject', 'b', 'k', c);
  t.true(au({ sse: 'AES256' }).allowed);
  t.true(au({ sse: 'aws:kms' }).allowed);
  t.deepEqual(au({}), { allowed: false, reason: 'statements[2] denies s3:PutObject on b/k' }, 'a missing key is "not equal"');
});
