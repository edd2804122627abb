/**
 * LIST with plaintext sizes (issue 7 item 6; DESIGN.md "Sizes, listing…") through the S3 core over
 * real MinIO: ListObjectsV2, ListObjects (v1) and ListObjectVersions answer S3's XML with the sizes
 * a GET would return, for single-part and multipart objects, inside and outside an encrypted-only
 * prefix; pagination, delimiters, encoding-type=url; the (key, ETag) cache; and what it costs the
 * backend, counted at the container's own S3 client.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SealError } from '../../src/errors.js';
import { listFixture } from '../helpers/list-fixture.js';
import { xmlOf } from '../helpers/s3-core-fixture.js';

const MiB = 1024 * 1024;
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

interface Contents {
  Key: string;
  Size: string;
  ETag: string;
  StorageClass: string;
  LastModified: string;
  Owner?: { ID?: string };
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function listResult(body: Buffer): { r: Record<string, unknown>; contents: Contents[]; prefixes: string[] } {
  const r = (xmlOf({ status: 200, headers: {}, body })['ListBucketResult'] ?? {}) as Record<string, unknown>;
  return { r, contents: asArray(r['Contents'] as Contents | Contents[] | undefined), prefixes: asArray(r['CommonPrefixes'] as { Prefix: string } | { Prefix: string }[] | undefined).map((p) => p.Prefix) };
}

const sealedPrefix = (bucket: string) => ({ listing: { encryptedOnly: [{ bucket, prefix: 'sealed/' }] } });

test('ListObjectsV2 reports plaintext sizes: single-part by the formula in the encrypted-only prefix (no HEAD), multipart objects and everything elsewhere by HEAD; a plain object its own size; the backend ETags; S3 XML', async (t) => {
  const f = await listFixture('sizes', sealedPrefix);
  try {
    const sizes = { 'sealed/a': 100, 'sealed/empty': 0, 'sealed/big': 200_000, 'other/a': 100, 'other/empty': 0 };
    for (const [k, n] of Object.entries(sizes)) await f.put(k, randomBytes(n));
    const mpSealed = await f.putMultipart('sealed/mp', [5 * MiB, 10]);
    await f.putMultipart('other/mp', [5 * MiB, 5 * MiB, 1]);
    t.regex(mpSealed, /-2"$/, 'the committed multipart object keeps its multipart ETag (what tells it from a single-part one)');
    await f.raw.send(new PutObjectCommand({ Bucket: f.bucket, Key: 'other/plain', Body: randomBytes(77) }));
    f.reset();

    const a = await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'sealed/' } });
    t.is(a.status, 200);
    t.is(a.headers['content-type'], 'application/xml');
    t.true(a.body.toString().includes(`<ListBucketResult xmlns="${NS}">`), 'root element in the S3 namespace');
    const sealed = listResult(a.body);
    t.deepEqual(Object.fromEntries(sealed.contents.map((c) => [c.Key, Number(c.Size)])), { 'sealed/a': 100, 'sealed/big': 200_000, 'sealed/empty': 0, 'sealed/mp': 5 * MiB + 10 });
    t.is(sealed.r['KeyCount'], '4');
    t.is(sealed.r['IsTruncated'], 'false');
    t.is(sealed.r['Prefix'], 'sealed/');
    t.is(sealed.contents.find((c) => c.Key === 'sealed/mp')!.ETag, mpSealed, 'ETag is the backend ETag');
    t.deepEqual(Object.fromEntries(f.sent), { ListObjectsV2Command: 1, HeadObjectCommand: 1 }, 'only the multipart object is HEADed in the encrypted-only prefix');

    f.reset();
    const o = listResult((await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'other/' } })).body);
    t.deepEqual(Object.fromEntries(o.contents.map((c) => [c.Key, Number(c.Size)])), { 'other/a': 100, 'other/empty': 0, 'other/mp': 10 * MiB + 1, 'other/plain': 77 });
    t.deepEqual(Object.fromEntries(f.sent), { ListObjectsV2Command: 1, HeadObjectCommand: 4 }, 'outside it every object is HEADed once');

    // every listed size is the one HEAD reports through the core (the plain object is not served: no passthrough)
    for (const c of [...sealed.contents, ...o.contents].filter((c) => c.Key !== 'other/plain')) {
      const h = await f.call({ method: 'HEAD', key: c.Key });
      t.is(h.headers['content-length'], c.Size, `${c.Key}: listed size = HEAD size`);
      t.is(h.headers['etag'], c.ETag, `${c.Key}: listed ETag = HEAD ETag`);
    }
  } finally {
    await f.close();
  }
});

test('the (bucket, key, ETag) cache: a second listing costs no HEAD; an overwritten object (new ETag) is HEADed again and listed with its new size', async (t) => {
  const f = await listFixture('cache');
  try {
    for (const k of ['c/1', 'c/2', 'c/3']) await f.put(k, randomBytes(10));
    f.reset();
    await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'c/' } });
    t.is(f.sent.get('HeadObjectCommand'), 3, 'first listing HEADs each object');
    f.reset();
    const again = listResult((await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'c/' } })).body);
    t.deepEqual(Object.fromEntries(f.sent), { ListObjectsV2Command: 1 }, 'second listing: the LIST only');
    t.deepEqual(again.contents.map((c) => c.Size), ['10', '10', '10']);
    await f.put('c/2', randomBytes(12345));
    f.reset();
    const after = listResult((await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'c/' } })).body);
    t.is(f.sent.get('HeadObjectCommand'), 1, 'only the overwritten object is HEADed');
    t.deepEqual(after.contents.map((c) => [c.Key, c.Size]), [['c/1', '10'], ['c/2', '12345'], ['c/3', '10']]);
    // the v1 listing shares the cache
    f.reset();
    const v1 = listResult((await f.call({ method: 'GET', query: { prefix: 'c/' } })).body);
    t.deepEqual(Object.fromEntries(f.sent), { ListObjectsCommand: 1 });
    t.deepEqual(v1.contents.map((c) => c.Size), ['10', '12345', '10']);
    t.truthy(v1.contents[0]!.Owner, 'v1 lists the owner');
  } finally {
    await f.close();
  }
});

test('pagination: max-keys 2 over 5 objects in three pages (v2 continuation token, v1 marker), and delimiter / common prefixes with NextMarker', async (t) => {
  const f = await listFixture('pages', sealedPrefix);
  try {
    const keys = ['sealed/1', 'sealed/2', 'sealed/3', 'sealed/4', 'sealed/5'];
    for (const [i, k] of keys.entries()) await f.put(k, randomBytes(i * 1000));
    const seen: [string, string][] = [];
    let token: string | undefined;
    const pages: number[] = [];
    do {
      const { r, contents } = listResult((await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'sealed/', 'max-keys': '2', ...(token ? { 'continuation-token': token } : {}) } })).body);
      t.is(r['MaxKeys'], '2');
      if (token) t.is(r['ContinuationToken'], token, 'the token asked for is echoed');
      pages.push(contents.length);
      seen.push(...contents.map((c): [string, string] => [c.Key, c.Size]));
      token = r['IsTruncated'] === 'true' ? (r['NextContinuationToken'] as string) : undefined;
      if (r['IsTruncated'] === 'true') t.truthy(token);
    } while (token);
    t.deepEqual(pages, [2, 2, 1]);
    t.deepEqual(seen, keys.map((k, i): [string, string] => [k, String(i * 1000)]));

    // v1: marker = the last key of the previous page
    const v1: string[] = [];
    let marker = '';
    for (;;) {
      const { r, contents } = listResult((await f.call({ method: 'GET', query: { prefix: 'sealed/', 'max-keys': '2', ...(marker ? { marker } : {}) } })).body);
      t.is(r['Marker'], marker);
      v1.push(...contents.map((c) => c.Key));
      if (r['IsTruncated'] !== 'true') break;
      marker = contents.at(-1)!.Key;
    }
    t.deepEqual(v1, keys);
    // start-after
    t.deepEqual(listResult((await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'sealed/', 'start-after': 'sealed/3' } })).body).contents.map((c) => c.Key), ['sealed/4', 'sealed/5']);

    // delimiter
    for (const k of ['d/x/1', 'd/x/2', 'd/y', 'd/z/3']) await f.put(k, randomBytes(3));
    const d = listResult((await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'd/', delimiter: '/' } })).body);
    t.deepEqual(d.prefixes, ['d/x/', 'd/z/']);
    t.deepEqual(d.contents.map((c) => [c.Key, c.Size]), [['d/y', '3']]);
    t.is(d.r['KeyCount'], '3', 'KeyCount counts keys and common prefixes');
    t.is(d.r['Delimiter'], '/');
    // v1 with a delimiter: NextMarker is the backend's (MinIO's may carry its own cache suffix), and
    // following it pages through keys and common prefixes once each
    const walked: string[] = [];
    let next = '';
    for (let i = 0; i < 10; i++) {
      const d1 = listResult((await f.call({ method: 'GET', query: { prefix: 'd/', delimiter: '/', 'max-keys': '1', ...(next ? { marker: next } : {}) } })).body);
      walked.push(...d1.prefixes, ...d1.contents.map((c) => c.Key));
      if (d1.r['IsTruncated'] !== 'true') break;
      next = d1.r['NextMarker'] as string;
      t.truthy(next, 'a truncated v1 page with a delimiter names the next marker');
    }
    t.deepEqual(walked, ['d/x/', 'd/y', 'd/z/']);
  } finally {
    await f.close();
  }
});

test('encoding-type=url: keys with space, plus, percent, non-ASCII and a control character come back percent-encoded and decode to the stored key; without it they come back as stored', async (t) => {
  const f = await listFixture('enc');
  try {
    const keys = ['e/a b', 'e/a+b', 'e/100%', 'e/ü/€', 'e/ctl\u0001x', 'e/&<>'];
    for (const k of keys) await f.put(k, randomBytes(5));
    const enc = await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'e/', 'encoding-type': 'url' } });
    const { r, contents } = listResult(enc.body);
    t.is(r['EncodingType'], 'url');
    t.is(r['Prefix'], 'e/');
    const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    t.deepEqual(contents.map((c) => decodeURIComponent(c.Key)), sorted);
    t.true(contents.every((c) => /^[A-Za-z0-9%/._~-]+$/.test(c.Key)), 'only unreserved characters and escapes');
    t.deepEqual(contents.map((c) => c.Size), keys.map(() => '5'));
    const plain = listResult((await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'e/a' } })).body);
    t.deepEqual(plain.contents.map((c) => c.Key), ['e/a b', 'e/a+b']);
    // bad values, as S3 answers them
    const bad = await f.call({ method: 'GET', query: { 'list-type': '2', 'encoding-type': 'base64' } });
    t.is(bad.status, 400);
    t.is((xmlOf(bad)['Error'] as { Code: string }).Code, 'InvalidArgument');
    const badMax = await f.call({ method: 'GET', query: { 'list-type': '2', 'max-keys': '-1' } });
    t.is(badMax.status, 400);
    t.is((xmlOf(badMax)['Error'] as { Code: string }).Code, 'InvalidArgument');
  } finally {
    await f.close();
  }
});

test('ListObjectVersions on a versioned bucket: every version with its plaintext size (HEAD of that version), delete markers in place, paging by key and version markers', async (t) => {
  const f = await listFixture('versions');
  try {
    await f.raw.send(new PutBucketVersioningCommand({ Bucket: f.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await f.put('v/k', randomBytes(10));
    await f.put('v/k', randomBytes(2000));
    await f.call({ method: 'DELETE', key: 'v/k' });
    await f.put('v/l', randomBytes(7));
    f.reset();
    const a = await f.call({ method: 'GET', query: { versions: '', prefix: 'v/' } });
    t.is(a.status, 200);
    const text = a.body.toString();
    t.true(text.includes(`<ListVersionsResult xmlns="${NS}">`));
    // S3's order: by key, newest first, the delete marker where it belongs
    const order = [...text.matchAll(/<(Version|DeleteMarker)><Key>([^<]*)<\/Key><VersionId>[^<]*<\/VersionId><IsLatest>(true|false)<\/IsLatest>(?:<LastModified>[^<]*<\/LastModified><ETag>[^<]*<\/ETag><Size>([0-9]+)<\/Size>)?/g)].map((m) => [m[1], m[2], m[3], m[4]]);
    t.deepEqual(order, [
      ['DeleteMarker', 'v/k', 'true', undefined],
      ['Version', 'v/k', 'false', '2000'],
      ['Version', 'v/k', 'false', '10'],
      ['Version', 'v/l', 'true', '7'],
    ]);
    t.is(f.sent.get('HeadObjectCommand'), 3, 'one HEAD per version, none for the marker');
    f.reset();
    await f.call({ method: 'GET', query: { versions: '', prefix: 'v/' } });
    t.is(f.sent.get('HeadObjectCommand'), undefined, 'versions are cached by (key, ETag) too');

    // paging
    const seen: string[] = [];
    let markers: Record<string, string> = {};
    for (let i = 0; i < 10; i++) {
      const page = xmlOf(await f.call({ method: 'GET', query: { versions: '', prefix: 'v/', 'max-keys': '1', ...markers } }))['ListVersionsResult'] as Record<string, unknown>;
      for (const v of asArray(page['Version'] as { Size: string }[] | undefined)) seen.push(`V${v.Size}`);
      for (const _ of asArray(page['DeleteMarker'] as object[] | undefined)) seen.push('D');
      if (page['IsTruncated'] !== 'true') break;
      markers = { 'key-marker': page['NextKeyMarker'] as string, 'version-id-marker': page['NextVersionIdMarker'] as string };
    }
    t.deepEqual(seen, ['D', 'V2000', 'V10', 'V7']);
  } finally {
    await f.close();
  }
});

test('1,000 single-part objects in an encrypted-only prefix: the listing costs the LIST pages and nothing else (list_backend_requests_per_object)', async (t) => {
  const f = await listFixture('thousand', (bucket) => ({ listing: { encryptedOnly: [{ bucket, prefix: 'many/' }] } }));
  try {
    const n = 1000;
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < n) {
          const i = next++;
          await f.put(`many/${String(i).padStart(4, '0')}`, randomBytes(i % 300));
        }
      }),
    );
    f.reset();
    let token: string | undefined;
    let listed = 0;
    let pages = 0;
    const sizes: number[] = [];
    do {
      const { r, contents } = listResult((await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'many/', 'max-keys': '250', ...(token ? { 'continuation-token': token } : {}) } })).body);
      pages++;
      listed += contents.length;
      sizes.push(...contents.map((c) => Number(c.Size)));
      token = r['IsTruncated'] === 'true' ? (r['NextContinuationToken'] as string) : undefined;
    } while (token);
    t.is(listed, n);
    t.deepEqual(sizes, Array.from({ length: n }, (_, i) => i % 300), 'every size is the plaintext size');
    const beyond = f.total() - (f.sent.get('ListObjectsV2Command') ?? 0);
    t.is(f.sent.get('ListObjectsV2Command'), pages);
    const perObject = beyond / n;
    t.log(`list_backend_requests_per_object = ${perObject} (${f.total()} backend requests for ${n} objects: ${pages} LIST pages, ${beyond} others)`);
    t.true(perObject <= 0.01);
    t.is(beyond, 0);
  } finally {
    await f.close();
  }
});

test('SeaweedFS: plaintext sizes of single-part and multipart objects in and outside an encrypted-only prefix, and url-encoded keys decoded', async (t) => {
  const f = await listFixture('weed', sealedPrefix, undefined, 'seaweedfs');
  try {
    await f.put('sealed/a b+c%', randomBytes(300));
    const mp = await f.putMultipart('sealed/mp', [5 * MiB, 7]);
    t.regex(mp, /-2"?$/, 'SeaweedFS keeps the multipart ETag through the commit too');
    await f.put('other/x', randomBytes(301));
    f.reset();
    const all = listResult((await f.call({ method: 'GET', query: { 'list-type': '2', 'encoding-type': 'url' } })).body);
    t.deepEqual(all.contents.map((c) => [decodeURIComponent(c.Key), c.Size]), [['other/x', '301'], ['sealed/a b+c%', '300'], ['sealed/mp', String(5 * MiB + 7)]]);
    t.is(f.sent.get('HeadObjectCommand'), 2, 'the multipart object and the one outside the prefix');
  } finally {
    await f.close();
  }
});

test('the lists ask the action policy for ListBucket (ListObjectVersions: ListBucketVersions) on the bucket and prefix first: a refusal is AccessDenied 403 and no LIST reaches the backend', async (t) => {
  const asked: { action: string; bucket: string; key: string }[] = [];
  const f = await listFixture('policy', () => ({}), {
    authorize: (_p, action, o) => {
      asked.push({ action, bucket: o.bucket, key: o.key });
      return (action === 'ListBucket' || action === 'ListBucketVersions') && o.key.startsWith('secret/') ? Promise.reject(new SealError('AccessDenied', 'policy: no listing of secret/')) : Promise.resolve();
    },
  });
  try {
    f.reset();
    const queries: Record<string, string>[] = [{ 'list-type': '2', prefix: 'secret/' }, { prefix: 'secret/x' }, { versions: '', prefix: 'secret/' }];
    for (const query of queries) {
      const a = await f.call({ method: 'GET', query });
      t.deepEqual([a.status, (xmlOf(a)['Error'] as { Code: string; Message: string }).Code], [403, 'AccessDenied']);
    }
    t.is(f.total(), 0, 'nothing reached the backend');
    const ok = await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'open/' } });
    t.is(ok.status, 200);
    t.deepEqual(asked.at(-1), { action: 'ListBucket', bucket: f.bucket, key: 'open/' });
  } finally {
    await f.close();
  }
});
