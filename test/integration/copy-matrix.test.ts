/**
 * CopyObject through the engine facade on real MinIO (issue 7 item 4): all 16 source × destination
 * combinations of none (a plaintext source in a passthrough prefix; a destination without SSE
 * headers, i.e. the SSE-S3 default) / SSE-S3 / SSE-C / SSE-KMS. Each asserts that the content
 * round-trips exactly (whole and across a chunk boundary), the destination's SSE echo (copy result
 * and HEAD), what MinIO received — a sealed source is re-wrapped: one CopyObject conditional on the
 * source's ETag, no body upload, the destination's ciphertext byte-identical to the source's; only a
 * plaintext source is sealed by a PutObject — and that the source is untouched.
 */
import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { EncryptionPlan, SseResult } from '../../src/index.js';
import { copySetup, PASSTHROUGH_PREFIX, type CopySetup } from '../helpers/copy-setup.js';

const md5 = (k: Buffer): string => createHash('md5').update(k).digest('base64');
const MODES = ['none', 'SSE-S3', 'SSE-C', 'SSE-KMS'] as const;
type Mode = (typeof MODES)[number];

const body = randomBytes(200_003);
const kSrc = randomBytes(32);
const kDst = randomBytes(32);

async function rawBody(s: CopySetup, key: string): Promise<Buffer> {
  const r = await s.direct.send(new GetObjectCommand({ Bucket: s.bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

async function putSource(s: CopySetup, mode: Mode): Promise<{ key: string; customerKey?: Buffer }> {
  const meta = { userMetadata: { origin: `src-${mode}` }, contentType: 'application/x-copy-test', cacheControl: 'max-age=7' };
  if (mode === 'none') {
    const key = `${PASSTHROUGH_PREFIX}src`;
    await s.direct.send(new PutObjectCommand({ Bucket: s.bucket, Key: key, Body: body, Metadata: meta.userMetadata, ContentType: meta.contentType, CacheControl: meta.cacheControl }));
    return { key };
  }
  const key = `src-${mode}`;
  const encryption: EncryptionPlan =
    mode === 'SSE-S3' ? { mode: 'SSE-S3' } : mode === 'SSE-C' ? { mode: 'SSE-C', customerKey: Buffer.from(kSrc) } : { mode: 'SSE-KMS', keyRef: s.kmsB, context: { side: 'source' } };
  await s.facade.putObject({ bucket: s.bucket, key, principal: 'svc', body, contentLength: body.length, encryption, ...meta });
  return mode === 'SSE-C' ? { key, customerKey: kSrc } : { key };
}

function destination(s: CopySetup, mode: Mode): { encryption: EncryptionPlan; requested: boolean; sse: SseResult; readKey?: Buffer } {
  switch (mode) {
    case 'none':
      return { encryption: { mode: 'SSE-S3' }, requested: false, sse: { mode: 'SSE-S3', keyId: s.managedId, bucketKeyEnabled: false } };
    case 'SSE-S3':
      return { encryption: { mode: 'SSE-S3', bucketKey: true }, requested: true, sse: { mode: 'SSE-S3', keyId: s.managedId, bucketKeyEnabled: true } };
    case 'SSE-C':
      return { encryption: { mode: 'SSE-C', customerKey: Buffer.from(kDst) }, requested: true, sse: { mode: 'SSE-C', bucketKeyEnabled: false, customerKeyMd5: md5(kDst) }, readKey: kDst };
    case 'SSE-KMS':
      return { encryption: { mode: 'SSE-KMS', keyRef: s.kmsA, context: { side: 'destination' } }, requested: true, sse: { mode: 'SSE-KMS', keyId: s.kmsA, context: { side: 'destination' }, bucketKeyEnabled: false } };
  }
}

for (const from of MODES) {
  test(`copy matrix on MinIO: source ${from} → every destination (none, SSE-S3, SSE-C, SSE-KMS): exact content, destination echo, re-wrap = one conditional CopyObject and no body upload, source untouched`, async (t) => {
    await matrixFrom(t, await copySetup(`m-${from.toLowerCase()}`), from, MODES);
  });
}

// the core scenarios on a second, independent S3 server: every sealed source to every sealed destination
for (const from of ['SSE-S3', 'SSE-C', 'SSE-KMS'] as const) {
  test(`copy matrix on SeaweedFS: source ${from} → SSE-S3, SSE-C, SSE-KMS: exact content, echo, one conditional CopyObject, source untouched`, async (t) => {
    await matrixFrom(t, await copySetup(`sw-${from.toLowerCase()}`, { backend: 'seaweedfs' }), from, ['SSE-S3', 'SSE-C', 'SSE-KMS']);
  });
}

async function matrixFrom(t: ExecutionContext, s: CopySetup, from: Mode, targets: readonly Mode[]): Promise<void> {
  try {
    const src = await putSource(s, from);
    const srcHead = await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: src.key }));
    const srcRaw = await rawBody(s, src.key);
    for (const to of targets) {
      const what = `${from} → ${to}`;
      const d = destination(s, to);
      const key = `dst/${from}-${to}`;
      s.proxy.clear();
      const r = await s.facade.copyObject({
        principal: 'svc',
        source: { bucket: s.bucket, key: src.key, ...(src.customerKey ? { customerKey: src.customerKey } : {}) },
        bucket: s.bucket,
        key,
        encryption: d.encryption,
        encryptionRequested: d.requested,
        metadataDirective: 'COPY',
      });
      t.deepEqual(r.sse, d.sse, `${what}: copy echo`);
      const stored = await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: key }));
      t.is(r.etag, stored.ETag ?? 'no ETag', `${what}: the backend's ETag`);
      if (from === 'none') {
        t.deepEqual([s.count('PutObject'), s.count('CopyObject')], [1, 0], `${what}: a plaintext source is sealed by one PutObject`);
      } else {
        t.deepEqual(
          [s.count('CopyObject'), s.count('PutObject'), s.count('UploadPart'), s.count('UploadPartCopy'), s.count('CreateMultipartUpload')],
          [1, 0, 0, 0, 0],
          `${what}: re-wrap is one CopyObject, no body upload`,
        );
        const sent = s.proxy.ofOperation('CopyObject')[0]!.headers;
        t.is(sent['x-amz-copy-source-if-match'], srcHead.ETag ?? 'no ETag', `${what}: conditional on the source's ETag`);
        t.deepEqual(Object.keys(sent).filter((h) => h.includes('server-side-encryption')), [], `${what}: no SSE header or key reaches the backend`);
        t.is(sent['x-amz-metadata-directive'], 'REPLACE');
        t.true((await rawBody(s, key)).equals(srcRaw), `${what}: the ciphertext body is the source's, not re-encrypted`);
        t.true(r.lastModified instanceof Date);
      }
      t.false((await rawBody(s, key)).includes(body.subarray(1000, 1064)), `${what}: the backend holds ciphertext`);

      const read = d.readKey ? { customerKey: d.readKey } : {};
      const head = await s.facade.headObject({ bucket: s.bucket, key, principal: 'svc', ...read });
      t.deepEqual(head.sse, d.sse, `${what}: HEAD echo`);
      t.deepEqual(head.userMetadata, { origin: `src-${from}` }, `${what}: COPY keeps the user metadata`);
      t.is(head.contentType, 'application/x-copy-test');
      t.is(head.cacheControl, 'max-age=7');
      t.is(head.contentLength, body.length);
      t.true((await buffer((await s.facade.getObject({ bucket: s.bucket, key, principal: 'svc', ...read })).body)).equals(body), `${what}: whole read`);
      const ranged = await s.facade.getObject({ bucket: s.bucket, key, principal: 'svc', ...read, range: { kind: 'from', first: 65_530, last: 131_080 } });
      t.true((await buffer(ranged.body)).equals(body.subarray(65_530, 131_081)), `${what}: range across chunk boundaries`);

      const after = await s.direct.send(new HeadObjectCommand({ Bucket: s.bucket, Key: src.key }));
      t.is(after.ETag, srcHead.ETag, `${what}: source untouched`);
    }
    if (from !== 'none') {
      const got = await s.facade.getObject({ bucket: s.bucket, key: src.key, principal: 'svc', ...(src.customerKey ? { customerKey: src.customerKey } : {}) });
      t.true((await buffer(got.body)).equals(body), 'the source still reads under its own key');
    }
  } finally {
    await s.close();
  }
}
