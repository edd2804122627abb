/**
 * DESIGN.md's metadata budget, end to end on real servers: a 1024-byte object key, bucket-key mode,
 * a real AWS-KMS-API ciphertext blob (local-kms) and a 512-byte caller context still fit S3's 2 KiB of
 * user metadata, through MinIO — with the largest sealed-checksum set (every algorithm once, FORMAT.md
 * §5.7) as well; more caller metadata than the rest of the budget is MetadataTooLarge.
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
import { SEALED_CHECKSUMS_MAX } from '../../src/crypto/constants.js';
import { SEALED_CHECKSUM_ALGORITHMS, type SealedChecksum } from '../../src/crypto/sealed-checksums.js';
import type { BodyChecksums } from '../../src/engine/body-checksums.js';
import { newDigester } from '../../src/adapters/s3/checksum-algorithms.js';

test('worst case: 1024-byte key, bucket-key mode, real KMS blob, 512-byte context and every sealed checksum fit through MinIO; over budget is refused', async (t) => {
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
  // FORMAT.md §5.3/§5.7: with the largest sealed-checksum set the format allows (every algorithm once)
  const plain = Buffer.from('worst case');
  const all = await Promise.all(
    SEALED_CHECKSUM_ALGORITHMS.map(async (algorithm): Promise<SealedChecksum> => {
      const d = newDigester(algorithm);
      d.update(plain);
      return { algorithm, type: 'FULL_OBJECT', digest: Buffer.from(await d.digest()) };
    }),
  );
  const checksums: BodyChecksums = { algorithms: SEALED_CHECKSUM_ALGORITHMS, declared: all, verify: () => Promise.resolve(all) };
  await sealed.put(o, plain, 10, {}, keys, undefined, checksums);
  t.is((await sealed.head(o)).envelope?.sealedChecksums?.length, SEALED_CHECKSUMS_MAX, 'the largest sealed-checksums field');
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const used = metadataSize(head.Metadata ?? {});
  t.true(used <= 2048, `stored user metadata is ${used} bytes`);
  t.log(`worst-case envelope: ${used} bytes of user metadata (real KMS blob of ${(await sealed.head(o)).envelope?.bucketKey?.length} bytes)`);
  const read = await sealed.get(o, keys, undefined, { checksums: true });
  t.is((await buffer(read.stream)).toString(), 'worst case');
  t.deepEqual(read.checksums, all, 'every checksum back');
  const room = 2048 - used;
  const err = await t.throwsAsync(sealed.put({ bucket, key: `${key.slice(0, -1)}y` }, plain, 10, { m: 'v'.repeat(room - 11) }, keys, undefined, checksums), { instanceOf: SealError });
  t.is(err?.code, 'MetadataTooLarge');
  // exactly at the limit: accepted by s3seal and by MinIO
  await sealed.put({ bucket, key: `${key.slice(0, -1)}z` }, plain, 10, { m: 'v'.repeat(room - 11 - 1) }, keys, undefined, checksums);
  s3.destroy();
});
