/**
 * Multipart through the S3 core (issue 7 items 2, 3, 5) on real MinIO with the file keystore:
 * CreateMultipartUpload / UploadPart / ListParts / CompleteMultipartUpload / Abort as S3 answers
 * them (XML bodies, SSE echo on every multipart response as S3 sends it), ListParts with plaintext
 * sizes, an SSE-C upload's parts needing the same key, a part that fails its checksum leaving no
 * part, S3's codes for malformed Complete documents and unknown uploads.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { bodyOf, coreFixture, errorCode, ssec, xmlOf, type Answer, type CoreFixture } from '../helpers/s3-core-fixture.js';

const MiB = 1024 * 1024;
const b64json = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64');
const sseNames = (h: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(h).filter(([k]) => k.startsWith('x-amz-server-side-encryption')));

function completeXml(parts: { n: number; etag: string }[]): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.map((p) => `<Part><ETag>${p.etag.replace(/"/g, '&quot;')}</ETag><PartNumber>${p.n}</PartNumber></Part>`).join('')}</CompleteMultipartUpload>`);
}

async function create(f: CoreFixture, key: string, headers: Record<string, string>): Promise<{ answer: Answer; uploadId: string }> {
  const answer = await f.call({ method: 'POST', key, query: { uploads: '' }, headers });
  const uploadId = (xmlOf(answer)['InitiateMultipartUploadResult'] as { UploadId?: string } | undefined)?.UploadId ?? '';
  return { answer, uploadId };
}

test('SSE-KMS multipart: Create echoes mode, key id and context; UploadPart echoes mode and key id; ListParts gives plaintext sizes and part ETags; Complete answers S3 XML with the backend ETag; the object reads back whole and across parts', async (t) => {
  const f = await coreFixture('mpu-kms');
  try {
    const context = { project: 'x' };
    const sse = { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': b64json(context), 'x-amz-server-side-encryption-bucket-key-enabled': 'true' };
    const { answer, uploadId } = await create(f, 'big', { ...sse, 'content-type': 'text/csv', 'x-amz-meta-origin': 'core' });
    t.is(answer.status, 200, answer.body.toString());
    t.is(answer.headers['content-type'], 'application/xml');
    t.like(xmlOf(answer)['InitiateMultipartUploadResult'], { Bucket: f.bucket, Key: 'big' });
    t.deepEqual(sseNames(answer.headers), {
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': f.keys.kmsDefault,
      'x-amz-server-side-encryption-context': b64json(context),
      'x-amz-server-side-encryption-bucket-key-enabled': 'true',
    });
    const parts = [randomBytes(5 * MiB), randomBytes(MiB + 1)];
    const etags: string[] = [];
    for (const [i, data] of parts.entries()) {
      const up = await f.call({ method: 'PUT', key: 'big', query: { partNumber: String(i + 1), uploadId }, ...bodyOf(data, { 'content-md5': createHash('md5').update(data).digest('base64') }) });
      t.is(up.status, 200, up.body.toString());
      t.deepEqual(sseNames(up.headers), { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': f.keys.kmsDefault, 'x-amz-server-side-encryption-bucket-key-enabled': 'true' });
      etags.push(up.headers['etag']!);
    }
    const listed = await f.call({ method: 'GET', key: 'big', query: { uploadId } });
    t.is(listed.status, 200, listed.body.toString());
    const lp = xmlOf(listed)['ListPartsResult'] as { Part: { PartNumber: string; Size: string; ETag: string }[]; IsTruncated: string; UploadId: string };
    t.deepEqual(lp.Part.map((p) => [p.PartNumber, p.Size, p.ETag]), [['1', String(5 * MiB), etags[0]], ['2', String(MiB + 1), etags[1]]]);
    t.is(lp.IsTruncated, 'false');
    t.is(lp.UploadId, uploadId);
    const paged = xmlOf(await f.call({ method: 'GET', key: 'big', query: { uploadId, 'max-parts': '1' } }))['ListPartsResult'] as { Part: { PartNumber: string }; IsTruncated: string; NextPartNumberMarker: string };
    t.like(paged, { IsTruncated: 'true', NextPartNumberMarker: '1', Part: { PartNumber: '1' } });
    const second = xmlOf(await f.call({ method: 'GET', key: 'big', query: { uploadId, 'part-number-marker': '1' } }))['ListPartsResult'] as { Part: { PartNumber: string }; IsTruncated: string };
    t.like(second, { IsTruncated: 'false', Part: { PartNumber: '2' } });

    const done = await f.call({ method: 'POST', key: 'big', query: { uploadId }, ...bodyOf(completeXml(etags.map((etag, i) => ({ n: i + 1, etag })))) });
    t.is(done.status, 200, done.body.toString());
    const result = xmlOf(done)['CompleteMultipartUploadResult'] as { Bucket: string; Key: string; ETag: string; Location: string };
    t.like(result, { Bucket: f.bucket, Key: 'big', Location: `/${f.bucket}/big` });
    t.regex(result.ETag, /^"[0-9a-f]+-?\d*"$/);
    t.deepEqual(sseNames(done.headers), { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': f.keys.kmsDefault, 'x-amz-server-side-encryption-bucket-key-enabled': 'true' }, 'Complete: no context, as S3');

    const whole = Buffer.concat(parts);
    const got = await f.call({ method: 'GET', key: 'big' });
    t.is(got.status, 200);
    t.true(got.body.equals(whole));
    t.like(got.headers, { etag: result.ETag, 'content-length': String(whole.length), 'content-type': 'text/csv', 'x-amz-meta-origin': 'core' });
    const across = await f.call({ method: 'GET', key: 'big', headers: { range: `bytes=${5 * MiB - 10}-${5 * MiB + 10}` } });
    t.is(across.status, 206);
    t.true(across.body.equals(whole.subarray(5 * MiB - 10, 5 * MiB + 11)));
    t.is((await f.call({ method: 'HEAD', key: 'big' })).headers['content-length'], String(whole.length));
  } finally {
    await f.close();
  }
});

test('SSE-C multipart: Create and every part echo algorithm and key MD5; a part without the key is InvalidRequest 400, with another key AccessDenied 403; Complete (which needs the key here) echoes no SSE-C header, as S3; reads need the key', async (t) => {
  const f = await coreFixture('mpu-ssec');
  try {
    const key = randomBytes(32);
    const other = randomBytes(32);
    const md5 = createHash('md5').update(key).digest('base64');
    const echo = { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key-md5': md5 };
    const { answer, uploadId } = await create(f, 'c', ssec(key));
    t.is(answer.status, 200);
    t.deepEqual(sseNames(answer.headers), echo);
    const data = randomBytes(300_000);
    const noKey = await f.call({ method: 'PUT', key: 'c', query: { partNumber: '1', uploadId }, ...bodyOf(data) });
    t.is(noKey.status, 400);
    t.is(errorCode(noKey), 'InvalidRequest');
    const wrong = await f.call({ method: 'PUT', key: 'c', query: { partNumber: '1', uploadId }, ...bodyOf(data, ssec(other)) });
    t.is(wrong.status, 403);
    t.is(errorCode(wrong), 'AccessDenied');
    const kms = await f.call({ method: 'PUT', key: 'c', query: { partNumber: '1', uploadId }, ...bodyOf(data, { 'x-amz-server-side-encryption': 'AES256' }) });
    t.is(kms.status, 400, 'a part takes no x-amz-server-side-encryption');
    t.is(errorCode(kms), 'InvalidArgument');
    const insecure = await f.call({ method: 'PUT', key: 'c', query: { partNumber: '1', uploadId }, secureTransport: false, ...bodyOf(data, ssec(key)) });
    t.is(insecure.status, 400);
    t.is(errorCode(insecure), 'InvalidRequest');
    const listedBefore = xmlOf(await f.call({ method: 'GET', key: 'c', query: { uploadId } }))['ListPartsResult'] as { Part?: unknown };
    t.is(listedBefore.Part, undefined, 'no refused part reached the backend');

    const ok = await f.call({ method: 'PUT', key: 'c', query: { partNumber: '1', uploadId }, ...bodyOf(data, ssec(key)) });
    t.is(ok.status, 200);
    t.deepEqual(sseNames(ok.headers), echo);
    const doc = completeXml([{ n: 1, etag: ok.headers['etag']! }]);
    const completeNoKey = await f.call({ method: 'POST', key: 'c', query: { uploadId }, ...bodyOf(doc) });
    t.is(completeNoKey.status, 400, 'Complete of an SSE-C upload needs the key (deviation: the DEK commits the layout)');
    const done = await f.call({ method: 'POST', key: 'c', query: { uploadId }, ...bodyOf(doc, ssec(key)) });
    t.is(done.status, 200, done.body.toString());
    t.deepEqual(sseNames(done.headers), {});
    t.is((await f.call({ method: 'GET', key: 'c' })).status, 400);
    t.is((await f.call({ method: 'GET', key: 'c', headers: ssec(other) })).status, 403);
    const got = await f.call({ method: 'GET', key: 'c', headers: ssec(key) });
    t.true(got.body.equals(data));
    t.deepEqual(sseNames(got.headers), echo);
  } finally {
    await f.close();
  }
});

test('multipart errors: a part failing its checksum leaves no part (BadDigest); Complete with parts out of order is InvalidPartOrder, an unparsable or DTD document MalformedXML; a forged UploadId is NoSuchUpload; Abort is 204 and the upload is gone', async (t) => {
  const f = await coreFixture('mpu-errors');
  try {
    const { uploadId } = await create(f, 'e', {});
    const data = randomBytes(100_000);
    const bad = await f.call({ method: 'PUT', key: 'e', query: { partNumber: '1', uploadId }, ...bodyOf(data, { 'x-amz-checksum-sha256': createHash('sha256').update('other').digest('base64') }) });
    t.is(bad.status, 400);
    t.is(errorCode(bad), 'BadDigest');
    t.is((xmlOf(await f.call({ method: 'GET', key: 'e', query: { uploadId } }))['ListPartsResult'] as { Part?: unknown }).Part, undefined, 'no part stored');
    const p1 = await f.call({ method: 'PUT', key: 'e', query: { partNumber: '1', uploadId }, ...bodyOf(data, { 'x-amz-checksum-sha256': createHash('sha256').update(data).digest('base64') }) });
    t.is(p1.status, 200);
    const p2 = await f.call({ method: 'PUT', key: 'e', query: { partNumber: '2', uploadId }, ...bodyOf(data) });

    const signed = completeXml([{ n: 1, etag: p1.headers['etag']! }]);
    const hashMismatch = await f.call({ method: 'POST', key: 'e', query: { uploadId }, ...bodyOf(signed, { 'x-amz-content-sha256': createHash('sha256').update('another part list').digest('hex') }) });
    t.is(hashMismatch.status, 400);
    t.is(errorCode(hashMismatch), 'XAmzContentSHA256Mismatch', 'the Complete document is the one the caller signed');
    const md5Mismatch = await f.call({ method: 'POST', key: 'e', query: { uploadId }, ...bodyOf(signed, { 'content-md5': createHash('md5').update('x').digest('base64') }) });
    t.is(errorCode(md5Mismatch), 'BadDigest');
    const order = await f.call({ method: 'POST', key: 'e', query: { uploadId }, ...bodyOf(completeXml([{ n: 2, etag: p2.headers['etag']! }, { n: 1, etag: p1.headers['etag']! }])) });
    t.is(order.status, 400);
    t.is(errorCode(order), 'InvalidPartOrder');
    for (const doc of ['<CompleteMultipartUpload><Part>', '<CompleteMultipartUpload></CompleteMultipartUpload>', '<!DOCTYPE x [<!ENTITY a "b">]><CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&a;</ETag></Part></CompleteMultipartUpload>', '<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>']) {
      const r = await f.call({ method: 'POST', key: 'e', query: { uploadId }, ...bodyOf(Buffer.from(doc)) });
      t.is(r.status, 400, doc);
      t.is(errorCode(r), 'MalformedXML', doc);
    }

    const forged = `${uploadId.slice(0, -4)}AAAA`;
    for (const r of [
      await f.call({ method: 'PUT', key: 'e', query: { partNumber: '3', uploadId: forged }, ...bodyOf(data) }),
      await f.call({ method: 'GET', key: 'e', query: { uploadId: forged } }),
      await f.call({ method: 'DELETE', key: 'e', query: { uploadId: forged } }),
      await f.call({ method: 'PUT', key: 'other-key', query: { partNumber: '1', uploadId }, ...bodyOf(data) }),
    ]) {
      t.is(r.status, 404);
      t.is(errorCode(r), 'NoSuchUpload');
    }

    const abort = await f.call({ method: 'DELETE', key: 'e', query: { uploadId } });
    t.is(abort.status, 204);
    const after = await f.call({ method: 'GET', key: 'e', query: { uploadId } });
    t.is(after.status, 404);
    t.is(errorCode(after), 'NoSuchUpload', 'the backend NoSuchUpload keeps its code');
  } finally {
    await f.close();
  }
});

test('CompleteMultipartUploadResult and InitiateMultipartUploadResult are in the S3 namespace with an XML declaration', async (t) => {
  const f = await coreFixture('mpu-xml');
  try {
    const { answer, uploadId } = await create(f, 'x', {});
    const text = answer.body.toString();
    t.true(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
    const withNs = new XMLParser({ ignoreAttributes: false }).parse(text) as { InitiateMultipartUploadResult: Record<string, string> };
    t.is(withNs.InitiateMultipartUploadResult['@_xmlns'], 'http://s3.amazonaws.com/doc/2006-03-01/');
    t.is((await f.call({ method: 'DELETE', key: 'x', query: { uploadId } })).status, 204);
  } finally {
    await f.close();
  }
});
