/**
 * The copy limit of the layout commit (issue 6, item 7): configurable, 5 GiB by default (AWS
 * CopyObject's limit), never below S3's 5 MiB minimum part (a multipart copy could not be built);
 * multipart-copy parts are at most the limit and at most 5 GiB, grown only when 10 000 parts would not
 * cover the object.
 */
import test from 'ava';
import { S3Client } from '@aws-sdk/client-s3';
import { AWS_COPY_LIMIT, copyPartSize, MIN_COPY_PART, S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { ConfigError, resolveConfig } from '../../src/container/config.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const backend = { endpoint: 'http://127.0.0.1:9000', accessKeyId: 'a', secretAccessKey: 'b' };

test('config: backend.copyObjectLimit defaults to 5 GiB and refuses less than 5 MiB', (t) => {
  const root = { uploadTokenRoot: Buffer.alloc(32).toString('base64') };
  t.is(resolveConfig({ backend, ...root }).backend.copyObjectLimit, 5 * GiB);
  t.is(resolveConfig({ backend: { ...backend, copyObjectLimit: 6 * MiB }, ...root }).backend.copyObjectLimit, 6 * MiB);
  t.throws(() => resolveConfig({ backend: { ...backend, copyObjectLimit: 5 * MiB - 1 }, ...root }), { instanceOf: ConfigError, message: /copyObjectLimit/ });
});

test('S3ObjectStore refuses a copy limit under 5 MiB', (t) => {
  const client = new S3Client({ region: 'us-east-1' });
  t.throws(() => new S3ObjectStore(client, { copyObjectLimit: MIN_COPY_PART - 1 }), { instanceOf: RangeError });
  t.notThrows(() => new S3ObjectStore(client, { copyObjectLimit: MIN_COPY_PART }));
  client.destroy();
});

test('multipart-copy part size: the limit, capped at 5 GiB, grown to fit 10 000 parts', (t) => {
  t.is(copyPartSize(7 * MiB, 6 * MiB), 6 * MiB);
  t.is(copyPartSize(6 * GiB, AWS_COPY_LIMIT), 5 * GiB);
  t.is(copyPartSize(6 * GiB, 50 * GiB), 5 * GiB, 'UploadPartCopy parts are at most 5 GiB');
  t.is(copyPartSize(100 * GiB, 6 * MiB), Math.ceil((100 * GiB) / 10_000), '10 000 parts at most');
  for (const [size, limit] of [[48_828_125_000, 5 * MiB], [10_000 * 5 * GiB, 5 * MiB], [12 * MiB + 1, 6 * MiB]] as const) {
    const p = copyPartSize(size, limit);
    t.true(Math.ceil(size / p) <= 10_000 && p <= 5 * GiB && p >= Math.min(limit, 5 * GiB));
  }
});
