/**
 * CopyObject and UploadPartCopy through the engine facade on real MinIO (issue 7 items 4 and 5):
 * SSE-C key rotation by copy-to-self, S3's copy-to-self rule, COPY vs REPLACE metadata directives,
 * CopySourceIf* (412, nothing written), a concurrent overwrite between the read and the copy, a
 * 3-part multipart source copied to another key (ranged reads across parts exact), a copy over the
 * backend's copy limit by UploadPartCopy, UploadPartCopy of ranges of a sealed source into a new
 * upload, and the refusals (a source key not configured for reading, a plaintext source outside
 * the passthrough prefix).
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BackendRequestError } from '../../src/backends/backend-request-error.js';
import { copySourceCondition } from '../../src/adapters/s3/copy-source-condition.js';
import { SealError, type EncryptionPlan } from '../../src/index.js';
import { copySetup, type CopySetup } from '../helpers/copy-setup.js';

const MiB = 1024 * 1024;

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return err instanceof SealError ? err.code : (err as Error).name;
  }
}

async function exists(s: CopySetup, key: string): Promise<boolean> {
  try {
    await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

async function read(s: CopySetup, key: string, customerKey?: Buffer, range?: [number, number]): Promise<Buffer> {
  const got = await s.facade.getObject({ bucket: s.bucket, key, principal: 'svc', ...(customerKey ? { customerKey } : {}), ...(range ? { range: { kind: 'from' as const, first: range[0], last: range[1] } } : {}) });
  return buffer(got.body);
}

/** a 3-part multipart object (5 MiB, 5 MiB, 1 MiB + 3) through the facade; returns its plaintext */
async function putMultipart(s: CopySetup, key: string, encryption: EncryptionPlan): Promise<Buffer> {
  const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(MiB + 3)];
  const customerKey = encryption.mode === 'SSE-C' ? { customerKey: encryption.customerKey } : {};
  const up = await s.facade.createMultipartUpload({ bucket: s.bucket, key, principal: 'svc', encryption });
  const done = [];
  for (const [i, p] of parts.entries()) {
    const r = await s.facade.uploadPart({ bucket: s.bucket, key, principal: 'svc', uploadId: up.uploadId, partNumber: i + 1, body: p, contentLength: p.length, ...customerKey });
    done.push({ partNumber: i + 1, etag: r.etag });
  }
  await s.facade.completeMultipartUpload({ bucket: s.bucket, key, principal: 'svc', uploadId: up.uploadId, parts: done, ...customerKey });
  return Buffer.concat(parts);
}

/** ranged reads that start, end and cross at part and chunk boundaries */
function rangesOf(total: number): [number, number][] {
  const p = 5 * MiB;
  return [
    [0, 0],
    [p - 1, p],
    [p - 10, 2 * p + 10],
    [2 * p, 2 * p],
    [65_535, 65_536],
    [total - 1, total - 1],
    [3, total - 4],
  ];
}

test('SSE-C key rotation by copy-to-self: a re-wrap (one CopyObject, no body upload); afterwards the old key is AccessDenied and the new key reads', async (t) => {
  const s = await copySetup('rotate');
  try {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const body = randomBytes(70_001);
    await s.facade.putObject({ bucket: s.bucket, key: 'k', principal: 'svc', body, contentLength: body.length, encryption: { mode: 'SSE-C', customerKey: Buffer.from(oldKey) }, userMetadata: { kept: 'yes' } });
    s.proxy.clear();
    const r = await s.facade.copyObject({
      principal: 'svc',
      source: { bucket: s.bucket, key: 'k', customerKey: oldKey },
      bucket: s.bucket,
      key: 'k',
      encryption: { mode: 'SSE-C', customerKey: Buffer.from(newKey) },
      encryptionRequested: true,
      metadataDirective: 'COPY',
    });
    t.is(r.sse.mode, 'SSE-C');
    t.deepEqual([s.count('CopyObject'), s.count('PutObject'), s.count('UploadPart')], [1, 0, 0]);
    t.is(await code(read(s, 'k', oldKey)), 'AccessDenied', 'the old key is refused (403) after rotation');
    t.is(await code(s.facade.headObject({ bucket: s.bucket, key: 'k', principal: 'svc', customerKey: oldKey })), 'AccessDenied');
    t.true((await read(s, 'k', newKey)).equals(body), 'the new key reads');
    t.deepEqual((await s.facade.headObject({ bucket: s.bucket, key: 'k', principal: 'svc', customerKey: newKey })).userMetadata, { kept: 'yes' });
    // with the wrong source key nothing is copied at all
    s.proxy.clear();
    t.is(await code(s.facade.copyObject({ principal: 'svc', source: { bucket: s.bucket, key: 'k', customerKey: oldKey }, bucket: s.bucket, key: 'k2', encryption: { mode: 'SSE-S3' }, encryptionRequested: false, metadataDirective: 'COPY' })), 'AccessDenied');
    t.is(s.count('CopyObject'), 0);
    t.false(await exists(s, 'k2'));
  } finally {
    await s.close();
  }
});

test('copy-to-self changing nothing is InvalidRequest (S3 text) and reaches no backend copy; REPLACE or new SSE headers make it legal', async (t) => {
  const s = await copySetup('self');
  try {
    const body = randomBytes(1000);
    await s.facade.putObject({ bucket: s.bucket, key: 'k', principal: 'svc', body, contentLength: body.length, encryption: { mode: 'SSE-S3' } });
    const before = (await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'k' }))).ETag;
    s.proxy.clear();
    const err = await t.throwsAsync(s.facade.copyObject({ principal: 'svc', source: { bucket: s.bucket, key: 'k' }, bucket: s.bucket, key: 'k', encryption: { mode: 'SSE-S3' }, encryptionRequested: false, metadataDirective: 'COPY' }), { instanceOf: SealError });
    t.is(err?.code, 'InvalidRequest');
    t.regex(err?.message ?? '', /This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata/);
    t.is(s.proxy.requests.length, 0, 'refused before any backend request');
    t.is((await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'k' }))).ETag, before);

    await s.facade.copyObject({ principal: 'svc', source: { bucket: s.bucket, key: 'k' }, bucket: s.bucket, key: 'k', encryption: { mode: 'SSE-S3' }, encryptionRequested: false, metadataDirective: 'REPLACE', userMetadata: { v: '2' } });
    t.deepEqual((await s.facade.headObject({ bucket: s.bucket, key: 'k', principal: 'svc' })).userMetadata, { v: '2' });
    const toKms = await s.facade.copyObject({ principal: 'svc', source: { bucket: s.bucket, key: 'k' }, bucket: s.bucket, key: 'k', encryption: { mode: 'SSE-KMS', keyRef: s.kmsB }, encryptionRequested: true, metadataDirective: 'COPY' });
    t.is(toKms.sse.keyId, s.kmsB, 'rotation from SSE-S3 to SSE-KMS in place');
    t.true((await read(s, 'k')).equals(body));
  } finally {
    await s.close();
  }
});

test('metadata directive: COPY keeps user metadata and content headers; REPLACE stores the new ones and drops the rest', async (t) => {
  const s = await copySetup('directive');
  try {
    const body = randomBytes(5000);
    const headers = { contentType: 'text/csv', cacheControl: 'no-cache', contentDisposition: 'attachment; filename="a.csv"', contentEncoding: 'identity', expires: 'Thu, 01 Jan 2032 00:00:00 GMT' };
    await s.facade.putObject({ bucket: s.bucket, key: 'src', principal: 'svc', body, contentLength: body.length, encryption: { mode: 'SSE-KMS', keyRef: s.kmsA }, userMetadata: { a: '1', b: '2' }, ...headers });
    const base = { principal: 'svc', source: { bucket: s.bucket, key: 'src' }, bucket: s.bucket, encryption: { mode: 'SSE-S3' } as EncryptionPlan, encryptionRequested: false };
    await s.facade.copyObject({ ...base, key: 'copy', metadataDirective: 'COPY', userMetadata: { ignored: 'x' }, contentType: 'ignored/type' });
    const copied = await s.facade.headObject({ bucket: s.bucket, key: 'copy', principal: 'svc' });
    t.deepEqual(copied.userMetadata, { a: '1', b: '2' });
    for (const [n, v] of Object.entries(headers)) t.is((copied as unknown as Record<string, unknown>)[n], v, `COPY keeps ${n}`);

    await s.facade.copyObject({ ...base, key: 'replaced', metadataDirective: 'REPLACE', userMetadata: { c: '3' }, contentType: 'application/json' });
    const replaced = await s.facade.headObject({ bucket: s.bucket, key: 'replaced', principal: 'svc' });
    t.deepEqual(replaced.userMetadata, { c: '3' });
    t.is(replaced.contentType, 'application/json');
    t.is(replaced.cacheControl, undefined, 'REPLACE drops content headers not given');
    t.is(replaced.contentDisposition, undefined);
    t.is(replaced.expires, undefined);
    t.true((await read(s, 'replaced')).equals(body));
    // the reserved prefix stays reserved on REPLACE
    t.is(await code(s.facade.copyObject({ ...base, key: 'bad', metadataDirective: 'REPLACE', userMetadata: { 'S3seal-x': 'y' } })), 'InvalidArgument');
    t.false(await exists(s, 'bad'));
  } finally {
    await s.close();
  }
});

test('CopySourceIf*: a failing condition is PreconditionFailed and nothing is written; a holding one copies', async (t) => {
  const s = await copySetup('ifmatch');
  try {
    const body = randomBytes(3000);
    const put = await s.facade.putObject({ bucket: s.bucket, key: 'src', principal: 'svc', body, contentLength: body.length, encryption: { mode: 'SSE-S3' } });
    const lastModified = (await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'src' }))).LastModified!;
    const past = new Date(lastModified.getTime() - 3_600_000).toUTCString();
    const future = new Date(lastModified.getTime() + 3_600_000).toUTCString();
    const copy = (key: string, h: Record<string, string>) =>
      s.facade.copyObject({ principal: 'svc', source: { bucket: s.bucket, key: 'src' }, ...(copySourceCondition(h) ? { sourceCondition: copySourceCondition(h)! } : {}), bucket: s.bucket, key, encryption: { mode: 'SSE-S3' }, encryptionRequested: false, metadataDirective: 'COPY' });
    const failing: [string, Record<string, string>][] = [
      ['if-match other', { 'x-amz-copy-source-if-match': '"0123456789abcdef0123456789abcdef"' }],
      ['if-none-match current', { 'x-amz-copy-source-if-none-match': put.etag }],
      ['if-unmodified-since past', { 'x-amz-copy-source-if-unmodified-since': past }],
      ['if-modified-since future', { 'x-amz-copy-source-if-modified-since': future }],
    ];
    for (const [what, h] of failing) {
      s.proxy.clear();
      t.is(await code(copy(`d-${what.replace(/ /g, '-')}`, h)), 'PreconditionFailed', what);
      t.is(s.count('CopyObject') + s.count('PutObject'), 0, `${what}: nothing written`);
      t.false(await exists(s, `d-${what.replace(/ /g, '-')}`));
    }
    // S3's documented pairs: If-Match true + If-Unmodified-Since false → copy
    await copy('ok', { 'x-amz-copy-source-if-match': put.etag, 'x-amz-copy-source-if-unmodified-since': past });
    t.true((await read(s, 'ok')).equals(body));
  } finally {
    await s.close();
  }
});

test('a concurrent overwrite between the read and the backend copy is not silently overwritten: the copy fails (412) and writes nothing', async (t) => {
  const s = await copySetup('race');
  try {
    const body = randomBytes(4000);
    const theirs = randomBytes(4000);
    await s.facade.putObject({ bucket: s.bucket, key: 'k', principal: 'svc', body, contentLength: body.length, encryption: { mode: 'SSE-KMS', keyRef: s.kmsA } });
    let raced = false;
    s.proxy.beforeForward = async (r) => {
      if (raced || r.method !== 'PUT' || r.headers['x-amz-copy-source'] === undefined) return;
      raced = true;
      // another writer replaces the source after s3seal read it and before its copy lands
      await s.objects.put({ bucket: s.bucket, key: 'k' }, theirs, theirs.length, {}, s.registry.resolver({ mode: 'SSE-KMS', keyRef: s.kmsA }));
    };
    for (const key of ['k', 'other']) {
      raced = false;
      const err = await t.throwsAsync(s.facade.copyObject({ principal: 'svc', source: { bucket: s.bucket, key: 'k' }, bucket: s.bucket, key, encryption: { mode: 'SSE-C', customerKey: randomBytes(32) }, encryptionRequested: true, metadataDirective: 'COPY' }));
      t.true(raced, `${key}: the race happened`);
      t.true(err instanceof BackendRequestError && err.status === 412 && err.s3Code === 'PreconditionFailed', `${key}: the backend refused the copy (CopySourceIfMatch)`);
      t.true((await read(s, 'k')).equals(theirs), `${key}: the concurrent write stands`);
    }
    t.false(await exists(s, 'other'), 'no copy to another key either');
  } finally {
    s.proxy.beforeForward = undefined;
    await s.close();
  }
});

test('a 3-part multipart object copied to another key and mode, then re-wrapped in place to another KMS key, keeps its committed layout: whole and ranged reads across parts exact; the copy to another key is one UploadPartCopy (so it keeps a multipart ETag), the in-place re-wrap one CopyObject; no part upload', async (t) => {
  const s = await copySetup('mp');
  try {
    const plain = await putMultipart(s, 'mp', { mode: 'SSE-KMS', keyRef: s.kmsA, context: { a: 'b' } });
    const customerKey = randomBytes(32);
    s.proxy.clear();
    await s.facade.copyObject({ principal: 'svc', source: { bucket: s.bucket, key: 'mp' }, bucket: s.bucket, key: 'elsewhere/mp-copy', encryption: { mode: 'SSE-C', customerKey: Buffer.from(customerKey) }, encryptionRequested: true, metadataDirective: 'COPY' });
    // one CopyObject would give the copy a plain ETag on MinIO, and the listing would size it as single-part
    t.deepEqual([s.count('CopyObject'), s.count('UploadPart'), s.count('UploadPartCopy'), s.count('PutObject')], [0, 0, 1, 0]);
    t.regex((await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'elsewhere/mp-copy' }))).ETag ?? '', /-1"$/);
    t.is((await s.facade.headObject({ bucket: s.bucket, key: 'elsewhere/mp-copy', principal: 'svc', customerKey })).contentLength, plain.length);
    t.true((await read(s, 'elsewhere/mp-copy', customerKey)).equals(plain), 'whole read');
    for (const [a, z] of rangesOf(plain.length)) t.true((await read(s, 'elsewhere/mp-copy', customerKey, [a, z])).equals(plain.subarray(a, z + 1)), `range ${a}-${z}`);
    // and the metadata-only re-wrap in place (copy-to-self to another key), as a key rotation does it
    s.proxy.clear();
    await s.facade.copyObject({ principal: 'svc', source: { bucket: s.bucket, key: 'mp' }, bucket: s.bucket, key: 'mp', encryption: { mode: 'SSE-KMS', keyRef: s.kmsB }, encryptionRequested: true, metadataDirective: 'COPY' });
    t.deepEqual([s.count('CopyObject'), s.count('UploadPart'), s.count('PutObject')], [1, 0, 0]);
    t.is((await s.facade.headObject({ bucket: s.bucket, key: 'mp', principal: 'svc' })).sse?.keyId, s.kmsB);
    for (const [a, z] of rangesOf(plain.length)) t.true((await read(s, 'mp', undefined, [a, z])).equals(plain.subarray(a, z + 1)), `in place: range ${a}-${z}`);
  } finally {
    await s.close();
  }
});

test('a copy over the backend copy limit (6 MiB here, 5 GiB on AWS) goes by UploadPartCopy, conditional on the source ETag; the copy reads exact', async (t) => {
  const s = await copySetup('limit', { copyObjectLimit: 6 * MiB });
  try {
    const plain = await putMultipart(s, 'big', { mode: 'SSE-S3' });
    const srcEtag = (await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'big' }))).ETag;
    s.proxy.clear();
    await s.facade.copyObject({ principal: 'svc', source: { bucket: s.bucket, key: 'big' }, bucket: s.bucket, key: 'big-copy', encryption: { mode: 'SSE-KMS', keyRef: s.kmsB }, encryptionRequested: true, metadataDirective: 'COPY' });
    const partCopies = s.proxy.ofOperation('UploadPartCopy');
    t.is(partCopies.length, 2, '11 MiB of ciphertext in 6 MiB part copies');
    t.true(partCopies.every((r) => r.headers['x-amz-copy-source-if-match'] === srcEtag), 'every part copy conditional on the source ETag');
    t.deepEqual([s.count('CopyObject'), s.count('UploadPart'), s.count('PutObject'), s.count('CompleteMultipartUpload')], [0, 0, 0, 1]);
    t.true((await read(s, 'big-copy')).equals(plain));
    for (const [a, z] of rangesOf(plain.length)) t.true((await read(s, 'big-copy', undefined, [a, z])).equals(plain.subarray(a, z + 1)), `range ${a}-${z}`);
  } finally {
    await s.close();
  }
});

test('UploadPartCopy: ranges of a sealed source (and a whole one) become parts of a new upload in another mode; Complete and read back exact', async (t) => {
  const s = await copySetup('upc');
  try {
    const srcKey = randomBytes(32);
    const source = randomBytes(12 * MiB + 5);
    await s.facade.putObject({ bucket: s.bucket, key: 'src', principal: 'svc', body: source, contentLength: source.length, encryption: { mode: 'SSE-C', customerKey: Buffer.from(srcKey) } });
    const small = randomBytes(100_000);
    await s.facade.putObject({ bucket: s.bucket, key: 'small', principal: 'svc', body: small, contentLength: small.length, encryption: { mode: 'SSE-KMS', keyRef: s.kmsB } });
    const up = await s.facade.createMultipartUpload({ bucket: s.bucket, key: 'assembled', principal: 'svc', encryption: { mode: 'SSE-KMS', keyRef: s.kmsA } });
    const base = { principal: 'svc', bucket: s.bucket, key: 'assembled', uploadId: up.uploadId };
    const srcRef = { bucket: s.bucket, key: 'src', customerKey: srcKey };
    const a = [0, 5 * MiB - 1] as const;
    const b = [7 * MiB + 3, 12 * MiB + 4] as const;
    s.proxy.clear();
    const p1 = await s.facade.uploadPartCopy({ ...base, partNumber: 1, source: srcRef, range: () => ({ start: a[0], end: a[1] }) });
    const p2 = await s.facade.uploadPartCopy({ ...base, partNumber: 2, source: srcRef, range: () => ({ start: b[0], end: b[1] }) });
    const p3 = await s.facade.uploadPartCopy({ ...base, partNumber: 3, source: { bucket: s.bucket, key: 'small' } });
    t.is(p1.sse.keyId, s.kmsA, 'the destination upload is echoed');
    t.is(s.count('UploadPart'), 3, 'each part is encrypted for the destination upload and uploaded');
    t.is(s.count('UploadPartCopy'), 0, 'no backend part copy can carry the destination part key');
    // the source's condition is checked against the version read
    t.is(await code(s.facade.uploadPartCopy({ ...base, partNumber: 4, source: srcRef, sourceCondition: copySourceCondition({ 'x-amz-copy-source-if-match': '"nope"' })! })), 'PreconditionFailed');
    t.is(await code(s.facade.uploadPartCopy({ ...base, partNumber: 4, source: { bucket: s.bucket, key: 'src' } })), 'InvalidRequest', 'an SSE-C source needs its key');
    await s.facade.completeMultipartUpload({ ...base, parts: [p1, p2, p3].map((p, i) => ({ partNumber: i + 1, etag: p.etag })) });
    const expected = Buffer.concat([source.subarray(a[0], a[1] + 1), source.subarray(b[0], b[1] + 1), small]);
    t.true((await read(s, 'assembled')).equals(expected), 'whole read');
    for (const [x, y] of [[5 * MiB - 2, 5 * MiB + 1], [10 * MiB - 5, 10 * MiB + 7], [expected.length - 100_001, expected.length - 1]] as [number, number][]) {
      t.true((await read(s, 'assembled', undefined, [x, y])).equals(expected.subarray(x, y + 1)), `range ${x}-${y} across parts`);
    }
  } finally {
    await s.close();
  }
});

test('refusals: a source under a key this process is not configured to read is AccessDenied; a plaintext source outside the passthrough prefix is EnvelopeMissing; a passthrough object onto itself is NotImplemented; nothing is written', async (t) => {
  const s = await copySetup('refuse');
  try {
    const body = randomBytes(2000);
    await s.objects.put({ bucket: s.bucket, key: 'planted' }, body, body.length, {}, s.registry.resolver({ mode: 'SSE-KMS', keyRef: s.kmsPlanted }));
    await s.direct.send(new PutObjectCommand({ Bucket: s.bucket, Key: 'outside/plain', Body: body }));
    const copy = (key: string) => s.facade.copyObject({ principal: 'svc', source: { bucket: s.bucket, key }, bucket: s.bucket, key: `${key}-copy`, encryption: { mode: 'SSE-S3' }, encryptionRequested: false, metadataDirective: 'COPY' });
    s.proxy.clear();
    t.is(await code(copy('planted')), 'AccessDenied');
    t.is(await code(copy('outside/plain')), 'EnvelopeMissing');
    await s.direct.send(new PutObjectCommand({ Bucket: s.bucket, Key: 'plain/in-place', Body: body }));
    t.is(await code(s.facade.copyObject({ principal: 'svc', source: { bucket: s.bucket, key: 'plain/in-place' }, bucket: s.bucket, key: 'plain/in-place', encryption: { mode: 'SSE-S3' }, encryptionRequested: true, metadataDirective: 'COPY' })), 'NotImplemented', 'a plaintext object is not sealed in place by an unconditional PUT');
    t.is(s.count('CopyObject') + s.count('PutObject'), 0);
    t.false(await exists(s, 'planted-copy'));
    t.false(await exists(s, 'outside/plain-copy'));
    const raw = await s.direct.send(new GetObjectCommand({ Bucket: s.bucket, Key: 'outside/plain' }));
    t.true(Buffer.from(await raw.Body!.transformToByteArray()).equals(body), 'the plaintext source is untouched');
  } finally {
    await s.close();
  }
});
