/**
 * DESIGN.md's metadata budget, end to end on real servers: a 1024-byte object key, bucket-key mode,
 * a real AWS-KMS-API ciphertext blob (local-kms) and a 512-byte caller context still fit S3's 2 KiB of
 * user metadata, through MinIO; more caller metadata than the rest of the budget is MetadataTooLarge.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { BucketKeyCache } from '../../src/keystores/bucket-key-cache.js';
import { BucketKeyResolver } from '../../src/engine/materials/bucket-key-resolver.js';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { canonicalContext } from '../../src/crypto/encryption-context.js';
import { metadataSize } from '../../src/engine/metadata-budget.js';
import { SealError } from '../../src/errors.js';
import { s3Client, service } from '../helpers/services.js';

test('worst case: 1024-byte key, bucket-key mode, real KMS blob, 512-byte context fits through MinIO; over budget is refused', async (t) => {
  const k = service('localkms');
  const ks = new AwsKmsKeystore(new KMSClient({ endpoint: k.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  const { keyId } = await ks.createKey(`alias/worst-${randomBytes(4).toString('hex')}`);
  const context: Record<string, string> = {};
  for (let i = 0; canonicalContext(context).length < 512; i++) context[`k${i}`] = 'v'.repeat(20);
  t.true(canonicalContext(context).length >= 512);
  const s3 = s3Client(service('minio'));
  const bucket = `worst-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const sealed = new SealedObjects(new S3ObjectStore(s3), { uploadTokenRoot: randomBytes(32) });
  const keys = new BucketKeyResolver(ks, 'SSE-KMS', keyId, 'p', new BucketKeyCache(), context);
  // MinIO stores keys as paths: no segment may exceed 255 bytes
  const key = `${`${'d'.repeat(250)}/`.repeat(4)}${'x'.repeat(20)}`;
  t.is(Buffer.byteLength(key), 1024);
  const o = { bucket, key };
  await sealed.put(o, Buffer.from('worst case'), 10, {}, keys);
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const used = metadataSize(head.Metadata ?? {});
  t.true(used <= 2048, `stored user metadata is ${used} bytes`);
  t.log(`worst-case envelope: ${used} bytes of user metadata (real KMS blob of ${(await sealed.head(o)).envelope?.bucketKey?.length} bytes)`);
  t.is((await buffer((await sealed.get(o, keys)).stream)).toString(), 'worst case');
  const room = 2048 - used;
  const err = await t.throwsAsync(sealed.put({ bucket, key: `${key.slice(0, -1)}y` }, Buffer.from('x'), 1, { m: 'v'.repeat(room - 11) }, keys), { instanceOf: SealError });
  t.is(err?.code, 'MetadataTooLarge');
  // exactly at the limit: accepted by s3seal and by MinIO
  await sealed.put({ bucket, key: `${key.slice(0, -1)}z` }, Buffer.from('x'), 1, { m: 'v'.repeat(room - 11 - 1) }, keys);
  s3.destroy();
});
