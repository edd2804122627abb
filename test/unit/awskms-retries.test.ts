/**
 * AWS KMS retries (DESIGN.md "Retries", issue 6 items 16, 17 and 14): throttling is an outage the
 * SDK's standard retry strategy absorbs, never "misconfigured"; RotateKeyOnDemand is never repeated
 * blindly; the SDK's Plaintext buffers are zeroed. Against a loopback fake KMS endpoint (local-kms
 * cannot throttle and has no RotateKeyOnDemand) and a stubbed client.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { s3ErrorShape } from '../../src/adapters/s3/s3-error-shape.js';
import { createContainer, TOKENS } from '../../src/index.js';
import { fakeKms, kmsError, type FakeReply } from '../helpers/fake-kms-endpoint.js';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-4333-8444-555555555555';
const context = JSON.stringify({ bucket: 'b', key: 'k' });

/** a KMS client as a caller builds one by default: no retry settings at all */
function defaultClient(url: string, requestTimeout?: number): KMSClient {
  return new KMSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, ...(requestTimeout ? { requestHandler: { requestTimeout, throwOnRequestTimeout: true } } : {}) });
}

function dataKeyReply(): FakeReply {
  return { body: { KeyId: ARN, Plaintext: randomBytes(32).toString('base64'), CiphertextBlob: randomBytes(64).toString('base64') } };
}

function throttlingThen(n: number, error: FakeReply): (op: string) => FakeReply {
  let left = n;
  return (op) => (op === 'GenerateDataKey' && left-- > 0 ? error : dataKeyReply());
}

test('KMS ThrottlingException twice, then success: the SDK standard retries absorb it (a default-built client)', async (t) => {
  const kms = await fakeKms(throttlingThen(2, kmsError('ThrottlingException', 400, 'Rate exceeded')));
  try {
    const g = await new AwsKmsKeystore(defaultClient(kms.url)).generateDataKey(ARN, context);
    t.is(g.plaintext.length, 32);
    t.deepEqual(kms.calls, ['GenerateDataKey', 'GenerateDataKey', 'GenerateDataKey'], 'two retries by the SDK');
  } finally {
    await kms.close();
  }
});

test('KMS ThrottlingException twice, then success: the container-built KMS client retries too (no maxAttempts: 1)', async (t) => {
  const kms = await fakeKms(throttlingThen(2, kmsError('ThrottlingException', 400, 'Rate exceeded')));
  try {
    const container = createContainer({
      backend: { endpoint: 'http://127.0.0.1:9', accessKeyId: 'x', secretAccessKey: 'x' },
      uploadTokenRoot: randomBytes(32).toString('base64'),
      keystores: { awskms: { endpoint: kms.url, accessKeyId: 'x', secretAccessKey: 'x' } },
    });
    const ks = container.get<AwsKmsKeystore>(TOKENS.AwsKmsKeystore);
    const g = await ks.generateDataKey(ARN, context);
    t.is(g.plaintext.length, 32);
    t.is(kms.calls.length, 3);
  } finally {
    await kms.close();
  }
});

for (const [label, reply] of [
  ['ThrottlingException', kmsError('ThrottlingException', 400, 'Rate exceeded')],
  ['RequestLimitExceeded', kmsError('RequestLimitExceeded', 400)],
  ['an unnamed 429', kmsError('SomethingElse', 429)],
] as const) {
  test(`KMS always answering ${label}: KeyStoreUnavailable, retryable, 503 — never KeyStoreMisconfigured`, async (t) => {
    const kms = await fakeKms(() => reply);
    try {
      const err = await t.throwsAsync(new AwsKmsKeystore(defaultClient(kms.url)).generateDataKey(ARN, context), { instanceOf: KeystoreError });
      t.is(err?.code, 'KeyStoreUnavailable');
      t.true(err?.retryable);
      t.like(s3ErrorShape(err), { status: 503, code: 'ServiceUnavailable' });
      t.is(kms.calls.length, 3, 'the SDK tried its standard 3 attempts, and s3seal added none on top');
    } finally {
      await kms.close();
    }
  });
}

/** a KMS key with on-demand rotation; `firstRotate` decides what the first RotateKeyOnDemand does */
function rotatingKms(firstRotate: 'apply-then-hang' | 'hang' | 'apply-in-progress-then-hang'): { handle: (op: string) => FakeReply; applied: () => number } {
  let completed = 0;
  let inProgress = 0;
  let rotateCalls = 0;
  return {
    applied: () => completed + inProgress,
    handle: (op) => {
      switch (op) {
        case 'DescribeKey':
          return { body: { KeyMetadata: { KeyId: ARN.split('/')[1], Arn: ARN, KeyState: 'Enabled' } } };
        case 'ListKeyRotations':
          return { body: { Rotations: Array.from({ length: completed }, () => ({ KeyId: ARN, RotationType: 'ON_DEMAND' })), Truncated: false } };
        case 'RotateKeyOnDemand': {
          rotateCalls++;
          if (rotateCalls === 1) {
            if (firstRotate === 'apply-then-hang') completed++;
            if (firstRotate === 'apply-in-progress-then-hang') inProgress++;
            return 'hang';
          }
          if (inProgress > 0) return kmsError('ConflictException', 400, 'rotation in progress');
          completed++;
          return { body: { KeyId: ARN } };
        }
        default:
          return kmsError('UnsupportedOperationException');
      }
    },
  };
}

test('RotateKeyOnDemand whose answer times out after KMS rotated: not sent again, rotated exactly once', async (t) => {
  const fake = rotatingKms('apply-then-hang');
  const kms = await fakeKms(fake.handle);
  try {
    const d = await new AwsKmsKeystore(defaultClient(kms.url, 300)).rotateKey(ARN);
    t.is(d.keyId, ARN);
    t.is(fake.applied(), 1);
    t.is(kms.calls.filter((c) => c === 'RotateKeyOnDemand').length, 1, 'the rotation list was re-read instead');
  } finally {
    await kms.close();
  }
});

test('RotateKeyOnDemand that timed out before KMS applied it: the list did not move, so it is sent once more', async (t) => {
  const fake = rotatingKms('hang');
  const kms = await fakeKms(fake.handle);
  try {
    await new AwsKmsKeystore(defaultClient(kms.url, 300)).rotateKey(ARN);
    t.is(fake.applied(), 1);
    t.is(kms.calls.filter((c) => c === 'RotateKeyOnDemand').length, 2);
  } finally {
    await kms.close();
  }
});

test('RotateKeyOnDemand timed out while its rotation is still in progress: the retry\'s ConflictException means done', async (t) => {
  const fake = rotatingKms('apply-in-progress-then-hang');
  const kms = await fakeKms(fake.handle);
  try {
    await new AwsKmsKeystore(defaultClient(kms.url, 300)).rotateKey(ARN);
    t.is(fake.applied(), 1, 'exactly one rotation');
  } finally {
    await kms.close();
  }
});

test('RotateKeyOnDemand timed out and ListKeyRotations is not allowed: not sent again, reported as an outage', async (t) => {
  const fake = rotatingKms('apply-then-hang');
  const kms = await fakeKms((op) => (op === 'ListKeyRotations' ? kmsError('AccessDeniedException') : fake.handle(op)));
  try {
    const err = await t.throwsAsync(new AwsKmsKeystore(defaultClient(kms.url, 300)).rotateKey(ARN), { instanceOf: KeystoreError });
    t.is(err?.code, 'KeyStoreUnavailable');
    t.regex(err?.message ?? '', /not retried/);
    t.is(fake.applied(), 1);
    t.is(kms.calls.filter((c) => c === 'RotateKeyOnDemand').length, 1);
  } finally {
    await kms.close();
  }
});

/** a client whose send answers with the given Plaintext, as the SDK would hand it over */
function stubClient(plaintext: Uint8Array): KMSClient {
  return { send: () => Promise.resolve({ KeyId: ARN, Plaintext: plaintext, CiphertextBlob: new Uint8Array(64).fill(7) }) } as unknown as KMSClient;
}

test('the SDK\'s Plaintext buffers are zeroed once copied (GenerateDataKey, Decrypt)', async (t) => {
  const original = randomBytes(32);
  const fromGenerate = new Uint8Array(original);
  const g = await new AwsKmsKeystore(stubClient(fromGenerate)).generateDataKey(ARN, context);
  t.true(g.plaintext.equals(original), 'the data key itself is intact');
  t.true(fromGenerate.every((b) => b === 0), 'GenerateDataKey: the SDK copy is zeroed');
  const fromDecrypt = new Uint8Array(original);
  const d = await new AwsKmsKeystore(stubClient(fromDecrypt)).decryptDataKey(ARN, Buffer.alloc(64, 7), context);
  t.true(d.equals(original));
  t.true(fromDecrypt.every((b) => b === 0), 'Decrypt: the SDK copy is zeroed');
  t.not(d.buffer, fromDecrypt.buffer, 'our key does not share memory with the SDK\'s');
  const mac = new Uint8Array(original);
  const stub = { send: () => Promise.resolve({ Mac: mac }) } as unknown as KMSClient;
  const secret = await new AwsKmsKeystore(stub).deriveSecret(ARN, 'upload token');
  t.true(secret.equals(original));
  t.true(mac.every((b) => b === 0), 'GenerateMac (a derived secret): the SDK copy is zeroed');
});
