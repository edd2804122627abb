/**
 * The S3 XML of Put/GetBucketEncryption (S3 API reference, ServerSideEncryptionConfiguration, as the
 * SDK's ServerSideEncryptionRule$ serialises it): every configuration round-trips through the
 * document GetBucketEncryption answers and PutBucketEncryption parses; each error has S3's code
 * (MalformedXML for what the schema refuses, InvalidArgument for a key id with AES256 or no key id,
 * NotImplemented for aws:kms:dsse).
 */
import test from 'ava';
import { bucketEncryptionXml, parseBucketEncryption } from '../../src/adapters/s3/bucket-encryption-xml.js';
import type { BucketEncryption } from '../../src/engine/facade/bucket-encryption.js';
import { isSealError, type SealErrorCode } from '../../src/errors.js';

const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const doc = (rule: string, rules = `<Rule>${rule}</Rule>`): Buffer => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><ServerSideEncryptionConfiguration ${NS}>${rules}</ServerSideEncryptionConfiguration>`);
const byDefault = (inner: string): string => `<ApplyServerSideEncryptionByDefault>${inner}</ApplyServerSideEncryptionByDefault>`;

const CONFIGURATIONS: BucketEncryption[] = [
  { algorithm: 'AES256', bucketKeyEnabled: false, blockedEncryptionTypes: [] },
  { algorithm: 'AES256', bucketKeyEnabled: true, blockedEncryptionTypes: ['SSE-C'] },
  { algorithm: 'aws:kms', bucketKeyEnabled: false, blockedEncryptionTypes: [] },
  { algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', bucketKeyEnabled: true, blockedEncryptionTypes: ['SSE-C'] },
  { algorithm: 'aws:kms', kmsKeyId: 'alias/a&b<c>', bucketKeyEnabled: false, blockedEncryptionTypes: [] },
];

test('every configuration round-trips: GetBucketEncryption document → PutBucketEncryption parser', (t) => {
  for (const c of CONFIGURATIONS) t.deepEqual(parseBucketEncryption(bucketEncryptionXml(c)), c, JSON.stringify(c));
});

test('the GET document has the schema element order, the S3 namespace, and names blocked types only when there are some', (t) => {
  const xml = bucketEncryptionXml(CONFIGURATIONS[3]!).toString('utf8');
  t.is(
    xml,
    `<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionConfiguration ${NS}><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>${CONFIGURATIONS[3]!.kmsKeyId!}</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled><BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`,
  );
  t.false(bucketEncryptionXml(CONFIGURATIONS[0]!).toString().includes('BlockedEncryptionTypes'));
  t.true(bucketEncryptionXml(CONFIGURATIONS[4]!).toString().includes('alias/a&amp;b&lt;c&gt;'), 'text escaped');
});

test('PutBucketEncryption defaults: no BucketKeyEnabled is false, no BlockedEncryptionTypes (or NONE) blocks nothing, SSE-C named twice is SSE-C', (t) => {
  t.deepEqual(parseBucketEncryption(doc(byDefault('<SSEAlgorithm>AES256</SSEAlgorithm>'))), CONFIGURATIONS[0]);
  t.deepEqual(parseBucketEncryption(doc(`${byDefault('<SSEAlgorithm>AES256</SSEAlgorithm>')}<BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes>`)).blockedEncryptionTypes, []);
  t.deepEqual(parseBucketEncryption(doc(`${byDefault('<SSEAlgorithm>AES256</SSEAlgorithm>')}<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>`)).blockedEncryptionTypes, ['SSE-C']);
});

const ERRORS: [string, Buffer, SealErrorCode][] = [
  ['not XML', Buffer.from('<ServerSideEncryptionConfiguration><Rule>'), 'MalformedXML'],
  ['empty body', Buffer.alloc(0), 'MalformedXML'],
  ['another root', Buffer.from(`<ObjectEncryption ${NS}/>`), 'MalformedXML'],
  ['a DTD', Buffer.from(`<!DOCTYPE x [<!ENTITY a "b">]><ServerSideEncryptionConfiguration/>`), 'MalformedXML'],
  ['no Rule', doc('', ''), 'MalformedXML'],
  ['two Rules', doc('', `<Rule>${byDefault('<SSEAlgorithm>AES256</SSEAlgorithm>')}</Rule><Rule>${byDefault('<SSEAlgorithm>AES256</SSEAlgorithm>')}</Rule>`), 'MalformedXML'],
  ['no ApplyServerSideEncryptionByDefault', doc('<BucketKeyEnabled>true</BucketKeyEnabled>'), 'MalformedXML'],
  ['no SSEAlgorithm', doc(byDefault('')), 'MalformedXML'],
  ['an unknown SSEAlgorithm', doc(byDefault('<SSEAlgorithm>SSE-KMS</SSEAlgorithm>')), 'MalformedXML'],
  ['two SSEAlgorithms', doc(byDefault('<SSEAlgorithm>AES256</SSEAlgorithm><SSEAlgorithm>aws:kms</SSEAlgorithm>')), 'MalformedXML'],
  ['an unknown element', doc(`${byDefault('<SSEAlgorithm>AES256</SSEAlgorithm>')}<Priority>1</Priority>`), 'MalformedXML'],
  ['BucketKeyEnabled not a boolean', doc(`${byDefault('<SSEAlgorithm>AES256</SSEAlgorithm>')}<BucketKeyEnabled>yes</BucketKeyEnabled>`), 'MalformedXML'],
  ['an unknown EncryptionType', doc(`${byDefault('<SSEAlgorithm>AES256</SSEAlgorithm>')}<BlockedEncryptionTypes><EncryptionType>SSE-KMS</EncryptionType></BlockedEncryptionTypes>`), 'MalformedXML'],
  ['NONE with SSE-C', doc(`${byDefault('<SSEAlgorithm>AES256</SSEAlgorithm>')}<BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>`), 'InvalidArgument'],
  ['KMSMasterKeyID with AES256', doc(byDefault('<SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>alias/x</KMSMasterKeyID>')), 'InvalidArgument'],
  ['an empty KMSMasterKeyID', doc(byDefault('<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID> </KMSMasterKeyID>')), 'InvalidArgument'],
  ['a KMSMasterKeyID over 2048 characters', doc(byDefault(`<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/${'k'.repeat(2043)}</KMSMasterKeyID>`)), 'InvalidArgument'],
  ['aws:kms:dsse', doc(byDefault('<SSEAlgorithm>aws:kms:dsse</SSEAlgorithm>')), 'NotImplemented'],
];

for (const [name, body, code] of ERRORS) {
  test(`PutBucketEncryption document: ${name} is ${code}`, (t) => {
    const err = t.throws(() => parseBucketEncryption(body));
    t.true(isSealError(err, code), `${String(err)}`);
  });
}
