/** Repairs (issue 6 item 14): key handling in SealedObjects' multipart paths. */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ObjectStore } from '../../src/backends/object-store.js';
import type { Envelope } from '../../src/crypto/envelope.js';
import type { ObjectId } from '../../src/crypto/object-id.js';
import type { KeyResolver } from '../../src/engine/key-resolver.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { SealError } from '../../src/errors.js';
import { BucketKeyCache } from '../../src/keystores/bucket-key-cache.js';
import { BucketKeyResolver } from '../../src/engine/materials/bucket-key-resolver.js';
import { CountingKeystore } from '../helpers/counting-keystore.js';

/** Just enough backend for CreateMultipartUpload and UploadPart: parts are read and dropped. */
function partSink(): ObjectStore {
  const unused = (): never => {
    throw new Error('not used by these tests');
  };
  return {
    createMultipart: async () => 'backend-upload',
    uploadPart: async (_b: string, _k: string, _u: string, n: number, body: Readable | Buffer) => {
      if (!Buffer.isBuffer(body)) for await (const _ of body) void _;
      return `etag-${n}`;
    },
    head: unused,
    get: unused,
    open: unused,
    put: unused,
    putConditional: unused,
    completeMultipart: unused,
    listParts: unused,
    abortMultipart: unused,
    replaceMetadata: unused,
    copyObject: unused,
    delete: unused,
    listObjects: unused,
    listObjectsV2: unused,
    listObjectVersions: unused,
    deleteObjects: unused,
    createBucket: unused,
    deleteBucket: unused,
    headBucket: unused,
    listBuckets: unused,
    bucketLocation: unused,
  };
}

const o = { bucket: 'b', key: 'k' };

test('item 14: a DEK that fails the upload-token envelope MAC is wiped', async (t) => {
  const ks = await CountingKeystore.create(['kms']);
  const sealed = new SealedObjects(partSink(), { uploadTokenRoot: randomBytes(32) });
  const real = new BucketKeyResolver(ks, 'SSE-KMS', 'kms', 'p', new BucketKeyCache());
  const token = await sealed.createMultipart(o, {}, real);
  const wrong = randomBytes(32);
  const lying: KeyResolver = { generate: (id: ObjectId) => real.generate(id), recover: async (_o: ObjectId, _env: Envelope) => wrong };
  const err = await t.throwsAsync(sealed.uploadPart(o, token, 1, Buffer.alloc(10), 10, lying), { instanceOf: SealError });
  t.is(err?.code, 'EnvelopeAuthFailed');
  t.true(wrong.equals(Buffer.alloc(32)), 'the recovered DEK was zeroed');
});

test('item 14: multipart parts count against the bucket key maxBytes; past it the key is retired', async (t) => {
  const ks = await CountingKeystore.create(['kms']);
  const sealed = new SealedObjects(partSink(), { uploadTokenRoot: randomBytes(32) });
  const cache = new BucketKeyCache({ maxBytes: 100 });
  const keys = new BucketKeyResolver(ks, 'SSE-KMS', 'kms', 'p', cache);
  const token = await sealed.createMultipart(o, {}, keys);
  t.is(ks.calls.generateDataKey, 1);
  const bucketKey = ks.handedOut[0]!;
  await sealed.uploadPart(o, token, 1, Buffer.alloc(60), 60, keys);
  await keys.generate({ bucket: 'b', key: 'small' }, 0);
  t.is(ks.calls.generateDataKey, 1, '60 of 100 bytes: the bucket key still serves');
  await sealed.uploadPart(o, token, 2, Buffer.alloc(60), 60, keys);
  t.true(bucketKey.equals(Buffer.alloc(32)), 'past 100 bytes the bucket key was retired and zeroed');
  await sealed.createMultipart({ bucket: 'b', key: 'next' }, {}, keys);
  t.is(ks.calls.generateDataKey, 2, 'the next upload gets a new bucket key');
});
