/**
 * S3ObjectStore at unit level, over a scripted client (the real-server tests are
 * integration/part-uploaded-twice and integration/multipart-copy-listing):
 * - ListParts of a backend that lists every upload of a part number (SeaweedFS): one entry per part
 *   number, the newest by LastModified, on a tie the one listed later, across pages; the others kept
 *   as `superseded` (Complete picks the upload with the caller's ETag among them);
 * - copyObject routes a multipart source (`-N` ETag) to another key through UploadPartCopy, keeps a
 *   copy onto itself one CopyObject, and copies in parts again when that self-copy came back with a
 *   plain ETag (MinIO rewrote the object).
 */
import test from 'ava';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';

type Cmd = { constructor: { name: string }; input: Record<string, unknown> };

function scripted(answer: (name: string, input: Record<string, unknown>) => unknown): { client: S3Client; sent: string[] } {
  const sent: string[] = [];
  const client = {
    send: (cmd: Cmd) => {
      const name = cmd.constructor.name.replace(/Command$/, '');
      sent.push(name);
      return Promise.resolve(answer(name, cmd.input));
    },
  } as unknown as S3Client;
  return { client, sent };
}

const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

test('ListParts with a part number listed twice keeps the newest upload (later LastModified, whatever the listing order; on a tie the later listed), across pages, and keeps the others as superseded', async (t) => {
  const pages = [
    {
      Parts: [
        { PartNumber: 1, ETag: '"new1"', Size: 10, LastModified: at(5), ChecksumCRC32: 'bmV3' },
        { PartNumber: 1, ETag: '"old1"', Size: 11, LastModified: at(3), ChecksumCRC32: 'b2xk' },
        { PartNumber: 2, ETag: '"first2"', Size: 20, LastModified: at(7) },
      ],
      IsTruncated: true,
      NextPartNumberMarker: '2',
    },
    // the same second: the one listed later wins; part 3 three times
    { Parts: [{ PartNumber: 2, ETag: '"later2"', Size: 21, LastModified: at(7) }, { PartNumber: 3, ETag: '"a3"', Size: 30, LastModified: at(1) }, { PartNumber: 3, ETag: '"b3"', Size: 31, LastModified: at(9) }, { PartNumber: 3, ETag: '"c3"', Size: 32, LastModified: at(2) }], IsTruncated: false },
  ];
  let page = 0;
  const { client } = scripted((name) => {
    if (name !== 'ListParts') throw new Error(name);
    return pages[page++];
  });
  const parts = await new S3ObjectStore(client).listParts('b', 'k', 'u');
  t.deepEqual([...parts.keys()], [1, 2, 3]);
  t.like(parts.get(1), { etag: '"new1"', size: 10, crc32: 'bmV3' }, 'the newer upload, listed first');
  t.deepEqual(parts.get(1)!.superseded?.map((p) => p.etag), ['"old1"']);
  t.like(parts.get(2), { etag: '"later2"', size: 21 }, 'a tie across the page boundary: the later listed');
  t.deepEqual(parts.get(2)!.superseded?.map((p) => p.etag), ['"first2"']);
  t.like(parts.get(3), { etag: '"b3"', size: 31 });
  t.deepEqual(parts.get(3)!.superseded?.map((p) => p.etag).sort(), ['"a3"', '"c3"']);
  t.true(parts.get(3)!.superseded!.every((p) => p.superseded === undefined), 'no nesting');
});

test('ListParts of a backend with one entry per part (S3, MinIO) is unchanged: nothing superseded', async (t) => {
  const { client } = scripted(() => ({ Parts: [{ PartNumber: 1, ETag: '"e1"', Size: 5 }, { PartNumber: 2, ETag: '"e2"', Size: 6 }], IsTruncated: false }));
  const parts = await new S3ObjectStore(client).listParts('b', 'k', 'u');
  t.deepEqual([...parts.values()], [{ etag: '"e1"', size: 5 }, { etag: '"e2"', size: 6 }]);
});

test('copyObject: a multipart source (-N ETag) to another key goes by UploadPartCopy; a single-part source by one CopyObject; a multipart object onto itself by one CopyObject, and again in parts if that copy came back with a plain ETag', async (t) => {
  const answer = (selfEtag: string) => (name: string): unknown => {
    if (name === 'CopyObject') return { CopyObjectResult: { ETag: selfEtag } };
    if (name === 'CreateMultipartUpload') return { UploadId: 'u' };
    if (name === 'UploadPartCopy') return { CopyPartResult: { ETag: '"p1"' } };
    if (name === 'CompleteMultipartUpload') return { ETag: '"m-1"' };
    throw new Error(name);
  };
  const src = { bucket: 'b', key: 'src' };
  const dst = { bucket: 'b', key: 'dst' };
  const a = scripted(answer('"x"'));
  t.is((await new S3ObjectStore(a.client).copyObject(src, dst, {}, '"abc-3"', 15 * 1024 * 1024)).etag, '"m-1"');
  t.deepEqual(a.sent, ['CreateMultipartUpload', 'UploadPartCopy', 'CompleteMultipartUpload'], 'one part copy under the copy limit');
  const b = scripted(answer('"x"'));
  await new S3ObjectStore(b.client).copyObject(src, dst, {}, '"abc"', 1000);
  t.deepEqual(b.sent, ['CopyObject']);
  const c = scripted(answer('"abc-3"'));
  t.is((await new S3ObjectStore(c.client).copyObject(src, src, {}, '"abc-3"', 1000)).etag, '"abc-3"');
  t.deepEqual(c.sent, ['CopyObject'], 'the ETag kept: nothing more');
  const d = scripted(answer('"plain"'));
  t.is((await new S3ObjectStore(d.client).copyObject(src, src, {}, '"abc-1"', 1000)).etag, '"m-1"');
  t.deepEqual(d.sent, ['CopyObject', 'CreateMultipartUpload', 'UploadPartCopy', 'CompleteMultipartUpload'], 'rewritten to a plain ETag: copied again in parts');
});
