/**
 * Bucket operations through the S3 core (issue 7 item 2: forwarded, they expose no object data) on
 * real MinIO: CreateBucket, HeadBucket, ListBuckets (prefix, paging), GetBucketLocation, DeleteBucket,
 * with the backend's S3 codes kept (BucketAlreadyOwnedByYou 409, BucketNotEmpty 409, NoSuchBucket
 * 404) and what the port cannot pass on (Object Lock) refused.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { bodyOf, coreFixture, errorCode, xmlOf } from '../helpers/s3-core-fixture.js';

test('CreateBucket / HeadBucket / ListBuckets / GetBucketLocation / DeleteBucket forwarded with S3 answers and the backend codes', async (t) => {
  const f = await coreFixture('buckets');
  try {
    const tag = randomBytes(4).toString('hex');
    const names = [`core-b-${tag}-1`, `core-b-${tag}-2`] as const;
    for (const bucket of names) {
      const created = await f.call({ method: 'PUT', bucket, ...bodyOf(Buffer.from('<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>')) });
      t.is(created.status, 200, created.body.toString());
      t.is(created.headers['location'], `/${bucket}`);
    }
    const again = await f.call({ method: 'PUT', bucket: names[0], headers: {} });
    t.is(again.status, 409);
    t.regex(errorCode(again) ?? '', /^BucketAlready(OwnedByYou|Exists)$/);
    const locked = await f.call({ method: 'PUT', bucket: `core-b-${tag}-lock`, headers: { 'x-amz-bucket-object-lock-enabled': 'true' } });
    t.is(locked.status, 501);

    t.is((await f.call({ method: 'HEAD', bucket: names[0] })).status, 200);
    const missing = await f.call({ method: 'HEAD', bucket: `core-b-${tag}-none` });
    t.is(missing.status, 404);
    t.is(missing.body.length, 0);

    const listed = await f.call({ method: 'GET', bucket: '', query: { prefix: `core-b-${tag}` } });
    t.is(listed.status, 200);
    const result = xmlOf(listed)['ListAllMyBucketsResult'] as { Buckets: { Bucket: { Name: string; CreationDate: string }[] } };
    t.deepEqual(result.Buckets.Bucket.map((b) => b.Name), [...names]);
    t.false(Number.isNaN(Date.parse(result.Buckets.Bucket[0]!.CreationDate)));
    const page1 = xmlOf(await f.call({ method: 'GET', query: { prefix: `core-b-${tag}`, 'max-buckets': '1' }, bucket: '' }))['ListAllMyBucketsResult'] as { Buckets: { Bucket: { Name: string } }; ContinuationToken: string };
    t.is(page1.Buckets.Bucket.Name, names[0]);
    const page2 = xmlOf(await f.call({ method: 'GET', query: { prefix: `core-b-${tag}`, 'max-buckets': '1', 'continuation-token': page1.ContinuationToken }, bucket: '' }))['ListAllMyBucketsResult'] as { Buckets: { Bucket: { Name: string } }; ContinuationToken?: string };
    t.is(page2.Buckets.Bucket.Name, names[1]);
    t.is(page2.ContinuationToken, undefined);

    const location = await f.call({ method: 'GET', bucket: names[0], query: { location: '' } });
    t.is(location.status, 200);
    t.true(location.body.toString().includes('<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'));
    t.regex(String(xmlOf(location)['LocationConstraint']), /^(us-east-1)?$/);

    t.is((await f.call({ method: 'PUT', bucket: names[0], key: 'k', ...bodyOf(Buffer.from('x')) })).status, 200);
    const notEmpty = await f.call({ method: 'DELETE', bucket: names[0] });
    t.is(notEmpty.status, 409);
    t.is(errorCode(notEmpty), 'BucketNotEmpty');
    t.is((await f.call({ method: 'DELETE', bucket: names[0], key: 'k' })).status, 204);
    for (const bucket of names) t.is((await f.call({ method: 'DELETE', bucket })).status, 204);
    const gone = await f.call({ method: 'DELETE', bucket: names[0] });
    t.is(gone.status, 404);
    t.is(errorCode(gone), 'NoSuchBucket');
    t.is((await f.call({ method: 'GET', bucket: names[0], query: { location: '' } })).status, 404);
  } finally {
    await f.close();
  }
});
