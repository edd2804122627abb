/**
 * Issue 7 acceptance "Wire-level": the exact request headers MinIO receives from s3seal in every
 * mode and operation. A RecordingProxy sits between the container's backend client and the real
 * MinIO; the caller is an ordinary @aws-sdk/client-s3 client with the SDK door, sending every SSE
 * parameter, plaintext digests (Content-MD5, x-amz-checksum-*), caller metadata and content headers.
 * Operations: PUT (buffer, stream), GET (whole, range), HEAD, multipart (create, parts, complete,
 * abort), DELETE, CopyObject, UploadPartCopy, UpdateObjectEncryption, ListObjectsV2, DeleteObjects.
 * MinIO must see no SSE header, no SSE-C key or key MD5, no plaintext digest, and exactly the header
 * set listed per operation (names; values of the volatile ones are not compared).
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  UpdateObjectEncryptionCommand,
  UploadPartCopyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { closeContainer, createContainer, createSealedS3Client } from '../../src/index.js';
import { RecordingProxy, operationOf, type SeenRequest } from '../helpers/recording-proxy.js';
import { freshBucket, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

const MiB = 1024 * 1024;

test('MinIO receives only s3seal\'s allowlisted headers, in every mode and operation', async (t) => {
  t.timeout(240_000);
  const m = service('minio');
  const proxy = new RecordingProxy(new URL(m.endpoint));
  const endpoint = await proxy.start();
  const keyPath = join(tempDir('wire'), 'keys.json');
  const ks = new FileKeystore({ path: keyPath, create: true });
  await ks.createKey('s3-default');
  const kms = await ks.createKey('wire-kms');
  const container = createContainer({
    backend: { endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    keystores: { file: { path: keyPath } },
    defaultKmsKeystore: 'file',
    readKeys: [kms.keyId],
    uploadTokenRoot: randomBytes(32).toString('base64'),
  });
  const client = createSealedS3Client(container);
  const bucket = await freshBucket(m, 'wire');
  const ssecKey = randomBytes(32);
  const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: ssecKey.toString('base64') };
  const modes: Record<string, { write: Partial<PutObjectCommandInput>; read: object }> = {
    'sse-s3': { write: { ServerSideEncryption: 'AES256' }, read: {} },
    'sse-kms': { write: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kms.keyId, SSEKMSEncryptionContext: Buffer.from('{"dept":"wire"}').toString('base64') }, read: {} },
    'sse-kms-bk': { write: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kms.keyId, BucketKeyEnabled: true }, read: {} },
    'sse-c': { write: ssec, read: ssec },
    none: { write: {}, read: {} },
  };
  const body = randomBytes(100_000);
  const digests = new Set([
    createHash('md5').update(body).digest('base64'),
    createHash('sha256').update(body).digest('base64'),
    createHash('sha256').update(body).digest('hex'),
  ]);
  const common = { ContentType: 'text/x-wire', CacheControl: 'no-store', Metadata: { owner: 'wire' } };
  const seen = new Map<string, Set<string>>();
  try {
    for (const [mode, p] of Object.entries(modes)) {
      proxy.clear();
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${mode}/buf`, Body: body, ContentMD5: createHash('md5').update(body).digest('base64'), ChecksumAlgorithm: 'SHA256', ...common, ...p.write }));
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${mode}/stream`, Body: Readable.from([body]), ContentLength: body.length, ...common, ...p.write }));
      await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${mode}/buf`, ...p.read }))).Body!.transformToByteArray();
      await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${mode}/buf`, Range: 'bytes=10-70000', ...p.read }))).Body!.transformToByteArray();
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${mode}/buf`, ...p.read }));
      const up = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${mode}/mp`, ...common, ...p.write }));
      const part = await client.send(new UploadPartCommand({ Bucket: bucket, Key: `${mode}/mp`, UploadId: up.UploadId!, PartNumber: 1, Body: randomBytes(5 * MiB), ...p.read }));
      const last = await client.send(new UploadPartCommand({ Bucket: bucket, Key: `${mode}/mp`, UploadId: up.UploadId!, PartNumber: 2, Body: body, ChecksumAlgorithm: 'SHA256', ...p.read }));
      await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: `${mode}/mp`, UploadId: up.UploadId!, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }, { PartNumber: 2, ETag: last.ETag! }] }, ...p.read }));
      const aborted = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${mode}/aborted`, ...p.write }));
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: `${mode}/aborted`, UploadId: aborted.UploadId! }));
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${mode}/stream` }));
      // copies read the source with its SSE-C key (when it has one) and write SSE-KMS
      const src = mode === 'sse-c' ? { CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: ssecKey.toString('base64') } : {};
      await client.send(new CopyObjectCommand({ Bucket: bucket, Key: `${mode}/copy`, CopySource: `${bucket}/${mode}/buf`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kms.keyId, ...src }));
      const pc = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${mode}/partcopy`, ...p.write }));
      const copied = await client.send(new UploadPartCopyCommand({ Bucket: bucket, Key: `${mode}/partcopy`, UploadId: pc.UploadId!, PartNumber: 1, CopySource: `${bucket}/${mode}/buf`, CopySourceRange: 'bytes=0-9999', ...src, ...p.read }));
      await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: `${mode}/partcopy`, UploadId: pc.UploadId!, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: copied.CopyPartResult!.ETag! }] }, ...p.read }));
      await client.send(new UpdateObjectEncryptionCommand({ Bucket: bucket, Key: `${mode}/copy`, ObjectEncryption: { SSEKMS: { KMSKeyArn: kms.keyId, BucketKeyEnabled: true } } }));
      await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${mode}/` }));
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: `${mode}/copy` }, { Key: `${mode}/partcopy` }] } }));

      for (const r of proxy.requests) {
        const names = Object.keys(r.headers);
        const where = `${mode} ${operationOf(r)} ${r.method} ${r.url.search}`;
        t.deepEqual(names.filter((n) => n.startsWith('x-amz-server-side-encryption') || n.startsWith('x-amz-copy-source-server-side-encryption')), [], `${where}: no SSE header`);
        t.false(names.includes('content-md5'), `${where}: no plaintext Content-MD5`);
        const values = Object.values(r.headers).flat().filter((v): v is string => typeof v === 'string');
        t.deepEqual(values.filter((v) => digests.has(v) || v.includes(ssecKey.toString('base64'))), [], `${where}: no plaintext digest, no SSE-C key in any value`);
        const metas = names.filter((n) => n.startsWith('x-amz-meta-'));
        t.true(metas.every((n) => n === 'x-amz-meta-owner' || n.startsWith('x-amz-meta-s3seal')), `${where}: metadata is the caller's and the envelope: ${metas.join(',')}`);
        const op = backendOperation(r);
        const set = seen.get(op) ?? new Set<string>();
        set.add(names.filter((n) => !VOLATILE.has(n)).sort().join(' '));
        seen.set(op, set);
      }
    }
  } finally {
    client.destroy();
    await closeContainer(container);
    await proxy.stop();
  }
  const got = Object.fromEntries([...seen].map(([k, v]) => [k, [...v].sort()]));
  t.deepEqual(got, EXPECTED, 'the exact header names per backend operation');
});

/**
 * The header names (besides VOLATILE) MinIO receives per backend operation, each alternative a
 * sorted, space-separated list. Every value here is s3seal's or the backend client's own: the
 * backend client frames ciphertext bodies over 16 MiB of plaintext aws-chunked with a CRC32 trailer
 * of the ciphertext (content-encoding, x-amz-trailer, x-amz-decoded-content-length; none here), and
 * sends smaller ones (sealed whole first: BUFFERED_SEND_PLAINTEXT) with Content-Length and an
 * x-amz-checksum-crc32 header;
 * no request asks for `expect: 100-continue` (backend-module.ts); CreateMultipartUpload asks for
 * FULL_OBJECT CRC32 of the ciphertext; the layout commit is a CopyObject REPLACE conditional on the
 * ETag; `x-amz-meta-owner` is the caller's metadata and `x-amz-meta-s3seal` the envelope.
 */
const EXPECTED: Record<string, string[]> = {
  // 100 000-byte bodies: sealed whole, sent with their length and a CRC32 header
  PutObject: ['cache-control content-length content-type x-amz-checksum-crc32 x-amz-content-sha256 x-amz-meta-owner x-amz-meta-s3seal x-amz-sdk-checksum-algorithm'],
  // part headers read at Complete (conditional on the ETag); a range in one request (single-request ranged reads); a whole read
  // no x-amz-checksum-mode: the backend client does not validate ciphertext CRC32s on reads (GCM tags
  // do); with that off, SDK 3.1169 sends the CRC32 of the empty request body instead ("AAAAAA==")
  GetObject: ['if-match range x-amz-checksum-crc32 x-amz-content-sha256', 'range x-amz-checksum-crc32 x-amz-content-sha256', 'x-amz-checksum-crc32 x-amz-content-sha256'],
  HeadObject: ['x-amz-content-sha256'],
  CreateMultipartUpload: [
    'cache-control content-length content-type x-amz-checksum-algorithm x-amz-checksum-type x-amz-content-sha256 x-amz-meta-owner x-amz-meta-s3seal',
    'content-length x-amz-checksum-algorithm x-amz-checksum-type x-amz-content-sha256 x-amz-meta-s3seal',
  ],
  // the 5 MiB part and the 100 000-byte last part: both sealed whole (up to BUFFERED_SEND_PLAINTEXT), without expect: 100-continue
  UploadPart: ['content-length content-type x-amz-checksum-crc32 x-amz-content-sha256 x-amz-sdk-checksum-algorithm'],
  ListParts: ['x-amz-content-sha256'],
  CompleteMultipartUpload: ['content-length content-type x-amz-content-sha256'],
  // the layout commit, a caller's CopyObject (COPY keeps the caller's metadata and content headers) and
  // UpdateObjectEncryption: all one metadata-only copy with the new envelope, conditional on the ETag read
  CopyObject: [
    'cache-control content-length content-type x-amz-content-sha256 x-amz-copy-source x-amz-copy-source-if-match x-amz-meta-owner x-amz-meta-s3seal x-amz-metadata-directive',
    'content-length content-type x-amz-content-sha256 x-amz-copy-source x-amz-copy-source-if-match x-amz-meta-s3seal x-amz-metadata-directive',
  ],
  AbortMultipartUpload: ['x-amz-content-sha256'],
  'other:DeleteObject': ['x-amz-content-sha256'],
  // ListObjectsV2 (keys asked url-encoded); DeleteObjects with the backend client's CRC32 of its own document
  'bucket:GET?encoding-type&list-type&max-keys&prefix': ['x-amz-content-sha256'],
  'bucket:POST?delete': ['content-length content-type x-amz-checksum-crc32 x-amz-content-sha256 x-amz-sdk-checksum-algorithm'],
};

/** the backend operation of a recorded request: object operations as RecordingProxy names them, bucket-level ones by method and subresource */
function backendOperation(r: SeenRequest): string {
  const segments = r.url.pathname.split('/').filter((x) => x !== '');
  if (segments.length === 1) return `bucket:${r.method}?${[...r.url.searchParams.keys()].filter((k) => k !== 'x-id').sort().join('&')}`;
  return `${operationOf(r)}${r.method === 'DELETE' && !r.url.searchParams.has('uploadId') ? ':DeleteObject' : ''}`;
}

// present on every SDK request, values differ per request
const VOLATILE = new Set(['host', 'x-amz-date', 'authorization', 'amz-sdk-invocation-id', 'amz-sdk-request', 'user-agent', 'x-amz-user-agent', 'connection']);
