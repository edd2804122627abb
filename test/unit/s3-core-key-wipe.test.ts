/**
 * SSE-C key buffers are zeroed after use (DESIGN.md "key buffers are zeroed after use", issue 7
 * item 3): every operation that takes an SSE-C key hands the facade a buffer that is all zeros once
 * the core has answered — on success and when the facade fails. A fake facade records the buffers.
 */
import test from 'ava';
import { Readable } from 'node:stream';
import { S3Core } from '../../src/adapters/s3/s3-core.js';
import type { S3CoreContext } from '../../src/adapters/s3/s3-operation.js';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import { SealError } from '../../src/errors.js';
import { ssecHeaders } from '../helpers/s3-request-fixture.js';

const sse = { mode: 'SSE-C' as const, bucketKeyEnabled: false, customerKeyMd5: 'x' };

function recordingFacade(seen: Buffer[], fail: boolean): S3CoreContext {
  const keep = (k: Buffer | undefined): void => {
    if (k) seen.push(k);
  };
  const answer = <T>(v: T): Promise<T> => (fail ? Promise.reject(new SealError('AccessDenied', 'no')) : Promise.resolve(v));
  const facade = {
    putObject: (r: { encryption: { mode: string; customerKey?: Buffer } }) => (keep(r.encryption.customerKey), answer({ etag: '"e"', sse })),
    createMultipartUpload: (r: { encryption: { mode: string; customerKey?: Buffer } }) => (keep(r.encryption.customerKey), answer({ uploadId: 'u', sse })),
    uploadPart: (r: { customerKey?: Buffer }) => (keep(r.customerKey), answer({ etag: '"p"', sse })),
    completeMultipartUpload: (r: { customerKey?: Buffer }) => (keep(r.customerKey), answer({ etag: '"c"', sse })),
    getObject: (r: { customerKey?: Buffer }) => (keep(r.customerKey), answer({ etag: '"e"', contentLength: 1, userMetadata: {}, sse, body: Readable.from([Buffer.from('x')]) })),
    headObject: (r: { customerKey?: Buffer }) => (keep(r.customerKey), answer({ etag: '"e"', contentLength: 1, userMetadata: {}, sse })),
  };
  return { facade: facade as unknown as S3CoreContext['facade'] };
}

function requests(): S3Request[] {
  const base = { bucket: 'b', key: 'k', secureTransport: true, principal: 'p' };
  const h = (): Record<string, string> => ssecHeaders().headers;
  const body = (b: string): Readable => Readable.from([Buffer.from(b)]);
  return [
    { ...base, method: 'PUT', query: {}, headers: { ...h(), 'content-length': '1' }, body: body('x') },
    { ...base, method: 'POST', query: { uploads: '' }, headers: h() },
    { ...base, method: 'PUT', query: { partNumber: '1', uploadId: 'u' }, headers: { ...h(), 'content-length': '1' }, body: body('x') },
    { ...base, method: 'POST', query: { uploadId: 'u' }, headers: h(), body: body('<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"p"</ETag></Part></CompleteMultipartUpload>') },
    { ...base, method: 'GET', query: {}, headers: h() },
    { ...base, method: 'HEAD', query: {}, headers: h() },
  ];
}

for (const fail of [false, true]) {
  test(`every SSE-C key the core hands the facade is zeroed once the core answered (${fail ? 'the facade fails' : 'success'})`, async (t) => {
    const seen: Buffer[] = [];
    const core = new S3Core(recordingFacade(seen, fail));
    for (const r of requests()) {
      const res = await core.handle(r);
      t.is(res.status, fail ? 403 : 200, `${r.method} ${JSON.stringify(r.query)}`);
      if (res.body instanceof Readable) res.body.resume();
    }
    t.is(seen.length, 6, 'every operation got the key');
    for (const k of seen) {
      t.is(k.length, 32);
      t.true(k.every((b) => b === 0), 'zeroed');
    }
  });
}
