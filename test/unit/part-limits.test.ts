import test from 'ava';
import { randomBytes } from 'node:crypto';
import { MAX_PART_PLAINTEXT, partCiphertextSize } from '../../src/engine/size-math.js';
import { PartEncryptStream } from '../../src/engine/part-encrypt-stream.js';
import { S3_MAX_PART_SIZE } from '../../src/crypto/constants.js';
import { SealError } from '../../src/errors.js';

test('the largest plaintext part fills S3\'s 5 GiB part limit exactly once encrypted (FORMAT.md §7.4)', (t) => {
  t.is(MAX_PART_PLAINTEXT, 5_367_398_640);
  t.true(partCiphertextSize(MAX_PART_PLAINTEXT) <= S3_MAX_PART_SIZE);
  t.true(partCiphertextSize(MAX_PART_PLAINTEXT + 1) > S3_MAX_PART_SIZE);
});

test('a part over the limit is EntityTooLarge before anything is encrypted; bad part numbers are InvalidArgument', (t) => {
  const dek = randomBytes(32);
  const u = randomBytes(16);
  t.is(t.throws(() => new PartEncryptStream(dek, u, 1, MAX_PART_PLAINTEXT + 1), { instanceOf: SealError })?.code, 'EntityTooLarge');
  for (const n of [0, 10001, 1.5]) t.is(t.throws(() => new PartEncryptStream(dek, u, n, 10), { instanceOf: SealError })?.code, 'InvalidArgument');
});
