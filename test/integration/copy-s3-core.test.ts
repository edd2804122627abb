/**
 * CopyObject and UploadPartCopy at the HTTP level (issue 7 items 4 and 5): S3Request in, S3Response
 * out through the container's S3 core over real MinIO (file keystore). The copy source, its SSE-C
 * headers, the destination's SSE headers, x-amz-metadata-directive and x-amz-copy-source-if-* as S3
 * takes them; S3's CopyObjectResult / CopyPartResult XML with the destination's SSE echo (S3 echoes
 * on CopyObject; MinIO does not, s3seal does); S3's codes and statuses for every refusal.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { bodyOf, coreFixture, errorCode, ssec, xmlOf, type CoreFixture } from '../helpers/s3-core-fixture.js';

const MiB = 1024 * 1024;
const b64json = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64');
const md5 = (k: Buffer): string => createHash('md5').update(k).digest('base64');
const echoOf = (h: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(h).filter(([k]) => k.startsWith('x-amz-server-side-encryption')));

/** the copy-source SSE-C headers for `key` */
function sourceSsec(key: Buffer): Record<string, string> {
  return Object.fromEntries(Object.entries(ssec(key)).map(([k, v]) => [k.replace('x-amz-server-side-encryption-', 'x-amz-copy-source-server-side-encryption-'), v]));
}

async function put(f: CoreFixture, key: string, body: Buffer, headers: Record<string, string> = {}): Promise<string> {
  const a = await f.call({ method: 'PUT', key, ...bodyOf(body, headers) });
  if (a.status !== 200) throw new Error(`PUT ${key}: ${a.status} ${a.body.toString()}`);
  return a.headers['etag']!;
}

async function storedEtag(f: CoreFixture, key: string): Promise<string | undefined> {
  try {
    return (await f.raw.send(new HeadObjectCommand({ Bucket: f.bucket, Key: key }))).ETag;
  } catch {
    return undefined;
  }
}

test('CopyObject through the S3 core: CopyObjectResult XML (backend ETag, LastModified) and the destination echo in every mode; the copy reads back', async (t) => {
  const f = await coreFixture('copy-modes');
  try {
    const body = randomBytes(80_000);
    const srcKey = randomBytes(32);
    await put(f, 'src', body, ssec(srcKey));
    const dstKey = randomBytes(32);
    const context = { team: 'copy' };
    const cases: { name: string; sse: Record<string, string>; echo: Record<string, string>; read?: Record<string, string> }[] = [
      { name: 'none', sse: {}, echo: { 'x-amz-server-side-encryption': 'AES256' } },
      { name: 'aes256', sse: { 'x-amz-server-side-encryption': 'AES256' }, echo: { 'x-amz-server-side-encryption': 'AES256' } },
      {
        name: 'kms',
        sse: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'file:kms-other', 'x-amz-server-side-encryption-context': b64json(context), 'x-amz-server-side-encryption-bucket-key-enabled': 'true' },
        echo: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': f.keys.kmsOther, 'x-amz-server-side-encryption-context': b64json(context), 'x-amz-server-side-encryption-bucket-key-enabled': 'true' },
      },
      { name: 'ssec', sse: ssec(dstKey), echo: { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key-md5': md5(dstKey) }, read: ssec(dstKey) },
    ];
    for (const c of cases) {
      const a = await f.call({ method: 'PUT', key: `dst/${c.name}`, headers: { 'x-amz-copy-source': `/${f.bucket}/src`, ...sourceSsec(srcKey), ...c.sse } });
      t.is(a.status, 200, `${c.name}: ${a.body.toString()}`);
      t.deepEqual(echoOf(a.headers), c.echo, `${c.name}: the destination's echo`);
      t.is(a.headers['content-type'], 'application/xml');
      const result = xmlOf(a)['CopyObjectResult'] as { ETag: string; LastModified: string };
      t.is(result.ETag, (await storedEtag(f, `dst/${c.name}`)) ?? 'missing', `${c.name}: the backend's ETag`);
      t.false(Number.isNaN(Date.parse(result.LastModified)), 'LastModified is a timestamp');
      const got = await f.call({ method: 'GET', key: `dst/${c.name}`, headers: c.read ?? {} });
      t.is(got.status, 200);
      t.true(got.body.equals(body), `${c.name}: the copy reads back`);
    }
  } finally {
    await f.close();
  }
});

test('CopyObject refusals as S3 answers them: CopySourceIf* 412 with nothing written, copy-to-self 400, SSE-C source key missing 400 / wrong 403, unknown directive 400, tagging REPLACE 501, missing source 404', async (t) => {
  const f = await coreFixture('copy-refuse');
  try {
    const body = randomBytes(1000);
    const etag = await put(f, 'src', body);
    const k = randomBytes(32);
    await put(f, 'ssec', body, ssec(k));
    const copy = (key: string, headers: Record<string, string>) => f.call({ method: 'PUT', key, headers: { 'x-amz-copy-source': `${f.bucket}/src`, ...headers } });
    for (const [name, h] of [
      ['if-match', { 'x-amz-copy-source-if-match': '"00000000000000000000000000000000"' }],
      ['if-none-match', { 'x-amz-copy-source-if-none-match': etag }],
      ['if-unmodified-since', { 'x-amz-copy-source-if-unmodified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' }],
      ['if-modified-since', { 'x-amz-copy-source-if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() }],
    ] as const) {
      const a = await copy(`no-${name}`, h);
      t.deepEqual([a.status, errorCode(a)], [412, 'PreconditionFailed'], name);
      t.is(await storedEtag(f, `no-${name}`), undefined, `${name}: nothing written`);
    }
    t.is((await copy('yes', { 'x-amz-copy-source-if-match': etag })).status, 200, 'a holding If-Match copies');

    const self = await copy('src', {});
    t.deepEqual([self.status, errorCode(self)], [400, 'InvalidRequest']);
    t.regex((xmlOf(self)['Error'] as { Message: string }).Message, /copy an object to itself without changing/);
    t.is(await storedEtag(f, 'src'), etag);

    const fromSsec = (headers: Record<string, string>) => f.call({ method: 'PUT', key: 'from-ssec', headers: { 'x-amz-copy-source': `${f.bucket}/ssec`, ...headers } });
    const noKey = await fromSsec({});
    t.deepEqual([noKey.status, errorCode(noKey)], [400, 'InvalidRequest'], 'an SSE-C source without its key');
    const wrong = await fromSsec(sourceSsec(randomBytes(32)));
    t.deepEqual([wrong.status, errorCode(wrong)], [403, 'AccessDenied'], 'an SSE-C source with another key');
    const keyOnPlain = await copy('x', sourceSsec(k));
    t.deepEqual([keyOnPlain.status, errorCode(keyOnPlain)], [400, 'InvalidRequest'], 'copy-source SSE-C headers on a non-SSE-C source');
    const directive = await copy('x', { 'x-amz-metadata-directive': 'replace' });
    t.deepEqual([directive.status, errorCode(directive)], [400, 'InvalidArgument'], 'directives are case-sensitive');
    const tagging = await copy('x', { 'x-amz-tagging-directive': 'REPLACE' });
    t.deepEqual([tagging.status, errorCode(tagging)], [501, 'NotImplemented']);
    const missing = await f.call({ method: 'PUT', key: 'x', headers: { 'x-amz-copy-source': `${f.bucket}/nothing-here` } });
    t.deepEqual([missing.status, errorCode(missing)], [404, 'NoSuchKey']);
    const badSource = await f.call({ method: 'PUT', key: 'x', headers: { 'x-amz-copy-source': 'no-slash' } });
    t.deepEqual([badSource.status, errorCode(badSource)], [400, 'InvalidArgument']);
    t.is(await storedEtag(f, 'x'), undefined);
  } finally {
    await f.close();
  }
});

test('SSE-C key rotation by copy-to-self through the S3 core; REPLACE metadata directive stores the new metadata and content headers', async (t) => {
  const f = await coreFixture('copy-rotate');
  try {
    const body = randomBytes(5000);
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    await put(f, 'k', body, { ...ssec(oldKey), 'x-amz-meta-owner': 'ops', 'content-type': 'text/plain' });
    const rotated = await f.call({ method: 'PUT', key: 'k', headers: { 'x-amz-copy-source': `${f.bucket}/k`, ...sourceSsec(oldKey), ...ssec(newKey) } });
    t.is(rotated.status, 200);
    t.is(rotated.headers['x-amz-server-side-encryption-customer-key-md5'], md5(newKey));
    const old = await f.call({ method: 'GET', key: 'k', headers: ssec(oldKey) });
    t.deepEqual([old.status, errorCode(old)], [403, 'AccessDenied'], 'the old key is refused');
    const now = await f.call({ method: 'GET', key: 'k', headers: ssec(newKey) });
    t.is(now.status, 200);
    t.true(now.body.equals(body));
    t.is(now.headers['x-amz-meta-owner'], 'ops', 'COPY (the default) kept the metadata');
    t.is(now.headers['content-type'], 'text/plain');

    const replaced = await f.call({ method: 'PUT', key: 'k', headers: { 'x-amz-copy-source': `${f.bucket}/k`, ...sourceSsec(newKey), ...ssec(newKey), 'x-amz-metadata-directive': 'REPLACE', 'x-amz-meta-owner': 'dev', 'content-type': 'application/json' } });
    t.is(replaced.status, 200);
    const head = await f.call({ method: 'HEAD', key: 'k', headers: ssec(newKey) });
    t.is(head.headers['x-amz-meta-owner'], 'dev');
    t.is(head.headers['content-type'], 'application/json');
  } finally {
    await f.close();
  }
});

test('UploadPartCopy through the S3 core: x-amz-copy-source-range of a sealed source into an SSE-C upload (CopyPartResult XML, upload echo), Complete, read back exact; a range past the end is InvalidArgument 400', async (t) => {
  const f = await coreFixture('upc');
  try {
    const source = randomBytes(6 * MiB + 11);
    await put(f, 'src', source, { 'x-amz-server-side-encryption': 'aws:kms' });
    const k = randomBytes(32);
    const created = await f.call({ method: 'POST', key: 'dst', query: { uploads: '' }, headers: ssec(k) });
    const uploadId = (xmlOf(created)['InitiateMultipartUploadResult'] as { UploadId: string }).UploadId;
    const part = (n: number, headers: Record<string, string>) => f.call({ method: 'PUT', key: 'dst', query: { partNumber: String(n), uploadId }, headers: { 'x-amz-copy-source': `${f.bucket}/src`, ...ssec(k), ...headers } });
    const p1 = await part(1, { 'x-amz-copy-source-range': `bytes=0-${5 * MiB - 1}` });
    t.is(p1.status, 200, p1.body.toString());
    t.deepEqual(echoOf(p1.headers), { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key-md5': md5(k) });
    const r1 = xmlOf(p1)['CopyPartResult'] as { ETag: string; LastModified: string };
    t.truthy(r1.ETag);
    t.false(Number.isNaN(Date.parse(r1.LastModified)));
    const p2 = await part(2, { 'x-amz-copy-source-range': `bytes=${5 * MiB}-${6 * MiB + 10}` });
    t.is(p2.status, 200);
    const beyond = await part(3, { 'x-amz-copy-source-range': `bytes=0-${6 * MiB + 11}` });
    t.deepEqual([beyond.status, errorCode(beyond)], [400, 'InvalidArgument']);
    const open = await part(3, { 'x-amz-copy-source-range': 'bytes=5-' });
    t.deepEqual([open.status, errorCode(open)], [400, 'InvalidArgument'], 'only bytes=first-last');
    const cond = await part(3, { 'x-amz-copy-source-if-match': '"nope"' });
    t.deepEqual([cond.status, errorCode(cond)], [412, 'PreconditionFailed']);
    const noKey = await f.call({ method: 'PUT', key: 'dst', query: { partNumber: '3', uploadId }, headers: { 'x-amz-copy-source': `${f.bucket}/src` } });
    t.deepEqual([noKey.status, errorCode(noKey)], [400, 'InvalidRequest'], "an SSE-C upload's part copy needs the upload's key");

    const doc = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${r1.ETag}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>${(xmlOf(p2)['CopyPartResult'] as { ETag: string }).ETag}</ETag></Part></CompleteMultipartUpload>`;
    const done = await f.call({ method: 'POST', key: 'dst', query: { uploadId }, ...bodyOf(Buffer.from(doc), ssec(k)) });
    t.is(done.status, 200, done.body.toString());
    const got = await f.call({ method: 'GET', key: 'dst', headers: ssec(k) });
    t.true(got.body.equals(source), 'the parts are the source, exactly');
    const ranged = await f.call({ method: 'GET', key: 'dst', headers: { ...ssec(k), range: `bytes=${5 * MiB - 3}-${5 * MiB + 2}` } });
    t.is(ranged.status, 206);
    t.true(ranged.body.equals(source.subarray(5 * MiB - 3, 5 * MiB + 3)));
  } finally {
    await f.close();
  }
});
