/**
 * UpdateObjectEncryption through the SDK door (issue 7 item 1): an SSE-S3 object becomes SSE-KMS
 * under another key, bucket keys on, by a metadata-only re-wrap — same ciphertext at the backend,
 * metadata, content type and sealed checksums kept, the object reads back exact and echoes its new
 * encryption; an SSE-C object (whose key the operation cannot carry) and a malformed document are
 * refused with S3's codes.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3ServiceException, UpdateObjectEncryptionCommand } from '@aws-sdk/client-s3';
import { sealedFileClient } from '../helpers/sealed-file-client.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

async function stored(raw: ReturnType<typeof s3Client>, bucket: string, key: string): Promise<Buffer> {
  return Buffer.from(await (await raw.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
}

test('UpdateObjectEncryption: SSE-S3 → SSE-KMS (bucket key) by re-wrap; content, metadata and checksums kept; SSE-C and bad documents refused', async (t) => {
  const m = service('minio');
  const keyPath = join(tempDir('uoe'), 'keys.json');
  const { client, kmsKeyId } = await sealedFileClient(m, keyPath, 'uoe-target');
  const kms = { keyId: kmsKeyId };
  const raw = s3Client(m);
  try {
    const bucket = await freshBucket(m, 'uoe');
    const body = randomBytes(150_000);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'o', Body: body, ServerSideEncryption: 'AES256', ContentType: 'text/x-uoe', Metadata: { owner: 'ada' }, ChecksumAlgorithm: 'SHA256' }));
    const before = await stored(raw, bucket, 'o');

    await client.send(new UpdateObjectEncryptionCommand({ Bucket: bucket, Key: 'o', ObjectEncryption: { SSEKMS: { KMSKeyArn: kms.keyId, BucketKeyEnabled: true } } }));

    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'o', ChecksumMode: 'ENABLED' }));
    t.is(head.ServerSideEncryption, 'aws:kms');
    t.is(head.SSEKMSKeyId, kms.keyId);
    t.true(head.BucketKeyEnabled);
    t.is(head.ContentType, 'text/x-uoe');
    t.deepEqual(head.Metadata, { owner: 'ada' });
    t.is(head.ChecksumSHA256, createHash('sha256').update(body).digest('base64'), 'sealed checksum kept');
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'o' }));
    t.true(Buffer.from(await got.Body!.transformToByteArray()).equals(body));
    t.true((await stored(raw, bucket, 'o')).equals(before), 'no data movement: the backend holds the same ciphertext');

    // an SSE-C object: its key is needed to read the DEK, and the operation carries none
    const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: randomBytes(32).toString('base64') };
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'c', Body: body, ...ssec }));
    const refused = await t.throwsAsync(client.send(new UpdateObjectEncryptionCommand({ Bucket: bucket, Key: 'c', ObjectEncryption: { SSEKMS: { KMSKeyArn: kms.keyId } } })));
    t.true(refused instanceof S3ServiceException);
    t.is((refused as S3ServiceException).$metadata.httpStatusCode, 400);
    t.is((refused as S3ServiceException).name, 'InvalidRequest');
    t.true(Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', ...ssec }))).Body!.transformToByteArray()).equals(body), 'the SSE-C object is unchanged');

    // a missing object
    const missing = await t.throwsAsync(client.send(new UpdateObjectEncryptionCommand({ Bucket: bucket, Key: 'nope', ObjectEncryption: { SSEKMS: { KMSKeyArn: kms.keyId } } })));
    t.is((missing as S3ServiceException).name, 'NoSuchKey');
  } finally {
    raw.destroy();
    await client.close();
  }
});
