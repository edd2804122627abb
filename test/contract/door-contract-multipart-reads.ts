/**
 * The door contract's reads of a multipart object (issue 7 acceptance "Multipart through the
 * plugin"): ranged GETs across part boundaries, GetObject / HeadObject with PartNumber (206,
 * Content-Range, PartsCount), then a metadata-only re-wrap by CopyObject onto itself under another
 * key or mode — the same reads still exact, and the ciphertext at the object server byte-identical.
 */
import type { ExecutionContext, TestFn } from 'ava';
import { randomBytes } from 'node:crypto';
import { CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { MiB, bytesOf, can, copySource, copySourceOf, echoOf, modeParams, s3Error, storedBytes, type DoorContractOptions, type DoorOf, type DoorUnderTest, type Mode, type ModeParams } from './door-contract-support.js';

/** every ranged and partNumber read of `key` is exact */
async function assertPartReads(t: ExecutionContext, d: DoorUnderTest, bucket: string, key: string, parts: Buffer[], p: ModeParams, when: string, opts: DoorContractOptions): Promise<void> {
  const body = Buffer.concat(parts);
  const total = body.length;
  const b1 = parts[0]!.length;
  const b2 = b1 + parts[1]!.length;
  for (const [first, last] of [
    [b1 - 1, b1],
    [b1 - 100, b2 + 100],
    [b2 - 1, b2],
    [b2, total - 1],
    [0, total - 1],
    [65_535, 65_536],
  ] as const) {
    const r = await d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${first}-${last}`, ...p.read }));
    t.is(r.ContentRange, `bytes ${first}-${last}/${total}`, `${when}: range ${first}-${last}`);
    t.true((await bytesOf(r.Body)).equals(body.subarray(first, last + 1)), `${when}: range ${first}-${last} exact`);
  }
  if (can(opts, 'suffixRanges')) {
    const suffix = await d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=-${parts[2]!.length + 3}`, ...p.read }));
    t.true((await bytesOf(suffix.Body)).equals(body.subarray(total - parts[2]!.length - 3)), `${when}: suffix range into part 2`);
  }
  if (!can(opts, 'partNumberReads')) return;
  let offset = 0;
  for (const [i, part] of parts.entries()) {
    const n = i + 1;
    const range = `bytes ${offset}-${offset + part.length - 1}/${total}`;
    const got = await d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, PartNumber: n, ...p.read }));
    t.is(got.$metadata.httpStatusCode, 206, `${when}: GET part ${n} is 206`);
    t.is(got.ContentRange, range, `${when}: GET part ${n} Content-Range`);
    t.is(got.ContentLength, part.length, `${when}: GET part ${n} length`);
    t.is(got.PartsCount, parts.length, `${when}: GET part ${n} PartsCount`);
    t.deepEqual(echoOf(got), p.echo, `${when}: GET part ${n} echo`);
    t.true((await bytesOf(got.Body)).equals(part), `${when}: GET part ${n} exact`);
    const head = await d.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, PartNumber: n, ...p.read }));
    t.is(head.ContentLength, part.length, `${when}: HEAD part ${n} length`);
    t.is(head.PartsCount, parts.length, `${when}: HEAD part ${n} PartsCount`);
    t.is(head.ContentRange, range, `${when}: HEAD part ${n} Content-Range`);
    offset += part.length;
  }
  t.deepEqual(await s3Error(d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, PartNumber: parts.length + 1, ...p.read }))), ['InvalidPartNumber', 416], `${when}: a part past the last`);
}

export function multipartReadScenarios(test: TestFn, label: string, door: DoorOf, opts: DoorContractOptions = {}): void {
  const rewraps: [Mode, Mode][] = [
    ['SSE-S3', 'SSE-KMS'],
    ['SSE-C', 'SSE-C'],
  ];
  for (const [from, to] of rewraps) {
    test(`${label} · multipart reads (${from}): parts of 5 MiB, 5 MiB + 1 and 1234 B — ranges across part boundaries and PartNumber 1..3 (GET and HEAD) exact; after a metadata-only re-wrap by copy-to-self to ${to === from ? 'another key' : to} the same, ciphertext byte-identical`, async (t) => {
      const d = await door();
      const bucket = await d.freshBucket('door-mp-reads');
      const p = modeParams(from, d);
      const key = `mp/${from}`;
      const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB + 1), randomBytes(1234)];
      const { UploadId } = await d.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...p.write }));
      const etags: string[] = [];
      for (const [i, part] of parts.entries()) etags.push((await d.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: part, ...p.read }))).ETag!);
      await d.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) }, ...p.read }));
      await assertPartReads(t, d, bucket, key, parts, p, 'as uploaded', opts);

      const before = await storedBytes(d, bucket, key);
      const q = modeParams(to, d);
      const out = await d.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: copySource(bucket, key), ...copySourceOf(p), ...q.write }));
      t.deepEqual(echoOf(out), q.echo, 're-wrap: CopyObject echo');
      t.true((await storedBytes(d, bucket, key)).equals(before), 're-wrap: the stored ciphertext is byte-identical (no body rewrite)');
      const head = await d.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...q.read }));
      t.deepEqual(echoOf(head), q.echo, 're-wrap: HEAD echo');
      t.is(head.ContentLength, Buffer.concat(parts).length);
      if (from === 'SSE-C') t.deepEqual(await s3Error(d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...p.read }))), ['AccessDenied', 403], 're-wrap: the old SSE-C key is refused');
      await assertPartReads(t, d, bucket, key, parts, q, 'after the re-wrap', opts);
    });
  }
}
