/**
 * ObjectStore.putConditional on the real backends (FORMAT.md §13 relies on it: two instances
 * changing the bucket encryption document never lose each other's change): If-None-Match: * creates
 * only where no object exists, If-Match replaces only the ETag read; a lost condition is SealError
 * PreconditionFailed, and the stored object is the winner's.
 */
import test from 'ava';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { isSealError } from '../../src/errors.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';

for (const name of ['minio', 'seaweedfs'] as const) {
  test(`${name}: If-None-Match: * creates once, If-Match replaces only the ETag read; the loser is PreconditionFailed and the winner's bytes stay`, async (t) => {
    const desc = service(name);
    const s3 = s3Client(desc);
    try {
      const store = new S3ObjectStore(s3);
      const bucket = await freshBucket(desc, `cput-${name}`);
      const key = 'doc.json';
      const first = await store.putConditional(bucket, key, Buffer.from('one'), { ifNoneMatch: '*' });
      const again = await store.putConditional(bucket, key, Buffer.from('two'), { ifNoneMatch: '*' }).then(() => 'stored', (err: unknown) => err);
      t.true(isSealError(again, 'PreconditionFailed'), `a second create: ${String(again)}`);
      const second = await store.putConditional(bucket, key, Buffer.from('three'), { ifMatch: first.etag });
      t.not(second.etag, first.etag);
      const stale = await store.putConditional(bucket, key, Buffer.from('four'), { ifMatch: first.etag }).then(() => 'stored', (err: unknown) => err);
      t.true(isSealError(stale, 'PreconditionFailed'), `a replace of an old ETag: ${String(stale)}`);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      t.is(await got.Body!.transformToString(), 'three');
      t.is(got.ETag, second.etag);
    } finally {
      s3.destroy();
    }
  });

  test(`${name}: racing conditional writes of one object — of 8 If-Match replaces of one ETag, and of 8 If-None-Match creates, exactly one wins`, async (t) => {
    const desc = service(name);
    const s3 = s3Client(desc);
    try {
      const store = new S3ObjectStore(s3);
      const bucket = await freshBucket(desc, `crace-${name}`);
      const outcomes = async (condition: Parameters<S3ObjectStore['putConditional']>[3], key: string): Promise<{ won: number; lost: number; other: string[] }> => {
        const settled = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.putConditional(bucket, key, Buffer.from(`writer ${i}`), condition)));
        const lost = settled.filter((s) => s.status === 'rejected' && (isSealError(s.reason, 'PreconditionFailed') || isSealError(s.reason, 'ConditionalRequestConflict'))).length;
        const won = settled.filter((s) => s.status === 'fulfilled').length;
        return { won, lost, other: settled.filter((s) => s.status === 'rejected' && !(isSealError(s.reason, 'PreconditionFailed') || isSealError(s.reason, 'ConditionalRequestConflict'))).map((s) => String((s as PromiseRejectedResult).reason)) };
      };
      t.deepEqual(await outcomes({ ifNoneMatch: '*' }, 'created.json'), { won: 1, lost: 7, other: [] }, 'If-None-Match: *');
      const base = await store.putConditional(bucket, 'replaced.json', Buffer.from('base'), { ifNoneMatch: '*' });
      t.deepEqual(await outcomes({ ifMatch: base.etag }, 'replaced.json'), { won: 1, lost: 7, other: [] }, 'If-Match');
    } finally {
      s3.destroy();
    }
  });
}
