/**
 * The door contract's LIST scenario (issue 7 item 6): ListObjectsV2 (the SDK's paginator, pages of
 * 2), ListObjects (v1) and ListObjectVersions report the plaintext Size of single-part and multipart
 * objects in every mode (SSE-C included: a listing carries no key); DeleteObjects, sent with the
 * SDK's default request checksum, removes them at the object server.
 */
import type { TestFn } from 'ava';
import { randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { MiB, MODES, modeParams, type DoorOf } from './door-contract-support.js';

export function listScenarios(test: TestFn, label: string, door: DoorOf): void {
  test(`${label} · LIST: ListObjectsV2 (paginator, MaxKeys 2), ListObjects and ListObjectVersions report plaintext sizes of single-part and multipart objects in every mode; DeleteObjects (SDK default checksum) removes them`, async (t) => {
    const d = await door();
    const bucket = await d.freshBucket('door-list');
    const sizes = new Map<string, number>();
    for (const [i, mode] of MODES.entries()) {
      const p = modeParams(mode, d);
      for (const size of [0, 1, 65_537 + i]) {
        const key = `l/${mode}/single-${size}`;
        await d.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: randomBytes(size), ...p.write }));
        sizes.set(key, size);
      }
    }
    for (const mode of ['SSE-KMS', 'SSE-C'] as const) {
      const p = modeParams(mode, d);
      const key = `l/${mode}/multipart`;
      const parts = [randomBytes(5 * MiB), randomBytes(4321)];
      const { UploadId } = await d.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...p.write }));
      const etags: string[] = [];
      for (const [i, part] of parts.entries()) etags.push((await d.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: part, ...p.read }))).ETag!);
      await d.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) }, ...p.read }));
      sizes.set(key, 5 * MiB + 4321);
    }
    const expected = [...sizes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

    if (d.sdkClient) {
      const pages: [string, number | undefined][][] = [];
      for await (const page of paginateListObjectsV2({ client: d.sdkClient, pageSize: 2 }, { Bucket: bucket, Prefix: 'l/' })) pages.push((page.Contents ?? []).map((o) => [o.Key!, o.Size]));
      t.deepEqual(pages.flat(), expected, 'paginateListObjectsV2: every object once, in order, plaintext sizes');
      t.true(pages.every((page) => page.length <= 2), 'pages of at most 2');
      t.is(pages.length, Math.ceil(expected.length / 2));
    } else {
      // a door without an S3Client: the same pages by hand
      const listed: [string, number | undefined][] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await d.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'l/', MaxKeys: 2, ...(ContinuationToken ? { ContinuationToken } : {}) }));
        listed.push(...(page.Contents ?? []).map((o): [string, number | undefined] => [o.Key!, o.Size]));
        ContinuationToken = page.NextContinuationToken;
      } while (ContinuationToken);
      t.deepEqual(listed, expected, 'ListObjectsV2 pages of 2: plaintext sizes');
    }
    const v1 = await d.s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'l/' }));
    t.deepEqual((v1.Contents ?? []).map((o) => [o.Key, o.Size]), expected, 'ListObjects (v1): plaintext sizes');
    const v1Page = await d.s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'l/', MaxKeys: 2, Marker: expected[1]![0] }));
    t.deepEqual((v1Page.Contents ?? []).map((o) => [o.Key, o.Size]), expected.slice(2, 4), 'ListObjects (v1) with Marker and MaxKeys 2');
    t.true(v1Page.IsTruncated);
    const versions = await d.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'l/' }));
    t.deepEqual((versions.Versions ?? []).map((o) => [o.Key, o.Size]), expected, 'ListObjectVersions: plaintext sizes');

    const del = await d.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: expected.map(([Key]) => ({ Key })) } }));
    t.deepEqual((del.Deleted ?? []).map((o) => o.Key).sort(), expected.map(([k]) => k), 'DeleteObjects: every key deleted');
    t.deepEqual(del.Errors ?? [], []);
    const left = await d.backend.send(new ListObjectsV2Command({ Bucket: bucket }));
    t.is(left.KeyCount ?? 0, 0, 'nothing left at the object server');
  });
}
