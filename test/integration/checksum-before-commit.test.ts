/**
 * Issue 7 item 5 against real MinIO: "a mismatch stores nothing" (DESIGN "A body is never committed
 * to the backend before it is verified"). The whole request path below the door: a real SDK v3
 * PutObject (stream body: aws-chunked with a CRC32 trailer) → AwsChunkedDecoder → PlaintextChecksums
 * → EncryptStream whose `beforeFinal` awaits the checksum verification → S3ObjectStore.put to MinIO.
 * With one plaintext byte changed in transit the put fails with BadDigest, the backend request is
 * aborted before the final ciphertext chunk, and MinIO has no object (or keeps the previous one).
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { PassThrough, pipeline, Readable, type Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { HeadObjectCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { AwsChunkedDecoder } from '../../src/adapters/s3/aws-chunked-decoder.js';
import { awsChunkedOptions } from '../../src/adapters/s3/aws-chunked-options.js';
import { PlaintextChecksums } from '../../src/adapters/s3/plaintext-checksums.js';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { DecryptStream } from '../../src/engine/decrypt-stream.js';
import { EncryptStream } from '../../src/engine/encrypt-stream.js';
import { PartEncryptStream } from '../../src/engine/part-encrypt-stream.js';
import { partCiphertextSize, singlePartCiphertextSize } from '../../src/engine/size-math.js';
import { isSealError } from '../../src/errors.js';
import { sdkPut, type Captured } from '../helpers/sdk-wire-capture.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';

/**
 * The request body as the core would stream it: decoded, checksummed, encrypted with the
 * verification as the final chunk's gate. Returns the ciphertext stream and a promise of how the
 * plaintext side ended; a failure aborts `abort` (as SealedObjects' sendSealed does).
 */
function sealedBody(c: Captured, body: Buffer, seal: (beforeFinal: () => Promise<void>) => Transform, abort: AbortController): { wire: PassThrough; done: Promise<void> } {
  const checksums = PlaintextChecksums.fromHeaders(c.headers);
  const decoder = new AwsChunkedDecoder(awsChunkedOptions(c.headers)!);
  const sealing = seal(async () => {
    await checksums.verify(decoder.trailers);
  });
  const wire = new PassThrough();
  const done = new Promise<void>((resolve, reject) => {
    pipeline(Readable.from([body.subarray(0, 10_000), body.subarray(10_000)]), decoder, checksums.tap(), sealing, (err) => {
      if (!err) return resolve();
      reject(err);
      abort.abort(err);
      wire.destroy();
    });
  });
  sealing.pipe(wire);
  return { wire, done };
}

function tamper(c: Captured): Buffer {
  const bad = Buffer.from(c.body);
  bad[bad.indexOf('\r\n') + 2 + 1234]! ^= 0x01;
  return bad;
}

test('minio: a PutObject whose CRC32 trailer does not match stores nothing; the previous object stays; a matching one is stored and reads back', async (t) => {
  const desc = service('minio');
  const s3 = s3Client(desc);
  const store = new S3ObjectStore(s3);
  const bucket = await freshBucket(desc, 'checksum-commit');
  try {
    const data = randomBytes(300_000);
    const c = await sdkPut(Readable.from([data]), { ContentLength: data.length });
    t.is(c.headers['x-amz-trailer'], 'x-amz-checksum-crc32');
    const dek = randomBytes(32);
    const put = (key: string, body: Buffer): { sent: Promise<unknown>; done: Promise<void> } => {
      const abort = new AbortController();
      const { wire, done } = sealedBody(c, body, (beforeFinal) => new EncryptStream(Buffer.from(dek), { plaintextLength: data.length, beforeFinal }), abort);
      const sent = store.put(bucket, key, wire, singlePartCiphertextSize(data.length), {}, abort.signal);
      done.catch(() => undefined);
      sent.catch(() => undefined);
      return { sent, done };
    };

    // nothing at the key before: nothing after
    const bad = put('new', tamper(c));
    t.true(isSealError(await bad.done.then(() => undefined, (e: unknown) => e), 'BadDigest'));
    await t.throwsAsync(bad.sent);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'new' })).then(() => 'exists', (e: { name?: string }) => e.name);
    t.is(head, 'NotFound');

    // an object already there is not replaced
    const good = put('kept', c.body);
    await good.done;
    await good.sent;
    const before = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'kept' }));
    const again = put('kept', tamper(c));
    t.true(isSealError(await again.done.then(() => undefined, (e: unknown) => e), 'BadDigest'));
    await t.throwsAsync(again.sent);
    const after = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'kept' }));
    t.is(after.ETag, before.ETag);
    const plain = await buffer((await store.get(bucket, 'kept')).pipe(new DecryptStream(dek)));
    t.true(plain.equals(data));
  } finally {
    s3.destroy();
  }
});

test('minio: an UploadPart whose checksum does not match leaves no part', async (t) => {
  const desc = service('minio');
  const s3 = s3Client(desc);
  const store = new S3ObjectStore(s3);
  const bucket = await freshBucket(desc, 'checksum-part');
  try {
    const data = randomBytes(200_001);
    const c = await sdkPut(Readable.from([data]), { ContentLength: data.length, ChecksumAlgorithm: 'SHA256' });
    const uploadId = await store.createMultipart(bucket, 'mp', {});
    const abort = new AbortController();
    const { wire, done } = sealedBody(c, tamper(c), (beforeFinal) => new PartEncryptStream(randomBytes(32), randomBytes(16), 1, data.length, { beforeFinal }), abort);
    const sent = store.uploadPart(bucket, 'mp', uploadId, 1, wire, partCiphertextSize(data.length), abort.signal);
    sent.catch(() => undefined);
    t.true(isSealError(await done.then(() => undefined, (e: unknown) => e), 'BadDigest'));
    await t.throwsAsync(sent);
    const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'mp', UploadId: uploadId }));
    t.deepEqual(listed.Parts ?? [], []);
    await store.abortMultipart(bucket, 'mp', uploadId);
  } finally {
    s3.destroy();
  }
});
