/**
 * DESIGN.md "Headers to the backend are an allowlist", at the S3 core: a RecordingProxy between the
 * core and MinIO records every request MinIO receives while PUT, GET, HEAD and a multipart upload run
 * through the core in every mode with the caller's SSE headers, Content-MD5 and flexible checksums.
 * MinIO never sees an SSE header, an SSE-C key or its MD5, a plaintext digest or checksum, or a
 * metadata name other than the caller's and the envelope's.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Crc32 } from '@aws-sdk/checksums/crc';
import { RecordingProxy } from '../helpers/recording-proxy.js';
import { bodyOf, coreFixture, ssec, xmlOf } from '../helpers/s3-core-fixture.js';
import { service } from '../helpers/services.js';

test('what MinIO receives through the core: no SSE header, no SSE-C key or key MD5, no plaintext Content-MD5 or checksum, only caller metadata and the envelope', async (t) => {
  const proxy = new RecordingProxy(new URL(service('minio').endpoint));
  const f = await coreFixture('wire', { backendEndpoint: await proxy.start() });
  try {
    const key = randomBytes(32);
    const data = randomBytes(6 * 1024 * 1024);
    const crc = new Crc32();
    crc.update(data);
    const digests = {
      md5: createHash('md5').update(data).digest('base64'),
      sha256: createHash('sha256').update(data).digest('base64'),
      crc32: Buffer.from(await crc.digest()).toString('base64'),
    };
    const secrets = [key.toString('base64'), createHash('md5').update(key).digest('base64'), ...Object.values(digests)];
    const modes: Record<string, string>[] = [{}, { 'x-amz-server-side-encryption': 'AES256' }, { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': Buffer.from('{"a":"b"}').toString('base64') }, ssec(key)];
    for (const [i, sse] of modes.entries()) {
      const k = `wire/${i}`;
      const put = await f.call({ method: 'PUT', key: k, ...bodyOf(data, { ...sse, 'content-md5': digests.md5, 'x-amz-checksum-sha256': digests.sha256, 'x-amz-meta-who': 'caller', 'content-type': 'application/octet-stream' }) });
      t.is(put.status, 200, put.body.toString());
      const read = 'x-amz-server-side-encryption' in sse ? {} : sse;
      t.is((await f.call({ method: 'GET', key: k, headers: read })).status, 200);
      t.is((await f.call({ method: 'GET', key: k, headers: { ...read, range: 'bytes=10-20' } })).status, 206);
      t.is((await f.call({ method: 'HEAD', key: k, headers: read })).status, 200);
      const created = await f.call({ method: 'POST', key: `${k}-mpu`, query: { uploads: '' }, headers: { ...sse, 'x-amz-meta-who': 'caller' } });
      const uploadId = (xmlOf(created)['InitiateMultipartUploadResult'] as { UploadId: string }).UploadId;
      const part = await f.call({ method: 'PUT', key: `${k}-mpu`, query: { partNumber: '1', uploadId }, ...bodyOf(data, { ...read, 'content-md5': digests.md5, 'x-amz-checksum-crc32': digests.crc32 }) });
      t.is(part.status, 200, part.body.toString());
      const doc = Buffer.from(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers['etag']!}</ETag></Part></CompleteMultipartUpload>`);
      t.is((await f.call({ method: 'POST', key: `${k}-mpu`, query: { uploadId }, ...bodyOf(doc, read) })).status, 200);
    }
    t.true(proxy.requests.length > 30);
    for (const r of proxy.requests) {
      const what = `${r.method} ${r.url.pathname}${r.url.search}`;
      for (const [name, value] of Object.entries(r.headers)) {
        t.false(name.startsWith('x-amz-server-side-encryption'), `${what}: ${name}`);
        t.not(name, 'content-md5', `${what}: no plaintext Content-MD5`);
        // only s3seal's own ciphertext CRC32 (its value, the upload's algorithm and type) and the backend client's checksum-mode on GETs
        t.false(name.startsWith('x-amz-checksum-') && !['x-amz-checksum-crc32', 'x-amz-checksum-mode', 'x-amz-checksum-algorithm', 'x-amz-checksum-type'].includes(name), `${what}: ${name}`);
        if (name === 'x-amz-checksum-algorithm') t.is(value, 'CRC32', what);
        if (name.startsWith('x-amz-meta-')) t.true(['x-amz-meta-who', 'x-amz-meta-s3seal'].includes(name), `${what}: ${name}`);
        const text = Array.isArray(value) ? value.join(',') : String(value);
        for (const s of secrets) t.false(text.includes(s), `${what}: ${name} carries a caller secret or plaintext digest`);
      }
    }
  } finally {
    await f.close();
    await proxy.stop();
  }
});
