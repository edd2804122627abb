/**
 * CopyObject and UploadPartCopy driven by the real @aws-sdk/client-s3 (3.1169) into the S3 core
 * (issue 7 items 4 and 7): the SDK's own serializers build the requests (CopySource encoding,
 * SSE-C and copy-source SSE-C headers with their MD5s, CopySourceIfMatch, CopySourceRange,
 * MetadataDirective) and its deserializers parse the core's answers (CopyObjectResult /
 * CopyPartResult XML, SSE echo headers, S3 error codes). The door here is a minimal innermost
 * middleware (deserialize step, priority low — where the SDK plugin sits) that hands the signed
 * HttpRequest to the core in-process, so these tests check the operations' wire shapes, not a door.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { HttpResponse } from '@smithy/core/transport';
import type { HttpRequest } from '@smithy/types';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import { coreFixture, type CoreFixture } from '../helpers/s3-core-fixture.js';

const MiB = 1024 * 1024;

/** an S3Client whose requests go into the fixture's S3 core in-process */
function sdkInto(f: CoreFixture): S3Client {
  const client = new S3Client({ region: 'us-east-1', endpoint: 'https://s3seal.invalid', forcePathStyle: true, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  client.middlewareStack.add(
    (_next) => async (args) => {
      const r = args.request as HttpRequest;
      const path = r.path.slice(1);
      const slash = path.indexOf('/');
      const bucket = decodeURIComponent(slash === -1 ? path : path.slice(0, slash));
      const key = slash === -1 ? undefined : path.slice(slash + 1).split('/').map(decodeURIComponent).join('/');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.query ?? {})) query[k] = v === null ? '' : Array.isArray(v) ? v.join(',') : v;
      const body = r.body === undefined || r.body === null ? undefined : r.body instanceof Readable ? r.body : Readable.from([Buffer.from(r.body as Uint8Array | string)]);
      const req: S3Request = { method: r.method as S3Request['method'], bucket, ...(key !== undefined ? { key } : {}), query, headers, ...(body ? { body } : {}), secureTransport: true, principal: 'sdk' };
      const res = await f.core.handle(req);
      const out = res.body === undefined ? Readable.from([]) : Buffer.isBuffer(res.body) ? Readable.from([res.body]) : res.body;
      return { response: new HttpResponse({ statusCode: res.status, headers: res.headers, body: out }), output: {} as never };
    },
    { step: 'deserialize', priority: 'low', name: 's3sealCoreTestDoor' },
  );
  return client;
}

test('SDK CopyObjectCommand: SSE-C source (CopySourceSSECustomerKey) to SSE-KMS with context, the SDK parses CopyObjectResult and the echo; SSE-C rotation; CopySourceIfMatch mismatch is PreconditionFailed 412', async (t) => {
  const f = await coreFixture('copy-sdk');
  const s3 = sdkInto(f);
  try {
    const body = randomBytes(100_000);
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    await s3.send(new PutObjectCommand({ Bucket: f.bucket, Key: 'dir/a b+c', Body: body, SSECustomerAlgorithm: 'AES256', SSECustomerKey: k1 as unknown as string }));
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: f.bucket,
        Key: 'copy/kms',
        CopySource: `${f.bucket}/${encodeURIComponent('dir/a b+c')}`,
        CopySourceSSECustomerAlgorithm: 'AES256',
        CopySourceSSECustomerKey: k1 as unknown as string,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'file:kms-other',
        SSEKMSEncryptionContext: Buffer.from(JSON.stringify({ app: 'sdk' })).toString('base64'),
        MetadataDirective: 'REPLACE',
        Metadata: { via: 'sdk' },
        ContentType: 'text/x-sdk',
      }),
    );
    t.is(copied.ServerSideEncryption, 'aws:kms');
    t.is(copied.SSEKMSKeyId, f.keys.kmsOther);
    t.deepEqual(JSON.parse(Buffer.from(copied.SSEKMSEncryptionContext!, 'base64').toString('utf8')), { app: 'sdk' });
    t.regex(copied.CopyObjectResult?.ETag ?? '', /^"[0-9a-f-]+"$/);
    t.true(copied.CopyObjectResult?.LastModified instanceof Date);
    const head = await s3.send(new HeadObjectCommand({ Bucket: f.bucket, Key: 'copy/kms' }));
    t.is(head.ETag, copied.CopyObjectResult?.ETag);
    t.deepEqual(head.Metadata, { via: 'sdk' });
    t.is(head.ContentType, 'text/x-sdk');
    t.true((await buffer((await s3.send(new GetObjectCommand({ Bucket: f.bucket, Key: 'copy/kms' }))).Body as Readable)).equals(body));

    const rotated = await s3.send(
      new CopyObjectCommand({
        Bucket: f.bucket,
        Key: 'dir/a b+c',
        CopySource: `${f.bucket}/${encodeURIComponent('dir/a b+c')}`,
        CopySourceSSECustomerAlgorithm: 'AES256',
        CopySourceSSECustomerKey: k1 as unknown as string,
        SSECustomerAlgorithm: 'AES256',
        SSECustomerKey: k2 as unknown as string,
      }),
    );
    t.is(rotated.SSECustomerAlgorithm, 'AES256');
    const old = await t.throwsAsync(s3.send(new GetObjectCommand({ Bucket: f.bucket, Key: 'dir/a b+c', SSECustomerAlgorithm: 'AES256', SSECustomerKey: k1 as unknown as string })));
    t.is((old as S3ServiceException).$metadata.httpStatusCode, 403);
    const now = await s3.send(new GetObjectCommand({ Bucket: f.bucket, Key: 'dir/a b+c', SSECustomerAlgorithm: 'AES256', SSECustomerKey: k2 as unknown as string }));
    t.true((await buffer(now.Body as Readable)).equals(body));

    const refused = await t.throwsAsync(s3.send(new CopyObjectCommand({ Bucket: f.bucket, Key: 'never', CopySource: `${f.bucket}/copy/kms`, CopySourceIfMatch: '"0123"' })));
    t.is((refused as S3ServiceException).name, 'PreconditionFailed');
    t.is((refused as S3ServiceException).$metadata.httpStatusCode, 412);
    const gone = await t.throwsAsync<S3ServiceException>(s3.send(new HeadObjectCommand({ Bucket: f.bucket, Key: 'never' })));
    t.is(gone?.$metadata.httpStatusCode, 404, 'nothing was written');
  } finally {
    s3.destroy();
    await f.close();
  }
});

test('SDK UploadPartCopyCommand: CopySourceRange parts of a sealed source into an s3seal upload; the SDK parses CopyPartResult; Complete and read back exact', async (t) => {
  const f = await coreFixture('upc-sdk');
  const s3 = sdkInto(f);
  try {
    const source = randomBytes(7 * MiB + 1);
    await s3.send(new PutObjectCommand({ Bucket: f.bucket, Key: 'src', Body: source, ServerSideEncryption: 'AES256' }));
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: f.bucket, Key: 'dst', ServerSideEncryption: 'aws:kms' }));
    const ranges: [number, number][] = [
      [2 * MiB, 7 * MiB - 1],
      [0, 2 * MiB - 1],
    ];
    const parts = [];
    for (const [i, [a, z]] of ranges.entries()) {
      const r = await s3.send(new UploadPartCopyCommand({ Bucket: f.bucket, Key: 'dst', UploadId: up.UploadId, PartNumber: i + 1, CopySource: `${f.bucket}/src`, CopySourceRange: `bytes=${a}-${z}` }));
      t.is(r.ServerSideEncryption, 'aws:kms', 'the upload is echoed');
      t.true(r.CopyPartResult?.LastModified instanceof Date);
      parts.push({ PartNumber: i + 1, ETag: r.CopyPartResult!.ETag! });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: f.bucket, Key: 'dst', UploadId: up.UploadId, MultipartUpload: { Parts: parts } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: f.bucket, Key: 'dst' }));
    t.true((await buffer(got.Body as Readable)).equals(Buffer.concat(ranges.map(([a, z]) => source.subarray(a, z + 1)))));
    t.is(got.ServerSideEncryption, 'aws:kms');
  } finally {
    s3.destroy();
    await f.close();
  }
});
