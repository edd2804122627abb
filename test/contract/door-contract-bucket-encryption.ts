/**
 * The door contract's bucket default encryption scenarios (issue 8: "the door contract suite makes
 * every other door prove the same"): Put/Get/DeleteBucketEncryption through the door with S3's XML,
 * a default applied to PUTs that name no SSE and seen by a second instance, BlockedEncryptionTypes
 * refusing SSE-C with 403 AccessDenied, and the reserved configuration bucket hidden from ListBuckets.
 * Principal-based scenarios need a door that can name principals (a gateway's access keys); they live
 * in test/integration/policy-roles.test.ts for the SDK door.
 */
import type { TestFn } from 'ava';
import { randomBytes } from 'node:crypto';
import { DeleteBucketEncryptionCommand, GetBucketEncryptionCommand, HeadObjectCommand, ListBucketsCommand, PutBucketEncryptionCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { echoOf, s3Error, type DoorOf } from './door-contract-support.js';

/** a second instance sees a change within its cache TTL (config default 5 s): allow a loaded machine some slack */
const SEEN_WITHIN_MS = 15_000;

export function bucketEncryptionScenarios(test: TestFn, label: string, door: DoorOf): void {
  test(`${label}: bucket default encryption — PutBucketEncryption (aws:kms, BucketKeyEnabled) applies to PUTs naming no SSE, GetBucketEncryption answers it, a second instance applies it too, DeleteBucketEncryption → 404 ServerSideEncryptionConfigurationNotFoundError`, async (t) => {
    const d = await door();
    const bucket = await d.freshBucket('door-bde');
    t.deepEqual(await s3Error(d.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))), ['ServerSideEncryptionConfigurationNotFoundError', 404]);
    await d.s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: d.kmsKey.id }, BucketKeyEnabled: true }] } }));
    const got = await d.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    t.like(got.ServerSideEncryptionConfiguration?.Rules?.[0], { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: d.kmsKey.id }, BucketKeyEnabled: true });
    const expected = { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: d.kmsKey.echoed, BucketKeyEnabled: true };
    t.deepEqual(echoOf(await d.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'defaulted', Body: 'x' }))), expected, 'the PUT echo names the default');
    t.deepEqual(echoOf(await d.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'defaulted' }))), expected);
    const other = await d.secondInstance();
    try {
      const since = Date.now();
      let echo: ReturnType<typeof echoOf> = {};
      while (Date.now() - since < SEEN_WITHIN_MS) {
        echo = echoOf(await other.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `second-${Date.now()}`, Body: 'x' })));
        if (echo.ServerSideEncryption === 'aws:kms') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      t.deepEqual(echo, expected, 'the second instance applies the shared configuration');
    } finally {
      await other.close();
    }
    await d.s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
    t.deepEqual(await s3Error(d.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))), ['ServerSideEncryptionConfigurationNotFoundError', 404]);
    t.is(echoOf(await d.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'after', Body: 'x' }))).ServerSideEncryption, 'AES256');
  });

  test(`${label}: BlockedEncryptionTypes SSE-C refuses SSE-C writes with 403 AccessDenied and stores nothing; the reserved configuration bucket is hidden from ListBuckets`, async (t) => {
    const d = await door();
    const bucket = await d.freshBucket('door-block');
    await d.s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } }] } }));
    t.deepEqual(await s3Error(d.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'c', Body: 'x', SSECustomerAlgorithm: 'AES256', SSECustomerKey: randomBytes(32).toString('base64') }))), ['AccessDenied', 403]);
    t.deepEqual(await s3Error(d.backend.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c' }))), ['NotFound', 404]);
    const names = ((await d.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
    t.true(names.includes(bucket));
    t.false(names.includes(d.reservedBucket));
    t.true(((await d.backend.send(new ListBucketsCommand({}))).Buckets ?? []).some((b) => b.Name === d.reservedBucket), 'it exists at the object server');
  });
}
