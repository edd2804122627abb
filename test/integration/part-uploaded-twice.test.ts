/**
 * A part uploaded twice (issue 7 acceptance "one part uploaded twice"), through the S3 core on
 * MinIO and SeaweedFS. SeaweedFS's ListParts lists both uploads of the same part number; the core's
 * ListParts (and the Complete path, which takes each part's size and CRC32 from the backend's
 * ListParts) must use the upload the backend completes with: the newest. The two uploads have
 * different bodies and sizes, so an older entry would show in the ETag, the listed size, the
 * committed layout and the bytes read back.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { listFixture, type ListFixture } from '../helpers/list-fixture.js';
import { xmlOf } from '../helpers/s3-core-fixture.js';

const MiB = 1024 * 1024;

async function uploadPart(f: ListFixture, key: string, uploadId: string, n: number, data: Buffer): Promise<string> {
  const a = await f.call({ method: 'PUT', key, query: { partNumber: String(n), uploadId }, body: Readable.from([data]), headers: { 'content-length': String(data.length) } });
  if (a.status !== 200) throw new Error(`UploadPart ${n}: ${a.status} ${a.body.toString()}`);
  return a.headers['etag']!;
}

const completeXml = (parts: { n: number; etag: string }[]): Buffer =>
  Buffer.from(`<CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.n}</PartNumber><ETag>${p.etag.replace(/"/g, '&quot;')}</ETag></Part>`).join('')}</CompleteMultipartUpload>`);

async function create(f: ListFixture, key: string): Promise<string> {
  const created = await f.call({ method: 'POST', key, query: { uploads: '' } });
  if (created.status !== 200) throw new Error(created.body.toString());
  return (xmlOf(created)['InitiateMultipartUploadResult'] as { UploadId: string }).UploadId;
}

async function listParts(f: ListFixture, key: string, uploadId: string): Promise<string[][]> {
  const listed = await f.call({ method: 'GET', key, query: { uploadId } });
  if (listed.status !== 200) throw new Error(listed.body.toString());
  const raw = (xmlOf(listed)['ListPartsResult'] as { Part: { PartNumber: string; ETag: string; Size: string }[] }).Part;
  return raw.map((p) => [p.PartNumber, p.ETag, p.Size]);
}

const complete = (f: ListFixture, key: string, uploadId: string, parts: { n: number; etag: string }[]) =>
  f.call({ method: 'POST', key, query: { uploadId }, body: Readable.from([completeXml(parts)]) });

for (const backend of ['minio', 'seaweedfs'] as const) {
  test(`${backend}: part 1 uploaded twice with different bodies and sizes: ListParts reports the second upload's ETag and size, Complete with it commits it, and the object reads back the second body (whole and partNumber=1)`, async (t) => {
    const f = await listFixture(`twice-${backend}`, () => ({}), undefined, backend);
    try {
      // round 0: the uploads a second apart (SeaweedFS dates parts to the second: within one, its
      // listing cannot say which is newer); later rounds back to back, where Complete must still use
      // the upload with the ETag it names (its size goes into the committed layout)
      for (let round = 0; round < 4; round++) {
        const key = `twice-${round}`;
        const uploadId = await create(f, key);
        const first = randomBytes(5 * MiB + 1 + round);
        const second = randomBytes(5 * MiB + round);
        const tail = randomBytes(100);
        const firstEtag = await uploadPart(f, key, uploadId, 1, first);
        if (round === 0) await new Promise((r) => setTimeout(r, 1100));
        const secondEtag = await uploadPart(f, key, uploadId, 1, second);
        t.not(firstEtag, secondEtag);
        const tailEtag = await uploadPart(f, key, uploadId, 2, tail);

        const listed = await listParts(f, key, uploadId);
        t.deepEqual(listed.map(([n]) => n), ['1', '2'], `round ${round}: one entry per part number`);
        if (round === 0) t.deepEqual(listed, [['1', secondEtag, String(second.length)], ['2', tailEtag, '100']], 'the newest upload of part 1');

        const done = await complete(f, key, uploadId, [{ n: 1, etag: secondEtag }, { n: 2, etag: tailEtag }]);
        t.is(done.status, 200, `round ${round}: ${done.body.toString()}`);
        const got = await f.call({ method: 'GET', key });
        t.is(got.status, 200);
        t.true(got.body.equals(Buffer.concat([second, tail])), `round ${round}: the second body reads back`);
        const part1 = await f.call({ method: 'GET', key, query: { partNumber: '1' } });
        t.true(part1.body.equals(second), `round ${round}: partNumber=1 is the second upload`);
      }
    } finally {
      await f.close();
    }
  });
}

test('a Complete naming the FIRST upload of a part uploaded twice: MinIO (which kept only the last) refuses it, InvalidPart 400; SeaweedFS (which completes with the named upload) commits exactly that upload, and it reads back', async (t) => {
  for (const backend of ['minio', 'seaweedfs'] as const) {
    const f = await listFixture(`first-${backend}`, () => ({}), undefined, backend);
    try {
      // SeaweedFS lists the two uploads in an order of random names: several rounds, so a Complete
      // that took whichever came first in the listing would not pass by luck
      for (let round = 0; round < (backend === 'seaweedfs' ? 4 : 1); round++) {
        const key = `k${round}`;
        const uploadId = await create(f, key);
        const first = randomBytes(5 * MiB + 7 + round);
        const second = randomBytes(5 * MiB + round);
        const tail = randomBytes(10);
        const firstEtag = await uploadPart(f, key, uploadId, 1, first);
        await uploadPart(f, key, uploadId, 1, second);
        const tailEtag = await uploadPart(f, key, uploadId, 2, tail);
        const done = await complete(f, key, uploadId, [{ n: 1, etag: firstEtag }, { n: 2, etag: tailEtag }]);
        if (backend === 'minio') {
          t.is(done.status, 400, done.body.toString());
          t.regex(done.body.toString(), /<Code>InvalidPart<\/Code>/);
        } else {
          t.is(done.status, 200, `round ${round}: ${done.body.toString()}`);
          const got = await f.call({ method: 'GET', key });
          t.is(got.status, 200, got.body.toString());
          t.true(got.body.equals(Buffer.concat([first, tail])), `round ${round}: the named (first) upload reads back`);
        }
      }
    } finally {
      await f.close();
    }
  }
});
