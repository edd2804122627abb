/**
 * What the list, DeleteObjects and GetObjectAttributes answers look like to the real
 * @aws-sdk/client-s3: its own commands (paginator, flexible checksums on DeleteObjects, attribute
 * headers) go into the S3 core over MinIO through a test-only handler, and its deserializers read
 * plaintext sizes, ETags, owners, common prefixes, versions and delete markers, per-key delete
 * errors and ObjectParts from what the core wrote.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import {
  DeleteObjectsCommand,
  GetObjectAttributesCommand,
  ListObjectsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { SealError } from '../../src/errors.js';
import { getService, TOKENS } from '../../src/index.js';
import { listFixture } from '../helpers/list-fixture.js';
import { sdkClientForCore } from '../helpers/sdk-core-handler.js';

const MiB = 1024 * 1024;

test('SDK: paginateListObjectsV2 (pages of 2, plaintext sizes), ListObjects with owner and common prefixes, ListObjectVersions, DeleteObjects with the SDK default checksum and a refused key, GetObjectAttributes with ObjectParts', async (t) => {
  const f = await listFixture('sdk', (bucket) => ({ listing: { encryptedOnly: [{ bucket, prefix: 'p/' }] } }), {
    authorize: (_p, action, o) => (action === 'DeleteObject' && o.key === 'p/keep' ? Promise.reject(new SealError('AccessDenied', 'keep it')) : Promise.resolve()),
  });
  const sdk = sdkClientForCore(getService(f.container, TOKENS.S3Core));
  try {
    const sizes: Record<string, number> = { 'p/a b': 1, 'p/c+d': 1000, 'p/keep': 5, 'p/x/1': 70_000, 'p/x/2': 0 };
    for (const [k, n] of Object.entries(sizes)) await f.put(k, randomBytes(n));
    const mpEtag = await f.putMultipart('p/mp', [5 * MiB, 17]);
    sizes['p/mp'] = 5 * MiB + 17;

    const seen: Record<string, number> = {};
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: sdk, pageSize: 2 }, { Bucket: f.bucket, Prefix: 'p/' })) {
      pages++;
      t.true((page.KeyCount ?? 0) <= 2);
      for (const o of page.Contents ?? []) seen[o.Key!] = o.Size!;
    }
    // 6 keys in pages of 2: MinIO marks a full last page truncated and answers one empty page more
    t.true(pages === 3 || pages === 4, `${pages} pages`);
    t.deepEqual(seen, sizes, 'plaintext sizes, keys decoded');

    const v1 = await sdk.send(new ListObjectsCommand({ Bucket: f.bucket, Prefix: 'p/', Delimiter: '/' }));
    t.deepEqual(v1.CommonPrefixes?.map((p) => p.Prefix), ['p/x/']);
    t.deepEqual(v1.Contents?.map((o) => [o.Key, o.Size]), [['p/a b', 1], ['p/c+d', 1000], ['p/keep', 5], ['p/mp', 5 * MiB + 17]]);
    t.is(v1.Contents?.find((o) => o.Key === 'p/mp')?.ETag, mpEtag);
    t.truthy(v1.Contents?.[0]?.Owner?.ID);
    t.is(v1.Contents?.[0]?.StorageClass, 'STANDARD');

    const attrs = await sdk.send(new GetObjectAttributesCommand({ Bucket: f.bucket, Key: 'p/mp', ObjectAttributes: ['ETag', 'ObjectSize', 'ObjectParts', 'StorageClass'] }));
    t.is(attrs.ObjectSize, 5 * MiB + 17);
    t.is(attrs.ETag, mpEtag.slice(1, -1));
    t.is(attrs.ObjectParts?.TotalPartsCount, 2);
    t.deepEqual(attrs.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size]), [[1, 5 * MiB], [2, 17]]);
    t.truthy(attrs.LastModified);

    const del = await sdk.send(new DeleteObjectsCommand({ Bucket: f.bucket, Delete: { Objects: [{ Key: 'p/a b' }, { Key: 'p/keep' }, { Key: 'p/x/1' }] } }));
    t.deepEqual(del.Deleted?.map((d) => d.Key).sort(), ['p/a b', 'p/x/1']);
    t.deepEqual(del.Errors?.map((e) => [e.Key, e.Code]), [['p/keep', 'AccessDenied']]);

    await f.raw.send(new PutBucketVersioningCommand({ Bucket: f.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await f.put('p/c+d', randomBytes(3));
    const versions = await sdk.send(new ListObjectVersionsCommand({ Bucket: f.bucket, Prefix: 'p/c' }));
    t.deepEqual(versions.Versions?.map((v) => [v.Key, v.Size, v.IsLatest]), [['p/c+d', 3, true], ['p/c+d', 1000, false]]);
  } finally {
    sdk.destroy();
    await f.close();
  }
});
