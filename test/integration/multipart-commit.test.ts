/**
 * The layout commit of a multipart upload (issue 6, item 7), wire-level through a recording proxy in
 * front of real MinIO and SeaweedFS:
 * - the backend gets CRC32 checksums of the ciphertext (PUT, UploadPart, a FULL_OBJECT upload), so
 *   the commit — a conditional self-CopyObject with replaced metadata — stays metadata-only: the
 *   object keeps its ETag and its CRC32 (MinIO rewrites a copied object that has no checksum, adding
 *   a CRC64NVME and a new ETag);
 * - over the copy limit the commit is a multipart copy, every UploadPartCopy and the final Complete
 *   conditional on the ETag, and the object reads back whole and by range;
 * - a write that lands between Complete and the commit is never overwritten.
 * Not timed: the speed rule is checked by what the backend received and kept.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { crc32 } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { SsecKeyResolver } from '../../src/engine/materials/ssec-key-resolver.js';
import { ENVELOPE_METADATA_KEY } from '../../src/crypto/constants.js';
import { freshBucket, s3Client, service, type ServiceDescriptor } from '../helpers/services.js';
import { RecordingProxy, sentCrc32, type SeenRequest } from '../helpers/recording-proxy.js';

const MiB = 1024 * 1024;

interface Setup {
  desc: ServiceDescriptor;
  proxy: RecordingProxy;
  /** through the proxy: what s3seal uses */
  viaProxy: S3Client;
  /** straight to the server: raw reads and concurrent writers */
  direct: S3Client;
  bucket: string;
  cleanup: () => Promise<void>;
}

async function setup(name: 'minio' | 'seaweedfs', clientOptions: { requestChecksumCalculation?: 'WHEN_REQUIRED' } = {}): Promise<Setup> {
  const desc = service(name);
  const bucket = await freshBucket(desc, 'commit');
  const proxy = new RecordingProxy(new URL(desc.endpoint));
  const endpoint = await proxy.start();
  const viaProxy = new S3Client({
    endpoint,
    region: desc.region ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: desc.accessKey!, secretAccessKey: desc.secretKey! },
    ...clientOptions,
  });
  const direct = s3Client(desc);
  return {
    desc,
    proxy,
    viaProxy,
    direct,
    bucket,
    cleanup: async () => {
      viaProxy.destroy();
      direct.destroy();
      await proxy.stop();
    },
  };
}

async function rawGet(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

function crc32Base64(b: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b));
  return out.toString('base64');
}

function pieces(data: Buffer): Readable {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += 65521) out.push(data.subarray(i, i + 65521));
  return Readable.from(out);
}

/** create + upload + complete through `sealed`; returns the plaintext */
async function multipart(sealed: SealedObjects, o: { bucket: string; key: string }, keys: SsecKeyResolver, sizes: number[]): Promise<Buffer> {
  const parts = sizes.map((n) => randomBytes(n));
  const token = await sealed.createMultipart(o, { owner: 'ada' }, keys);
  const etags: string[] = [];
  for (const [i, p] of parts.entries()) etags.push(await sealed.uploadPart(o, token, i + 1, pieces(p), p.length, keys));
  await sealed.completeMultipart(o, token, etags.map((etag, i) => ({ partNumber: i + 1, etag })), keys);
  return Buffer.concat(parts);
}

function header(r: SeenRequest, name: string): string | undefined {
  const v = r.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

async function readBack(t: import('ava').ExecutionContext, sealed: SealedObjects, o: { bucket: string; key: string }, keys: SsecKeyResolver, plain: Buffer): Promise<void> {
  t.true((await buffer((await sealed.get(o, keys)).stream)).equals(plain), 'whole object');
  for (const [start, end] of [[0, 0], [5 * MiB - 10, 5 * MiB + 10], [6 * MiB - 200, 6 * MiB + 70_000], [plain.length - 1, plain.length - 1]] as const) {
    if (end >= plain.length) continue;
    const got = await buffer((await sealed.get(o, keys, { start, end })).stream);
    t.true(got.equals(plain.subarray(start, end + 1)), `range ${start}-${end}`);
  }
}

for (const name of ['minio', 'seaweedfs'] as const) {
  test(`${name}: multipart parts carry ciphertext CRC32s into a FULL_OBJECT upload, and the commit is one conditional metadata-only CopyObject: the object keeps its ETag and CRC32`, async (t) => {
    const s = await setup(name);
    try {
      const sealed = new SealedObjects(new S3ObjectStore(s.viaProxy), { uploadTokenRoot: randomBytes(32) });
      const o = { bucket: s.bucket, key: 'dir/mp object' };
      const keys = new SsecKeyResolver(randomBytes(32));
      const plain = await multipart(sealed, o, keys, [5 * MiB, 100_000]);

      const [create, ...moreCreates] = s.proxy.ofOperation('CreateMultipartUpload');
      t.is(moreCreates.length, 0);
      t.is(header(create!, 'x-amz-checksum-algorithm'), 'CRC32');
      t.is(header(create!, 'x-amz-checksum-type'), 'FULL_OBJECT');
      const uploads = s.proxy.ofOperation('UploadPart');
      t.is(uploads.length, 2);
      for (const u of uploads) t.true(sentCrc32(u), `UploadPart ${u.url.searchParams.get('partNumber')} carries a CRC32`);

      const copies = s.proxy.ofOperation('CopyObject');
      t.is(copies.length, 1, 'one CopyObject commits the layout');
      t.is(s.proxy.ofOperation('UploadPartCopy').length, 0);
      const copy = copies[0]!;
      t.is(header(copy, 'x-amz-metadata-directive'), 'REPLACE');
      const completedEtag = header(copy, 'x-amz-copy-source-if-match');
      t.truthy(completedEtag, 'the commit is conditional on the ETag Complete returned');
      t.is(header(copy, 'x-amz-checksum-algorithm'), undefined, 'no checksum algorithm on the copy: asking for one makes MinIO rewrite');

      const head = await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: o.key, ChecksumMode: 'ENABLED' }));
      // metadata-only: the bytes (and so the multipart ETag) are the ones Complete assembled
      t.is(head.ETag, completedEtag);
      t.regex(head.ETag ?? '', /-2"?$/);
      const raw = await rawGet(s.direct, s.bucket, o.key);
      t.is(head.ChecksumCRC32, crc32Base64(raw), 'the backend keeps a full-object CRC32 of the ciphertext');
      t.is(head.ChecksumCRC64NVME, undefined, 'no checksum added by a rewriting copy');
      t.truthy(head.Metadata?.[ENVELOPE_METADATA_KEY]);
      t.is(head.Metadata?.['owner'], 'ada');
      await readBack(t, sealed, o, keys, plain);
    } finally {
      await s.cleanup();
    }
  });

  test(`${name}: a single PUT carries a CRC32 of the ciphertext even from a client that sends checksums only when required`, async (t) => {
    const s = await setup(name, { requestChecksumCalculation: 'WHEN_REQUIRED' });
    try {
      const sealed = new SealedObjects(new S3ObjectStore(s.viaProxy), { uploadTokenRoot: randomBytes(32) });
      const o = { bucket: s.bucket, key: 'single' };
      const keys = new SsecKeyResolver(randomBytes(32));
      const plain = randomBytes(300_001);
      await sealed.put(o, pieces(plain), plain.length, {}, keys);
      const [put] = s.proxy.ofOperation('PutObject');
      t.true(sentCrc32(put!), 'PutObject carries a CRC32');
      const head = await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: o.key, ChecksumMode: 'ENABLED' }));
      t.is(head.ChecksumCRC32, crc32Base64(await rawGet(s.direct, s.bucket, o.key)));
      t.true((await buffer((await sealed.get(o, keys)).stream)).equals(plain));
    } finally {
      await s.cleanup();
    }
  });

  test(`${name}: over the copy limit (6 MiB) the commit is a multipart copy, each UploadPartCopy and its Complete conditional on the ETag; the object reads back whole and by range`, async (t) => {
    const s = await setup(name);
    try {
      const sealed = new SealedObjects(new S3ObjectStore(s.viaProxy, { copyObjectLimit: 6 * MiB }), { uploadTokenRoot: randomBytes(32) });
      const o = { bucket: s.bucket, key: 'big/object' };
      const keys = new SsecKeyResolver(randomBytes(32));
      const plain = await multipart(sealed, o, keys, [5 * MiB, 5 * MiB, MiB + 3]);

      t.is(s.proxy.ofOperation('CopyObject').length, 0, 'no single CopyObject over the limit');
      const completes = s.proxy.ofOperation('CompleteMultipartUpload');
      t.is(completes.length, 2, 'the upload, then the multipart copy');
      const partCopies = s.proxy.ofOperation('UploadPartCopy');
      const size = (await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: o.key }))).ContentLength!;
      t.is(partCopies.length, Math.ceil(size / (6 * MiB)));
      const etag = header(partCopies[0]!, 'x-amz-copy-source-if-match');
      t.truthy(etag);
      const ranges = partCopies.map((r) => header(r, 'x-amz-copy-source-range')).sort((a, b) => Number(/=(\d+)/.exec(a!)![1]) - Number(/=(\d+)/.exec(b!)![1]));
      t.deepEqual(ranges, partCopies.map((_, i) => `bytes=${i * 6 * MiB}-${Math.min((i + 1) * 6 * MiB, size) - 1}`));
      for (const r of partCopies) t.is(header(r, 'x-amz-copy-source-if-match'), etag, 'every part copy is conditional on the completed ETag');
      t.is(header(completes[1]!, 'if-match'), etag, 'the copy replaces the object only if it is still the completed one');

      const head = await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: o.key }));
      t.truthy(head.Metadata?.[ENVELOPE_METADATA_KEY]);
      t.is(head.Metadata?.['owner'], 'ada');
      await readBack(t, sealed, o, keys, plain);
      const open = await s.direct.send(new ListMultipartUploadsCommand({ Bucket: s.bucket, Prefix: o.key }));
      t.is(open.Uploads?.length ?? 0, 0, 'no multipart upload left open');
    } finally {
      await s.cleanup();
    }
  });

  const races = [
    { where: 'before the CopyObject', copyLimit: undefined, at: (r: SeenRequest) => r.method === 'PUT' && !r.url.searchParams.has('uploadId') && r.headers['x-amz-copy-source'] !== undefined },
    { where: 'before the first UploadPartCopy', copyLimit: 6 * MiB, at: (r: SeenRequest) => r.method === 'PUT' && r.url.searchParams.has('uploadId') && r.headers['x-amz-copy-source'] !== undefined },
    { where: 'before the multipart copy completes', copyLimit: 6 * MiB, at: (r: SeenRequest, completes: number) => r.method === 'POST' && r.url.searchParams.has('uploadId') && completes === 1 },
  ];
  for (const race of races) {
    test(`${name}: a write that lands between Complete and the commit (${race.where}) is never overwritten`, async (t) => {
      const s = await setup(name);
      try {
        const store = new S3ObjectStore(s.viaProxy, race.copyLimit !== undefined ? { copyObjectLimit: race.copyLimit } : {});
        const sealed = new SealedObjects(store, { uploadTokenRoot: randomBytes(32) });
        const o = { bucket: s.bucket, key: 'raced' };
        const keys = new SsecKeyResolver(randomBytes(32));
        const parts = [randomBytes(5 * MiB), randomBytes(2 * MiB)];
        const token = await sealed.createMultipart(o, {}, keys);
        const etags: string[] = [];
        for (const [i, p] of parts.entries()) etags.push(await sealed.uploadPart(o, token, i + 1, p, p.length, keys));
        const concurrent = Buffer.from('a concurrent writer');
        let seen = 0;
        let fired = false;
        s.proxy.beforeForward = async (r) => {
          const hit = !fired && race.at(r, seen);
          if (r.method === 'POST' && r.url.searchParams.has('uploadId')) seen++;
          if (!hit) return;
          fired = true;
          await s.direct.send(new PutObjectCommand({ Bucket: s.bucket, Key: o.key, Body: concurrent, Metadata: { writer: 'other' } }));
        };
        const err = await t.throwsAsync(sealed.completeMultipart(o, token, etags.map((etag, i) => ({ partNumber: i + 1, etag })), keys));
        t.true(fired, 'the concurrent write happened at that point');
        t.like(err, { name: 'BackendRequestError', s3Code: 'PreconditionFailed', status: 412 }, 'the commit fails its precondition');
        t.true((await rawGet(s.direct, s.bucket, o.key)).equals(concurrent), 'the concurrent write survives');
        const head = await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: o.key }));
        t.is(head.Metadata?.['writer'], 'other');
        t.is(head.Metadata?.[ENVELOPE_METADATA_KEY], undefined);
        const open = await s.direct.send(new ListMultipartUploadsCommand({ Bucket: s.bucket, Prefix: o.key }));
        t.is(open.Uploads?.length ?? 0, 0, 'the multipart copy was aborted');
      } finally {
        await s.cleanup();
      }
    });
  }
}
