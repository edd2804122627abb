/**
 * The engine facade on real servers (issue 7 item 1), through the container (TOKENS.ObjectFacade)
 * over MinIO, with the file keystore (SSE-S3) and local-kms (SSE-KMS, keys named by alias):
 * every mode round trip with the reader naming no mode, the SseResult echoes, content headers stored
 * by MinIO and returned, SSE-C read codes, a planted envelope refused before any KMS Decrypt, a
 * 3-part multipart upload (content headers kept across the layout commit) read whole and by range
 * across parts, and delete.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { ContainerModule } from 'inversify';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { bindService } from '../../src/index.js';
import { RecordingStore } from '../helpers/recording-store.js';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import type { EncryptionPlan, RangeRequest, SseResult } from '../../src/index.js';
import { closeContainer, createContainer, getService, SealError, TOKENS } from '../../src/index.js';
import { freshBucket, kmsClient, s3Client, service } from '../helpers/services.js';
import { kmsCallLog } from '../helpers/kms-call-log.js';
import { tempDir } from '../helpers/temp-dir.js';

const MiB = 1024 * 1024;
const md5 = (k: Buffer): string => createHash('md5').update(k).digest('base64');

async function setup(tag: string) {
  const m = service('minio');
  const kms = service('localkms');
  const admin = kmsClient(kms);
  const ks = new AwsKmsKeystore(admin);
  const rand = randomBytes(4).toString('hex');
  const [dflt, planted] = ['default', 'planted'].map((n) => `alias/facade-${tag}-${n}-${rand}`) as [string, string];
  const [dfltArn, plantedArn] = await Promise.all([dflt, planted].map(async (a) => (await ks.createKey(a)).keyId));
  const c = createContainer({
    backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    keystores: { file: { path: join(tempDir('facade'), 'keys.json'), create: true }, awskms: { endpoint: kms.endpoint, accessKeyId: kms.accessKey!, secretAccessKey: kms.secretKey!, rotateOnDemand: false } },
    uploadTokenRoot: randomBytes(32).toString('base64'),
    defaultKmsKey: dflt,
  }, {
    // every backend request the facade makes, by kind
    modules: [new ContainerModule(({ rebind }) => void bindService(rebind, TOKENS.ObjectStore).toDynamicValue((ctx) => new RecordingStore(new S3ObjectStore(getService(ctx, TOKENS.S3Client)))))],
  });
  const recording = getService(c, TOKENS.ObjectStore) as RecordingStore;
  const managed = await getService(c, TOKENS.FileKeystore).createKey('s3-default');
  const calls = kmsCallLog(getService(c, TOKENS.KmsClient));
  const bucket = await freshBucket(m, `facade-${tag}`);
  return {
    m,
    c,
    bucket,
    facade: getService(c, TOKENS.ObjectFacade),
    /** backend requests so far: [whole GETs, HEADs, ranged GETs] */
    requests: (): [number, number, number] => [recording.opens.length, recording.heads.length, recording.gets.length],
    dfltArn: dfltArn!,
    plantedArn: plantedArn!,
    managedId: managed.keyId,
    decrypts: (): number => calls.filter((x) => x === 'DecryptCommand').length,
    close: async (): Promise<void> => {
      await closeContainer(c);
      admin.destroy();
    },
  };
}

const headers = { contentType: 'application/x-ndjson', cacheControl: 'no-store', contentDisposition: 'inline; filename="a.json"', contentEncoding: 'identity', expires: 'Thu, 01 Jan 2032 00:00:00 GMT' };

function sameHeaders(t: { is: (a: unknown, b: unknown, m?: string) => void }, got: object, what: string): void {
  for (const [n, v] of Object.entries(headers)) t.is((got as Record<string, unknown>)[n], v, `${what}: ${n}`);
}

test('every mode through the facade on MinIO: round trip with the reader naming no mode, SseResult echoes, content headers stored and returned; SSE-C codes; a planted envelope is AccessDenied before any KMS Decrypt; delete', async (t) => {
  const s = await setup('modes');
  const customerKey = randomBytes(32);
  const body = randomBytes(150_001);
  const cases: [string, EncryptionPlan, SseResult][] = [
    ['sse-s3', { mode: 'SSE-S3' }, { mode: 'SSE-S3', keyId: s.managedId, bucketKeyEnabled: false }],
    ['sse-s3-bk', { mode: 'SSE-S3', bucketKey: true }, { mode: 'SSE-S3', keyId: s.managedId, bucketKeyEnabled: true }],
    ['sse-kms', { mode: 'SSE-KMS', context: { dept: 'payroll' } }, { mode: 'SSE-KMS', keyId: s.dfltArn, context: { dept: 'payroll' }, bucketKeyEnabled: false }],
    ['sse-kms-bk', { mode: 'SSE-KMS', context: { dept: 'hr', team: 'x' }, bucketKey: true }, { mode: 'SSE-KMS', keyId: s.dfltArn, context: { dept: 'hr', team: 'x' }, bucketKeyEnabled: true }],
    ['sse-c', { mode: 'SSE-C', customerKey: Buffer.from(customerKey) }, { mode: 'SSE-C', bucketKeyEnabled: false, customerKeyMd5: md5(customerKey) }],
  ];
  const raw = s3Client(s.m);
  for (const [key, encryption, sse] of cases) {
    const read = encryption.mode === 'SSE-C' ? { customerKey } : {};
    const put = await s.facade.putObject({ bucket: s.bucket, key, principal: 'svc', body, contentLength: body.length, encryption, userMetadata: { note: key }, ...headers });
    t.deepEqual(put.sse, sse, `${key}: PUT echo`);
    // MinIO itself stores the content headers
    const stored = await raw.send(new HeadObjectCommand({ Bucket: s.bucket, Key: key }));
    t.is(stored.ContentType, headers.contentType, `${key}: MinIO's Content-Type`);
    t.is(stored.CacheControl, headers.cacheControl);
    t.is(stored.ContentDisposition, headers.contentDisposition);
    t.is(stored.ExpiresString, headers.expires);
    t.not(stored.ContentLength, body.length, 'MinIO holds ciphertext');

    const head = await s.facade.headObject({ bucket: s.bucket, key, principal: 'svc', ...read });
    t.deepEqual(head.sse, sse, `${key}: HEAD echo`);
    t.is(head.contentLength, body.length);
    t.is(head.etag, put.etag);
    t.true(head.lastModified instanceof Date);
    t.deepEqual(head.userMetadata, { note: key });
    sameHeaders(t, head, `${key} HEAD`);
    const before = s.requests();
    const got = await s.facade.getObject({ bucket: s.bucket, key, principal: 'svc', ...read });
    const after = s.requests();
    t.deepEqual([after[0] - before[0], after[1] - before[1], after[2] - before[2]], [1, 0, 0], `${key}: a whole GET is one backend GET, no HEAD`);
    t.deepEqual(got.sse, sse, `${key}: GET echo`);
    sameHeaders(t, got, `${key} GET`);
    t.deepEqual(await buffer(got.body), body, `${key}: plaintext back`);
    const ranged = await s.facade.getObject({ bucket: s.bucket, key, principal: 'svc', ...read, range: { kind: 'from', first: 65_530, last: 65_545 } });
    t.deepEqual(ranged.contentRange, { start: 65_530, end: 65_545, total: body.length });
    t.deepEqual(await buffer(ranged.body), body.subarray(65_530, 65_546), `${key}: range across a chunk boundary`);
  }
  raw.destroy();

  const code = async (p: Promise<unknown>): Promise<string | undefined> => (await t.throwsAsync(p, { instanceOf: SealError }))?.code;
  t.is(await code(s.facade.getObject({ bucket: s.bucket, key: 'sse-c', principal: 'svc' })), 'InvalidRequest', 'SSE-C without key');
  t.is(await code(s.facade.getObject({ bucket: s.bucket, key: 'sse-c', principal: 'svc', customerKey: randomBytes(32) })), 'AccessDenied', 'SSE-C wrong key');
  t.is(await code(s.facade.headObject({ bucket: s.bucket, key: 'sse-c', principal: 'svc' })), 'InvalidRequest', 'SSE-C HEAD without key');
  t.is(await code(s.facade.headObject({ bucket: s.bucket, key: 'sse-c', principal: 'svc', customerKey: randomBytes(32) })), 'AccessDenied', 'SSE-C HEAD wrong key');
  t.is(await code(s.facade.getObject({ bucket: s.bucket, key: 'sse-kms', principal: 'svc', customerKey })), 'InvalidRequest', 'SSE-C key on an SSE-KMS object');

  // planted: written under a local-kms key this process can unwrap but is not configured to read
  const objects = getService(s.c, TOKENS.SealedObjects);
  const registry = getService(s.c, TOKENS.KeystoreRegistry);
  await objects.put({ bucket: s.bucket, key: 'planted' }, body, body.length, {}, registry.resolver({ mode: 'SSE-KMS', keyRef: s.plantedArn }));
  const before = s.decrypts();
  t.is(await code(s.facade.getObject({ bucket: s.bucket, key: 'planted', principal: 'svc' })), 'AccessDenied', 'planted');
  t.is(s.decrypts(), before, 'zero KMS Decrypt calls for the planted object');

  const deleted = await s.facade.deleteObject({ bucket: s.bucket, key: 'sse-kms', principal: 'svc' });
  t.is(deleted.versionId, undefined);
  const gone = await t.throwsAsync(s.facade.headObject({ bucket: s.bucket, key: 'sse-kms', principal: 'svc' }));
  // the backend's 404 as a typed error with S3's code and status (the S3 core answers NoSuchKey)
  t.like(gone, { name: 'BackendRequestError', s3Code: 'NotFound', status: 404 });
  await s.close();
});

for (const mode of ['SSE-KMS', 'SSE-C'] as const) {
  test(`${mode} multipart through the facade: 3 parts (5 MiB, 5 MiB, 1 MiB + 7) read back whole and by range across parts; content headers survive the layout commit; every response echoes`, async (t) => {
    const s = await setup(`mp-${mode.toLowerCase()}`);
    const customerKey = randomBytes(32);
    const encryption: EncryptionPlan = mode === 'SSE-C' ? { mode, customerKey: Buffer.from(customerKey) } : { mode, context: { job: 'mp' }, bucketKey: true };
    const sse: SseResult = mode === 'SSE-C' ? { mode, bucketKeyEnabled: false, customerKeyMd5: md5(customerKey) } : { mode, keyId: s.dfltArn, context: { job: 'mp' }, bucketKeyEnabled: true };
    const read = mode === 'SSE-C' ? { customerKey } : {};
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(MiB + 7)];
    const whole = Buffer.concat(parts);
    const key = 'big/object';
    const created = await s.facade.createMultipartUpload({ bucket: s.bucket, key, principal: 'svc', encryption, userMetadata: { kind: 'mp' }, ...headers });
    t.deepEqual(created.sse, sse, 'Create echo');
    const etags = await Promise.all(
      parts.map(async (p, i) => {
        const r = await s.facade.uploadPart({ bucket: s.bucket, key, principal: 'svc', uploadId: created.uploadId, partNumber: i + 1, body: p, contentLength: p.length, ...read });
        t.deepEqual(r.sse, sse, `UploadPart ${i + 1} echo`);
        return { partNumber: i + 1, etag: r.etag };
      }),
    );
    const done = await s.facade.completeMultipartUpload({ bucket: s.bucket, key, principal: 'svc', uploadId: created.uploadId, parts: etags, ...read });
    t.deepEqual(done.sse, sse, 'Complete echo');

    const head = await s.facade.headObject({ bucket: s.bucket, key, principal: 'svc', ...read });
    t.is(head.contentLength, whole.length);
    t.is(head.etag, done.etag);
    t.deepEqual(head.userMetadata, { kind: 'mp' });
    sameHeaders(t, head, 'multipart HEAD after commit');
    const before = s.requests();
    const got = await s.facade.getObject({ bucket: s.bucket, key, principal: 'svc', ...read });
    const after = s.requests();
    t.deepEqual([after[0] - before[0], after[1] - before[1], after[2] - before[2]], [1, 0, 0], 'a whole multipart GET: one GET, no HEAD; the part headers were checked by this instance at Complete (a fresh reader: test/integration/read-requests.test.ts)');
    t.deepEqual(got.sse, sse);
    t.true((await buffer(got.body)).equals(whole), 'whole');
    const ranges: [RangeRequest, number, number][] = [
      [{ kind: 'from', first: 5 * MiB - 3, last: 5 * MiB + 2 }, 5 * MiB - 3, 5 * MiB + 2],
      [{ kind: 'from', first: 5 * MiB - 100, last: 10 * MiB + 100 }, 5 * MiB - 100, 10 * MiB + 100],
      [{ kind: 'suffix', length: MiB + 10 }, whole.length - MiB - 10, whole.length - 1],
      [{ kind: 'from', first: 0, last: 0 }, 0, 0],
    ];
    for (const [range, start, end] of ranges) {
      const r = await s.facade.getObject({ bucket: s.bucket, key, principal: 'svc', ...read, range });
      t.deepEqual(r.contentRange, { start, end, total: whole.length });
      t.true((await buffer(r.body)).equals(whole.subarray(start, end + 1)), JSON.stringify(range));
    }
    // an aborted upload: its token still authenticates, the backend upload is gone
    const other = await s.facade.createMultipartUpload({ bucket: s.bucket, key: 'aborted', principal: 'svc', encryption });
    await s.facade.abortMultipartUpload({ bucket: s.bucket, key: 'aborted', principal: 'svc', uploadId: other.uploadId });
    await t.throwsAsync(s.facade.uploadPart({ bucket: s.bucket, key: 'aborted', principal: 'svc', uploadId: other.uploadId, partNumber: 1, body: parts[2]!, contentLength: parts[2]!.length, ...read }));
    await s.close();
  });
}

test('PutObject of unknown length: a body within one part is one PUT; a longer one (also exactly n parts) goes up as multipart in 8 MiB parts and reads back whole and by range; in every mode', async (t) => {
  const s = await setup('unknown');
  const objects = getService(s.c, TOKENS.SealedObjects);
  const customerKey = randomBytes(32);
  // a stream of odd-sized pieces whose length the facade is not told
  const stream = (b: Buffer): Readable => Readable.from((function* () {
    for (let i = 0; i < b.length; i += 777_777) yield b.subarray(i, i + 777_777);
  })());
  const cases: [string, EncryptionPlan, number, boolean][] = [
    ['small', { mode: 'SSE-S3' }, MiB + 3, false],
    ['one-full-part', { mode: 'SSE-KMS', context: { a: 'b' } }, 8 * MiB, false],
    ['three-parts-kms', { mode: 'SSE-KMS', context: { a: 'b' }, bucketKey: true }, 17 * MiB + 5, true],
    ['two-full-parts-s3', { mode: 'SSE-S3' }, 16 * MiB, true],
    ['three-parts-ssec', { mode: 'SSE-C', customerKey: Buffer.from(customerKey) }, 16 * MiB + 1, true],
  ];
  for (const [key, encryption, size, multipart] of cases) {
    const body = randomBytes(size);
    const read = encryption.mode === 'SSE-C' ? { customerKey } : {};
    const put = await s.facade.putObject({ bucket: s.bucket, key, principal: 'svc', body: stream(body), encryption, userMetadata: { k: key }, contentType: 'application/octet-stream' });
    t.is(put.sse.mode, encryption.mode, `${key}: echo`);
    const head = await objects.head({ bucket: s.bucket, key });
    t.is(head.envelope?.uploadNonce !== undefined, multipart, `${key}: ${multipart ? 'multipart' : 'single PUT'}`);
    t.is(head.plaintextLength, size);
    t.is(head.headers.contentType, 'application/octet-stream');
    t.deepEqual(head.userMetadata, { k: key });
    const got = await s.facade.getObject({ bucket: s.bucket, key, principal: 'svc', ...read });
    t.true((await buffer(got.body)).equals(body), `${key}: whole`);
    const first = Math.min(8 * MiB - 2, size - 4);
    const r = await s.facade.getObject({ bucket: s.bucket, key, principal: 'svc', ...read, range: { kind: 'from', first, last: first + 3 } });
    t.true((await buffer(r.body)).equals(body.subarray(first, first + 4)), `${key}: range (at the part boundary where there is one)`);
  }
  // a body that fails midway: nothing is stored and the upload is aborted
  const failing = Readable.from((async function* () {
    yield randomBytes(9 * MiB);
    throw new Error('client went away');
  })());
  await t.throwsAsync(s.facade.putObject({ bucket: s.bucket, key: 'failed', principal: 'svc', body: failing, encryption: { mode: 'SSE-S3' } }), { message: 'client went away' });
  t.like(await t.throwsAsync(objects.head({ bucket: s.bucket, key: 'failed' })), { name: 'BackendRequestError', status: 404 });
  const raw = s3Client(s.m);
  const uploads = await raw.send(new ListMultipartUploadsCommand({ Bucket: s.bucket }));
  t.is(uploads.Uploads?.length ?? 0, 0, 'the upload was aborted');
  raw.destroy();
  await s.close();
});
