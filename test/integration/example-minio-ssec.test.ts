/** examples/minio-ssec-tenants runs against the real MinIO and shows what it says it shows. */
import test from 'ava';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { main as minioSsecTenants } from '../../examples/minio-ssec-tenants.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

test('examples/minio-ssec-tenants: minio-js calls with a customer key per tenant — tenant A reads its object, tenant B is AccessDenied, the listing shows plaintext sizes, MinIO holds ciphertext', async (t) => {
  const m = service('minio');
  const bucket = await freshBucket(m, 'example-minio-ssec');
  const printed: string[] = [];
  const lines = await minioSsecTenants(m.endpoint, m.accessKey!, m.secretKey!, bucket, join(tempDir('example-minio'), 'keys.json'), (l) => printed.push(l));
  t.deepEqual(lines, [
    'tenant A reads: tenant A: revenue up',
    "tenant B reads tenant A's object: AccessDenied",
    'listed tenant-a/report.txt: 20 bytes',
    'listed tenant-b/report.txt: 20 bytes',
    'stored ciphertext: yes',
  ]);
  t.deepEqual(printed, lines, 'it prints what it shows');
  // checked here too, past the example: the object server's bytes are not the plaintext
  const raw = s3Client(m);
  t.teardown(() => raw.destroy());
  const stored = Buffer.from(await (await raw.send(new GetObjectCommand({ Bucket: bucket, Key: 'tenant-b/report.txt' }))).Body!.transformToByteArray());
  t.false(stored.toString('latin1').includes('costs down'));
});
