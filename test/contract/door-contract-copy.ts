/**
 * The door contract's copy scenarios (issue 7 item 4), through SDK commands only: CopyObject from
 * each mode into other modes (content, the CopyObject output's SSE echo, the destination HEAD
 * echo), SSE-C key rotation by copy-to-self, metadata directives COPY / REPLACE, CopySourceIfMatch,
 * copy-to-self without changes, UploadPartCopy of ranges of a sealed source. The full 16-combination
 * matrix lives at facade level (test/integration/copy-matrix.test.ts); here every source mode goes to
 * SSE-KMS and SSE-C, SSE-C also to SSE-S3 ('core': each mode to the next one).
 */
import type { TestFn } from 'ava';
import { randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { BODY_MAGIC, PART_MAGIC } from '../../src/crypto/constants.js';
import { MODES, MiB, assertSealedAtRest, bytesOf, copySource, copySourceOf, echoOf, modeParams, s3Error, storedBytes, type DoorOf, type Mode } from './door-contract-support.js';

/** the destinations each source mode is copied to */
function destinationsOf(src: Mode, all: boolean): Mode[] {
  if (!all) return [MODES[(MODES.indexOf(src) + 1) % MODES.length]!];
  return src === 'SSE-C' ? ['SSE-KMS', 'SSE-C', 'SSE-S3', 'SSE-KMS-bucket-key'] : ['SSE-KMS', 'SSE-C'];
}

export function copyScenarios(test: TestFn, label: string, door: DoorOf, all: boolean): void {
  for (const src of MODES) {
    const dsts = destinationsOf(src, all);
    test(`${label} · copy ${src} → ${dsts.join(', ')}: CopyObject content exact, its output echoes the destination's SSE, the destination HEAD and GET echo it, the source unchanged, ciphertext at rest`, async (t) => {
      const d = await door();
      const bucket = await d.freshBucket('door-copy');
      const sp = modeParams(src, d);
      const body = randomBytes(150_001);
      const srcKey = `src/${src} ä+b`;
      const put = await d.s3.send(new PutObjectCommand({ Bucket: bucket, Key: srcKey, Body: body, ContentType: 'text/x-src', Metadata: { origin: src }, ...sp.write }));
      for (const dst of dsts) {
        const dp = modeParams(dst, d);
        const dstKey = `copy/${src} to ${dst}`;
        const out = await d.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: dstKey, CopySource: copySource(bucket, srcKey), ...copySourceOf(sp), ...dp.write }));
        t.deepEqual(echoOf(out), dp.echo, `${src} → ${dst}: CopyObject echo`);
        t.truthy(out.CopyObjectResult?.ETag, `${src} → ${dst}: CopyObjectResult ETag`);
        const head = await d.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: dstKey, ...dp.read }));
        t.deepEqual(echoOf(head), dp.echo, `${src} → ${dst}: HEAD echo`);
        t.is(head.ContentLength, body.length, `${src} → ${dst}: plaintext size`);
        t.is(head.ETag, out.CopyObjectResult?.ETag, `${src} → ${dst}: the copy's ETag is the object's`);
        // no MetadataDirective: COPY, the source's metadata and content headers
        t.deepEqual(head.Metadata, { origin: src }, `${src} → ${dst}: metadata copied`);
        t.is(head.ContentType, 'text/x-src', `${src} → ${dst}: content type copied`);
        const got = await d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: dstKey, ...dp.read }));
        t.deepEqual(echoOf(got), dp.echo, `${src} → ${dst}: GET echo`);
        t.true((await bytesOf(got.Body)).equals(body), `${src} → ${dst}: content exact`);
        const r = await d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: dstKey, Range: 'bytes=65530-131080', ...dp.read }));
        t.true((await bytesOf(r.Body)).equals(body.subarray(65_530, 131_081)), `${src} → ${dst}: range across chunks exact`);
        await assertSealedAtRest(t, d, bucket, dstKey, body, BODY_MAGIC);
      }
      const again = await d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: srcKey, ...sp.read }));
      t.true((await bytesOf(again.Body)).equals(body), 'the source still reads');
      t.is(again.ETag, put.ETag, 'the source is unchanged');
    });
  }

  if (!all) return;

  test(`${label} · copy: SSE-C key rotation by copy-to-self — the new key reads, the old key is refused (403), the body is not rewritten`, async (t) => {
    const d = await door();
    const bucket = await d.freshBucket('door-rotate');
    const oldKey = modeParams('SSE-C', d);
    const newKey = modeParams('SSE-C', d);
    const body = randomBytes(70_000);
    await d.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: body, Metadata: { keep: 'me' }, ...oldKey.write }));
    const before = await storedBytes(d, bucket, 'k');
    const out = await d.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'k', CopySource: copySource(bucket, 'k'), ...copySourceOf(oldKey), ...newKey.write }));
    t.deepEqual(echoOf(out), newKey.echo, 'CopyObject echoes the new key');
    t.deepEqual(await s3Error(d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', ...oldKey.read }))), ['AccessDenied', 403], 'the old key is refused');
    const got = await d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', ...newKey.read }));
    t.deepEqual(echoOf(got), newKey.echo);
    t.true((await bytesOf(got.Body)).equals(body), 'the new key reads the content');
    t.deepEqual(got.Metadata, { keep: 'me' }, 'metadata kept (COPY)');
    t.true((await storedBytes(d, bucket, 'k')).equals(before), 'metadata-only re-wrap: the stored ciphertext is byte-identical');
  });

  test(`${label} · copy: metadata directive COPY vs REPLACE, CopySourceIfMatch mismatch → 412 PreconditionFailed, copy-to-self without changes → 400 InvalidRequest`, async (t) => {
    const d = await door();
    const bucket = await d.freshBucket('door-directive');
    const sp = modeParams('SSE-KMS', d);
    const body = randomBytes(1000);
    const put = await d.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'src', Body: body, ContentType: 'text/x-a', CacheControl: 'max-age=60', Metadata: { a: '1' }, ...sp.write }));
    await d.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copied', CopySource: copySource(bucket, 'src'), MetadataDirective: 'COPY', Metadata: { ignored: 'yes' }, ...sp.write }));
    const copied = await d.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copied' }));
    t.deepEqual(copied.Metadata, { a: '1' }, 'COPY: the source metadata, the request metadata ignored');
    t.is(copied.ContentType, 'text/x-a');
    t.is(copied.CacheControl, 'max-age=60');
    await d.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'replaced', CopySource: copySource(bucket, 'src'), MetadataDirective: 'REPLACE', Metadata: { b: '2' }, ContentType: 'text/x-b', ...sp.write }));
    const replaced = await d.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'replaced' }));
    t.deepEqual(replaced.Metadata, { b: '2' }, "REPLACE: the request's metadata only");
    t.is(replaced.ContentType, 'text/x-b');
    t.is(replaced.CacheControl, undefined, 'REPLACE drops the content headers not given');
    const raw = await d.backend.send(new HeadObjectCommand({ Bucket: bucket, Key: 'replaced' }));
    t.truthy(raw.Metadata?.['s3seal'], 'REPLACE keeps the envelope at the object server');
    t.true((await bytesOf((await d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'replaced' }))).Body)).equals(body));

    t.deepEqual(
      await s3Error(d.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cond', CopySource: copySource(bucket, 'src'), CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"' }))),
      ['PreconditionFailed', 412],
      'CopySourceIfMatch another ETag',
    );
    t.deepEqual(await s3Error(d.backend.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cond' }))), ['NotFound', 404], 'the refused copy stored nothing');
    const ok = await d.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cond', CopySource: copySource(bucket, 'src'), CopySourceIfMatch: put.ETag }));
    t.truthy(ok.CopyObjectResult?.ETag, 'CopySourceIfMatch the ETag: copied');

    t.deepEqual(await s3Error(d.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'src', CopySource: copySource(bucket, 'src') }))), ['InvalidRequest', 400], 'copy-to-self without changes');
    const after = await d.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'src' }));
    t.is(after.ETag, put.ETag, 'the refused copy-to-self changed nothing');
  });

  test(`${label} · copy: UploadPartCopy with CopySourceRange from a sealed SSE-C source into a new SSE-KMS upload — echoes, Complete, read back exact`, async (t) => {
    const d = await door();
    const bucket = await d.freshBucket('door-partcopy');
    const sp = modeParams('SSE-C', d);
    const dp = modeParams('SSE-KMS', d);
    const source = randomBytes(6 * MiB + 999);
    await d.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'src', Body: source, ...sp.write }));
    const { UploadId } = await d.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'dst', ...dp.write }));
    // part 1: 5 MiB from an offset that is no chunk boundary; part 2 (last): 100 bytes near the end
    const ranges: [number, number][] = [
      [1000, 1000 + 5 * MiB - 1],
      [source.length - 150, source.length - 51],
    ];
    const etags: string[] = [];
    for (const [i, [first, last]] of ranges.entries()) {
      const out = await d.s3.send(
        new UploadPartCopyCommand({ Bucket: bucket, Key: 'dst', UploadId, PartNumber: i + 1, CopySource: copySource(bucket, 'src'), CopySourceRange: `bytes=${first}-${last}`, ...copySourceOf(sp), ...dp.read }),
      );
      t.deepEqual(echoOf(out), dp.echo, `UploadPartCopy ${i + 1} echo`);
      t.truthy(out.CopyPartResult?.ETag);
      etags.push(out.CopyPartResult!.ETag!);
    }
    await d.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'dst', UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
    const expected = Buffer.concat(ranges.map(([first, last]) => source.subarray(first, last + 1)));
    const got = await d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dst' }));
    t.deepEqual(echoOf(got), dp.echo);
    t.is(got.ContentLength, expected.length);
    t.true((await bytesOf(got.Body)).equals(expected), 'the copied ranges, in order');
    const r = await d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dst', Range: `bytes=${5 * MiB - 10}-${5 * MiB + 9}` }));
    t.true((await bytesOf(r.Body)).equals(expected.subarray(5 * MiB - 10, 5 * MiB + 10)), 'a range across the copied parts');
    await assertSealedAtRest(t, d, bucket, 'dst', expected, PART_MAGIC);
  });
}
