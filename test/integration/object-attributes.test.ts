/**
 * GetObjectAttributes through the S3 core over real MinIO (issue 7 item 1): ObjectSize is the
 * plaintext size, the ETag the backend's (unquoted, as S3 writes it here), ObjectParts the plaintext
 * parts of a multipart object's committed layout, paged; only the attributes asked for; Checksum
 * never (no sealed checksums yet); an SSE-C object needs its key, as on HEAD.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { listFixture } from '../helpers/list-fixture.js';
import { ssec, xmlOf } from '../helpers/s3-core-fixture.js';

const MiB = 1024 * 1024;

test('GetObjectAttributes: plaintext ObjectSize, backend ETag unquoted, StorageClass, only what was asked; ObjectParts of a multipart object from its layout, paged by max-parts / part-number-marker; no Checksum', async (t) => {
  const f = await listFixture('attrs');
  try {
    const etag = await f.put('a/single', randomBytes(1234));
    const attrs = async (key: string, names: string, extra: Record<string, string> = {}) => f.call({ method: 'GET', key, query: { attributes: '' }, headers: { 'x-amz-object-attributes': names, ...extra } });
    const a = await attrs('a/single', 'ETag,ObjectSize,StorageClass,Checksum,ObjectParts');
    t.is(a.status, 200);
    t.true(a.body.toString().includes('<GetObjectAttributesResponse xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'));
    t.deepEqual(xmlOf(a)['GetObjectAttributesResponse'], { ETag: etag.slice(1, -1), StorageClass: 'STANDARD', ObjectSize: '1234' });
    t.truthy(a.headers['last-modified']);
    t.deepEqual(xmlOf(await attrs('a/single', 'ObjectSize'))['GetObjectAttributesResponse'], { ObjectSize: '1234' }, 'only the attributes asked for');

    const mpEtag = await f.putMultipart('a/multi', [5 * MiB, 5 * MiB + 1, 3]);
    const m = xmlOf(await attrs('a/multi', 'ObjectParts, ObjectSize, ETag'))['GetObjectAttributesResponse'] as Record<string, unknown>;
    t.is(m['ObjectSize'], String(10 * MiB + 4));
    t.is(m['ETag'], mpEtag.slice(1, -1));
    t.like(m['ObjectParts'], { PartsCount: '3', IsTruncated: 'false', Part: [{ PartNumber: '1', Size: String(5 * MiB) }, { PartNumber: '2', Size: String(5 * MiB + 1) }, { PartNumber: '3', Size: '3' }] });
    const p1 = (xmlOf(await attrs('a/multi', 'ObjectParts', { 'x-amz-max-parts': '2' }))['GetObjectAttributesResponse'] as Record<string, Record<string, unknown>>)['ObjectParts']!;
    t.like(p1, { PartsCount: '3', MaxParts: '2', IsTruncated: 'true', NextPartNumberMarker: '2' });
    t.is((p1['Part'] as unknown[]).length, 2);
    const p2 = (xmlOf(await attrs('a/multi', 'ObjectParts', { 'x-amz-max-parts': '2', 'x-amz-part-number-marker': '2' }))['GetObjectAttributesResponse'] as Record<string, Record<string, unknown>>)['ObjectParts']!;
    t.like(p2, { IsTruncated: 'false', PartNumberMarker: '2', Part: { PartNumber: '3', Size: '3' } });

    for (const [h, code] of [[{}, 'InvalidArgument'], [{ 'x-amz-object-attributes': 'ETag,Color' }, 'InvalidArgument']] as const) {
      const bad = await f.call({ method: 'GET', key: 'a/single', query: { attributes: '' }, headers: h });
      t.deepEqual([bad.status, (xmlOf(bad)['Error'] as { Code: string }).Code], [400, code]);
    }
    const missing = await attrs('a/none', 'ObjectSize');
    t.is(missing.status, 404);
  } finally {
    await f.close();
  }
});

test('GetObjectAttributes of an SSE-C object: without the key 400, with a wrong key 403, with the key its plaintext size', async (t) => {
  const f = await listFixture('attrs-ssec');
  try {
    const key = randomBytes(32);
    const data = randomBytes(70_000);
    const put = await f.call({ method: 'PUT', key: 'c/obj', body: Readable.from([data]), headers: { 'content-length': String(data.length), ...ssec(key) } });
    t.is(put.status, 200);
    const ask = (h: Record<string, string>) => f.call({ method: 'GET', key: 'c/obj', query: { attributes: '' }, headers: { 'x-amz-object-attributes': 'ObjectSize', ...h } });
    const none = await ask({});
    t.is(none.status, 400);
    const wrong = await ask(ssec(randomBytes(32)));
    t.is(wrong.status, 403);
    const ok = await ask(ssec(key));
    t.is(ok.status, 200);
    t.deepEqual(xmlOf(ok)['GetObjectAttributesResponse'], { ObjectSize: '70000' });
  } finally {
    await f.close();
  }
});
