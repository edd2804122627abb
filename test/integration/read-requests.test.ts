/**
 * Issue 7 acceptance, counted at the backend S3Client on real MinIO (single-part also SeaweedFS; every HTTP attempt that leaves
 * the client): a whole GET and a ranged GET of a single-part object are ONE backend request each
 * (`backend_requests_per_get` ≤ 1.0) in every Range form; 100 random 1-byte ranges of a 20-part
 * object (5 MiB parts, the smallest S3 allows) cost ≤ 1.1 requests each after the first read
 * (`backend_requests_per_multipart_range`); `partNumber` reads are exact from the committed layout,
 * also after a copy-to-self re-cut the backend's own parts (as a rewrap of a large object does).
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { closeContainer, createContainer, getService, SealError, TOKENS } from '../../src/index.js';
import type { RangeRequest } from '../../src/index.js';
import { prng } from '../helpers/engine-fixtures.js';
import { freshBucket, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

const MiB = 1024 * 1024;

/** counts every HTTP request the client sends (below its retries: each attempt), by command */
function countRequests(client: S3Client): { sent: string[] } {
  const log = { sent: [] as string[] };
  client.middlewareStack.add(
    (next, context) => (args) => {
      log.sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'countBackendRequests' },
  );
  return log;
}

async function setup(tag: string, keys: string, bucket?: string, backend: 'minio' | 'seaweedfs' = 'minio') {
  const m = service(backend);
  const c = createContainer({
    backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    keystores: { file: { path: join(keys, 'keys.json'), create: true } },
    uploadTokenRoot: Buffer.alloc(32, 7).toString('base64'),
  });
  const client = getService(c, TOKENS.S3Client);
  const log = countRequests(client);
  const files = getService(c, TOKENS.FileKeystore);
  if (!(await files.describeKey('s3-default').then(() => true, () => false))) await files.createKey('s3-default');
  return { m, c, client, log, facade: getService(c, TOKENS.ObjectFacade), bucket: bucket ?? (await freshBucket(m, `reads-${tag}`)) };
}

const base = { principal: 'svc' };

for (const backend of ['minio', 'seaweedfs'] as const) test(`${backend} single-part: a whole GET and every Range form are one backend request; an unsatisfiable range is InvalidRange; partNumber=1 is the whole object`, async (t) => {
  const s = await setup('single', tempDir('reads-single'), undefined, backend);
  try {
    const body = randomBytes(MiB + 5);
    const key = 'one';
    await s.facade.putObject({ ...base, bucket: s.bucket, key, body, contentLength: body.length, encryption: { mode: 'SSE-S3' } });
    s.log.sent.length = 0;
    t.true((await buffer((await s.facade.getObject({ ...base, bucket: s.bucket, key })).body)).equals(body));
    t.deepEqual(s.log.sent, ['GetObjectCommand'], 'whole GET');
    const forms: RangeRequest[] = [
      { kind: 'from', first: 0, last: 0 },
      { kind: 'from', first: 65_530, last: 65_545 },
      { kind: 'from', first: 700_000 },
      { kind: 'from', first: 10, last: 5 * MiB },
      { kind: 'suffix', length: 1 },
      { kind: 'suffix', length: 200_000 },
      { kind: 'suffix', length: 3 * MiB },
    ];
    for (const range of forms) {
      s.log.sent.length = 0;
      const r = await s.facade.getObject({ ...base, bucket: s.bucket, key, range });
      const want = range.kind === 'suffix' ? { start: Math.max(0, body.length - range.length), end: body.length - 1 } : { start: range.first, end: Math.min(range.last ?? body.length - 1, body.length - 1) };
      t.deepEqual(r.contentRange, { ...want, total: body.length }, JSON.stringify(range));
      t.is(r.contentLength, want.end - want.start + 1);
      t.true((await buffer(r.body)).equals(body.subarray(want.start, want.end + 1)), `${JSON.stringify(range)}: bytes`);
      t.deepEqual(s.log.sent, ['GetObjectCommand'], `${JSON.stringify(range)}: one backend request`);
    }
    // the ciphertext range starts inside the object (answer's size decides), or past it (MinIO's own 416, then a HEAD)
    for (const [range, n] of [[{ kind: 'from', first: body.length }, 1], [{ kind: 'from', first: 2 * MiB }, 2]] as [RangeRequest, number][]) {
      s.log.sent.length = 0;
      const err = await t.throwsAsync(s.facade.getObject({ ...base, bucket: s.bucket, key, range }), { instanceOf: SealError });
      t.is(err?.code, 'InvalidRange', JSON.stringify(range));
      t.is(s.log.sent.length, n, `${JSON.stringify(range)}: ${n} request(s)`);
    }
    s.log.sent.length = 0;
    const p1 = await s.facade.getObject({ ...base, bucket: s.bucket, key, partNumber: 1 });
    t.deepEqual([p1.contentRange, p1.partsCount], [{ start: 0, end: body.length - 1, total: body.length }, undefined]);
    t.true((await buffer(p1.body)).equals(body));
    t.deepEqual(s.log.sent, ['GetObjectCommand']);
    const p2 = await t.throwsAsync(s.facade.getObject({ ...base, bucket: s.bucket, key, partNumber: 2 }), { instanceOf: SealError });
    t.is(p2?.code, 'InvalidPartNumber');
    const h2 = await t.throwsAsync(s.facade.headObject({ ...base, bucket: s.bucket, key, partNumber: 2 }), { instanceOf: SealError });
    t.is(h2?.code, 'InvalidPartNumber');
  } finally {
    await closeContainer(s.c);
  }
});

test('20-part object (5 MiB parts): after the first read, 100 random 1-byte ranges cost ≤ 1.1 backend requests each; partNumber reads exact, also after the backend parts were re-cut by a copy-to-self', async (t) => {
  const keys = tempDir('reads-multi');
  const w = await setup('multi', keys);
  const key = 'twenty';
  const sizes = Array.from({ length: 20 }, (_, i) => (i === 19 ? MiB + 3 : 5 * MiB));
  const parts = sizes.map((n) => randomBytes(n));
  const whole = Buffer.concat(parts);
  try {
    const up = await w.facade.createMultipartUpload({ ...base, bucket: w.bucket, key, encryption: { mode: 'SSE-S3' } });
    const etags: string[] = [];
    for (let i = 0; i < parts.length; i += 4) {
      const batch = await Promise.all(parts.slice(i, i + 4).map((p, j) => w.facade.uploadPart({ ...base, bucket: w.bucket, key, uploadId: up.uploadId, partNumber: i + j + 1, body: p, contentLength: p.length })));
      etags.push(...batch.map((r) => r.etag));
    }
    await w.facade.completeMultipartUpload({ ...base, bucket: w.bucket, key, uploadId: up.uploadId, parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })) });
    // the instance that committed the layout knows it (and the part headers it checked): one request from the first range
    w.log.sent.length = 0;
    const got = await w.facade.getObject({ ...base, bucket: w.bucket, key, range: { kind: 'from', first: 5 * MiB + 1, last: 5 * MiB + 1 } });
    t.true((await buffer(got.body)).equals(whole.subarray(5 * MiB + 1, 5 * MiB + 2)));
    t.deepEqual(w.log.sent, ['GetObjectCommand'], 'the first range after Complete');
  } finally {
    await closeContainer(w.c);
  }

  // another instance (nothing cached): the first range learns the layout and verifies the 20 headers
  const r = await setup('multi', keys, w.bucket);
  try {
    const first = await r.facade.getObject({ ...base, bucket: r.bucket, key, range: { kind: 'from', first: 7, last: 7 } });
    t.true((await buffer(first.body)).equals(whole.subarray(7, 8)));
    t.is(r.log.sent.length, 22, 'first read: the single-part guess, 20 header reads, the chunk run');
    r.log.sent.length = 0;
    const rand = prng(2026);
    for (let i = 0; i < 100; i++) {
      const at = Math.floor(rand() * whole.length);
      const got = await r.facade.getObject({ ...base, bucket: r.bucket, key, range: { kind: 'from', first: at, last: at } });
      t.deepEqual(got.contentRange, { start: at, end: at, total: whole.length });
      if (!(await buffer(got.body)).equals(whole.subarray(at, at + 1))) t.fail(`byte ${at}`);
    }
    t.log(`backend requests per 1-byte range (100 ranges): ${r.log.sent.length / 100}`);
    t.true(r.log.sent.length / 100 <= 1.1, `${r.log.sent.length} requests`);

    const checkParts = async (facade: typeof r.facade, log: { sent: string[] }, what: string): Promise<void> => {
      let off = 0;
      for (let n = 1; n <= 20; n++) {
        log.sent.length = 0;
        const p = await facade.getObject({ ...base, bucket: r.bucket, key, partNumber: n });
        t.deepEqual([p.contentRange, p.contentLength, p.partsCount], [{ start: off, end: off + sizes[n - 1]! - 1, total: whole.length }, sizes[n - 1], 20], `${what}: part ${n}`);
        t.true((await buffer(p.body)).equals(parts[n - 1]!), `${what}: part ${n} bytes`);
        t.is(log.sent.length, 1, `${what}: part ${n} in one request`);
        const h = await facade.headObject({ ...base, bucket: r.bucket, key, partNumber: n });
        t.deepEqual([h.contentRange, h.contentLength, h.partsCount], [{ start: off, end: off + sizes[n - 1]! - 1, total: whole.length }, sizes[n - 1], 20], `${what}: HEAD part ${n}`);
        off += sizes[n - 1]!;
      }
      const e = await t.throwsAsync(facade.getObject({ ...base, bucket: r.bucket, key, partNumber: 21 }), { instanceOf: SealError });
      t.is(e?.code, 'InvalidPartNumber');
    };
    await checkParts(r.facade, r.log, 'as uploaded');

    // a copy-to-self in 5 MiB backend parts (what a rewrap of an object over the copy limit does): the
    // backend's part boundaries are no longer ours, the committed layout still is
    const stored = await r.client.send(new HeadObjectCommand({ Bucket: r.bucket, Key: key }));
    await new S3ObjectStore(r.client, { copyObjectLimit: 5 * MiB }).replaceMetadata(r.bucket, key, stored.Metadata!, stored.ETag!, stored.ContentLength!);
    const recut = await r.client.send(new HeadObjectCommand({ Bucket: r.bucket, Key: key, PartNumber: 1 }));
    t.is(recut.ContentLength, 5 * MiB, 'the backend now cuts its parts elsewhere (a sealed 5 MiB part is 5 MiB + 64 + 80 tags)');
    const fresh = await setup('multi', keys, w.bucket);
    try {
      // the first part read of this instance learns the layout (whole-GET guess dropped, 20 headers, the part)
      fresh.log.sent.length = 0;
      t.true((await buffer((await fresh.facade.getObject({ ...base, bucket: r.bucket, key, partNumber: 3 })).body)).equals(parts[2]!));
      t.is(fresh.log.sent.length, 22);
      await checkParts(fresh.facade, fresh.log, 'after the re-cut');
      // the other instance's hint names the old ETag: one refused request, then a correct read
      r.log.sent.length = 0;
      t.true((await buffer((await r.facade.getObject({ ...base, bucket: r.bucket, key, partNumber: 20 })).body)).equals(parts[19]!));
      t.true(r.log.sent.length >= 2);
    } finally {
      await closeContainer(fresh.c);
    }
  } finally {
    await closeContainer(r.c);
  }
});
