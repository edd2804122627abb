import test from 'ava';
import { formatKeyRef, parseKeyRef } from '../../src/keystores/key-ref.js';
import { SealError } from '../../src/errors.js';

test('keyRefs name a keystore and a keystore-local key', (t) => {
  t.deepEqual(parseKeyRef('arn:aws:kms:us-east-1:111122223333:key/abc'), { keystore: 'awskms', name: 'arn:aws:kms:us-east-1:111122223333:key/abc' });
  t.deepEqual(parseKeyRef('alias/payments'), { keystore: 'awskms', name: 'alias/payments' });
  t.deepEqual(parseKeyRef('vault:transit/payments'), { keystore: 'vault', name: 'transit/payments' });
  t.deepEqual(parseKeyRef('vault:teams/a/transit/k1'), { keystore: 'vault', name: 'teams/a/transit/k1' });
  t.deepEqual(parseKeyRef('file:s3-default'), { keystore: 'file', name: 's3-default' });
});

test('a bare name goes to the default KMS keystore', (t) => {
  t.deepEqual(parseKeyRef('1234abcd-12ab'), { keystore: 'awskms', name: '1234abcd-12ab' });
  t.deepEqual(parseKeyRef('payments', 'vault'), { keystore: 'vault', name: 'payments' });
});

test('malformed keyRefs are InvalidArgument', (t) => {
  for (const bad of ['', 'vault:', 'vault:nomount', 'vault:/x', 'file:', 'gcp:projects/x', 'x'.repeat(513)]) {
    const err = t.throws(() => parseKeyRef(bad), { instanceOf: SealError }, bad);
    t.is(err?.code, 'InvalidArgument');
  }
});

test('formatKeyRef inverts parseKeyRef', (t) => {
  for (const r of ['arn:aws:kms:us-east-1:111122223333:key/abc', 'vault:transit/k', 'file:k']) t.is(formatKeyRef(parseKeyRef(r)), r);
});
