/**
 * A copy of a multipart object keeps a multipart ETag, so the listing of an encrypted-only prefix
 * (which uses the single-part size formula for entries with a plain ETag, and HEADs `…-N` entries:
 * src/engine/listed-sizes.ts) lists it with its exact plaintext size — on MinIO and SeaweedFS.
 * A single CopyObject to another key gives the copy a plain ETag on MinIO (the formula then assumes
 * one part and lists a wrong size); s3seal copies a multipart source to another key by
 * UploadPartCopy instead. The other ways s3seal rewrites a multipart object's metadata (the layout
 * commit, a copy-to-self re-wrap with new metadata or a rotated SSE-C key) keep the backend's `-N`
 * ETag; each path's stored ETag is checked here too.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { listFixture, type ListFixture } from '../helpers/list-fixture.js';
import { xmlOf } from '../helpers/s3-core-fixture.js';

const MiB = 1024 * 1024;
const MULTIPART_ETAG = /-[0-9]+"$/;

const ssec = (k: Buffer, prefix = 'x-amz-server-side-encryption-customer-'): Record<string, string> => ({
  [`${prefix}algorithm`]: 'AES256',
  [`${prefix}key`]: k.toString('base64'),
  [`${prefix}key-md5`]: createHash('md5').update(k).digest('base64'),
});

function listed(body: Buffer): Record<string, { size: number; etag: string }> {
  const r = (xmlOf({ status: 200, headers: {}, body })['ListBucketResult'] ?? {}) as { Contents?: { Key: string; Size: string; ETag: string } | { Key: string; Size: string; ETag: string }[] };
  const contents = r.Contents === undefined ? [] : Array.isArray(r.Contents) ? r.Contents : [r.Contents];
  return Object.fromEntries(contents.map((c) => [c.Key, { size: Number(c.Size), etag: c.ETag }]));
}

async function storedEtag(f: ListFixture, key: string): Promise<string> {
  return (await f.raw.send(new HeadObjectCommand({ Bucket: f.bucket, Key: key }))).ETag ?? '';
}

async function copy(f: ListFixture, from: string, to: string, headers: Record<string, string> = {}): Promise<void> {
  const a = await f.call({ method: 'PUT', key: to, headers: { 'x-amz-copy-source': `/${f.bucket}/${from}`, ...headers } });
  if (a.status !== 200) throw new Error(`copy ${from} → ${to}: ${a.status} ${a.body.toString()}`);
}

for (const backend of ['minio', 'seaweedfs'] as const) {
  test(`${backend}: a 3-part multipart object copied to another key inside an encrypted-only prefix keeps a -N ETag and lists with its exact plaintext size; copy-to-self re-wraps keep theirs`, async (t) => {
    const f = await listFixture(`mpcopy-${backend}`, (bucket) => ({ listing: { encryptedOnly: [{ bucket, prefix: 'sealed/' }] } }), undefined, backend);
    try {
      const size = 15 * MiB;
      const committed = await f.putMultipart('sealed/src', [5 * MiB, 5 * MiB, 5 * MiB]);
      t.regex(committed, MULTIPART_ETAG, 'the layout commit keeps the multipart ETag');

      await copy(f, 'sealed/src', 'sealed/copy');
      const copyEtag = await storedEtag(f, 'sealed/copy');
      t.log(`${backend}: committed ${committed}, copy to another key ${copyEtag}`);
      t.regex(copyEtag, MULTIPART_ETAG, 'the copy to another key has a multipart ETag');

      // a copy-to-self that replaces metadata, and one that rotates to an SSE-C key (a re-wrap in place)
      await copy(f, 'sealed/copy', 'sealed/copy', { 'x-amz-metadata-directive': 'REPLACE', 'x-amz-meta-note': 'replaced' });
      const replacedEtag = await storedEtag(f, 'sealed/copy');
      t.regex(replacedEtag, MULTIPART_ETAG, 'a REPLACE copy-to-self keeps a multipart ETag');
      const k2 = randomBytes(32);
      const ssecKey = randomBytes(32);
      await copy(f, 'sealed/src', 'sealed/ssec-src', ssec(ssecKey));
      await copy(f, 'sealed/ssec-src', 'sealed/ssec-src', { ...ssec(ssecKey, 'x-amz-copy-source-server-side-encryption-customer-'), ...ssec(k2) });
      const rotatedEtag = await storedEtag(f, 'sealed/ssec-src');
      t.log(`${backend}: REPLACE copy-to-self ${replacedEtag}, SSE-C rotation in place ${rotatedEtag}`);
      t.regex(rotatedEtag, MULTIPART_ETAG, 'an SSE-C key rotation by copy-to-self keeps a multipart ETag');

      // the committed object itself (parts with CRC32s, a full-object checksum) re-wrapped in place:
      // one metadata-only CopyObject that keeps its ETag on both backends
      f.reset();
      await copy(f, 'sealed/src', 'sealed/src', { 'x-amz-metadata-directive': 'REPLACE', 'x-amz-meta-note': 'in place' });
      t.is(await storedEtag(f, 'sealed/src'), committed, 'an in-place re-wrap of the committed object keeps its ETag');
      t.is(f.sent.get('UploadPartCopyCommand'), undefined, 'and is no part copy');

      const a = await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'sealed/' } });
      t.is(a.status, 200, a.body.toString());
      const sizes = Object.fromEntries(Object.entries(listed(a.body)).map(([k, v]) => [k, v.size]));
      t.deepEqual(sizes, { 'sealed/copy': size, 'sealed/src': size, 'sealed/ssec-src': size }, 'every copy lists with its plaintext size');

      // and the copy reads back as the source does
      const src = await f.call({ method: 'GET', key: 'sealed/src' });
      const dst = await f.call({ method: 'GET', key: 'sealed/copy' });
      t.is(dst.status, 200);
      t.true(dst.body.equals(src.body));
      t.is(dst.headers['x-amz-meta-note'], 'replaced');
      const range = await f.call({ method: 'GET', key: 'sealed/copy', headers: { range: `bytes=${5 * MiB - 3}-${10 * MiB + 2}` } });
      t.true(range.body.equals(src.body.subarray(5 * MiB - 3, 10 * MiB + 3)), 'a range across parts of the copy is exact');
      const rotated = await f.call({ method: 'GET', key: 'sealed/ssec-src', headers: ssec(k2) });
      t.true(rotated.body.equals(src.body), 'the rotated copy reads back under the new key');
    } finally {
      await f.close();
    }
  });
}

test('minio: a copy of a single-part object to another key stays single-part (plain ETag, listed by the formula with no HEAD)', async (t) => {
  const f = await listFixture('spcopy', (bucket) => ({ listing: { encryptedOnly: [{ bucket, prefix: 'sealed/' }] } }));
  try {
    const a = await f.call({ method: 'PUT', key: 'sealed/one', body: Readable.from([randomBytes(1000)]), headers: { 'content-length': '1000' } });
    t.is(a.status, 200);
    await copy(f, 'sealed/one', 'sealed/two');
    t.notRegex(await storedEtag(f, 'sealed/two'), MULTIPART_ETAG);
    f.reset();
    const l = await f.call({ method: 'GET', query: { 'list-type': '2', prefix: 'sealed/' } });
    t.deepEqual(Object.fromEntries(Object.entries(listed(l.body)).map(([k, v]) => [k, v.size])), { 'sealed/one': 1000, 'sealed/two': 1000 });
    t.is(f.sent.get('HeadObjectCommand'), undefined, 'no HEAD');
  } finally {
    await f.close();
  }
});
