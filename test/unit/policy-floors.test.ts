import test from 'ava';
import { bucketFloors, floorsFor } from '../../src/policies/floors.js';
import { parsePolicyDocument } from '../../src/policies/load-policy-document.js';

const doc = parsePolicyDocument(
  `version: 1
principals: {}
floors:
  - bucket: invoices
    requireAlgorithm: aws:kms
    requireKey: alias/invoices
  - bucket: invoices
    prefix: scans/
    blockedEncryptionTypes: [SSE-C, SSE-C]
  - bucket: reports
    prefix: ""
    requireAlgorithm: AES256
`,
  'policy.yaml',
  'awskms',
);

test('floorsFor: every floor of the bucket whose prefix the key starts with', (t) => {
  t.deepEqual(floorsFor(doc, 'invoices', 'scans/1.tif').map((f) => f.prefix), ['', 'scans/']);
  t.deepEqual(floorsFor(doc, 'invoices', 'scans/1.tif')[1]!.blockedEncryptionTypes, ['SSE-C'], 'duplicates are folded');
  t.deepEqual(floorsFor(doc, 'invoices', 'scan').map((f) => f.prefix), [''], 'a prefix is a string prefix, not a folder match');
  t.deepEqual(floorsFor(doc, 'invoices', ''), [{ bucket: 'invoices', prefix: '', requireAlgorithm: 'aws:kms', requireKey: 'alias/invoices', blockedEncryptionTypes: [] }]);
  t.deepEqual(floorsFor(doc, 'Invoices', 'scans/1'), [], 'bucket names are exact');
  t.deepEqual(floorsFor(doc, 'other', 'k'), []);
});

test('bucketFloors: only the floors that cover the whole bucket', (t) => {
  t.deepEqual(bucketFloors(doc, 'invoices').map((f) => f.requireKey), ['alias/invoices']);
  t.deepEqual(bucketFloors(doc, 'reports').map((f) => f.requireAlgorithm), ['AES256']);
  t.deepEqual(bucketFloors(doc, 'other'), []);
});
