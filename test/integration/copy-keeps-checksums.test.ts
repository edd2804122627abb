/**
 * A re-wrap keeps the source's sealed checksums (FORMAT.md §5.4, §5.7): the copy's body and DEK are
 * the source's, so its checksums still describe it, and GetObject with ChecksumMode on the copy
 * returns them (the SDK validates the body against them). Written without the field, the copy
 * would silently lose what its source returned.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { sealedFileClient } from '../helpers/sealed-file-client.js';
import { freshBucket, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a copy (re-wrap to another key and mode) returns the source\'s sealed checksums with ChecksumMode', async (t) => {
  const m = service('minio');
  const keyPath = join(tempDir('copy-ck'), 'keys.json');
  const { client, kmsKeyId } = await sealedFileClient(m, keyPath, 'copy-ck');
  const kms = { keyId: kmsKeyId };
  try {
    const bucket = await freshBucket(m, 'copy-ck');
    const body = randomBytes(200_000);
    const sha = createHash('sha256').update(body).digest('base64');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'src', Body: body, ChecksumAlgorithm: 'SHA256' }));
    const copied = await client.send(new CopyObjectCommand({ Bucket: bucket, Key: 'dst', CopySource: `${bucket}/src`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kms.keyId }));
    t.is(copied.ServerSideEncryption, 'aws:kms');
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dst', ChecksumMode: 'ENABLED' }));
    t.is(head.ChecksumSHA256, sha, 'HEAD of the copy returns the source checksum');
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'dst', ChecksumMode: 'ENABLED' }));
    t.is(got.ChecksumSHA256, sha, 'GET of the copy returns it');
    t.true(Buffer.from(await got.Body!.transformToByteArray()).equals(body));
  } finally {
    await client.close();
  }
});
