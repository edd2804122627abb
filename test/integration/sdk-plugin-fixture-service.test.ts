/**
 * Issue 7 acceptance: a service written for plain @aws-sdk/client-s3 (test/fixtures/photo-service.ts,
 * not written for s3seal) gets encryption by adding only the plugin line to the S3Client it is
 * configured with. MinIO's own credentials then see only ciphertext and the envelope; reads
 * through the plugin return the plaintext. The service's client keeps its MinIO endpoint and
 * credentials: the plugin answers in-process, the backend is reached by the container's own client.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { BODY_MAGIC, PART_MAGIC } from '../../src/crypto/constants.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { getS3SealPlugin } from '../../src/index.js';
import { PhotoService } from '../fixtures/photo-service.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

const MiB = 1024 * 1024;

test('the photo service with one added line (client.middlewareStack.use(getS3SealPlugin(cfg))): MinIO holds only ciphertext + envelope, the service reads its photos back', async (t) => {
  const m = service('minio');
  const keyFile = join(tempDir('fixture-service'), 'keys.json');
  await new FileKeystore({ path: keyFile, create: true }).createKey('s3-default');
  const bucket = await freshBucket(m, 'photos');

  // how the service is configured today: a client for MinIO with the service's credentials
  const client = s3Client(m);
  // ── the one line ──
  const plugin = getS3SealPlugin({ backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! }, keystores: { file: { path: keyFile } }, uploadTokenRoot: randomBytes(32).toString('base64') });
  client.middlewareStack.use(plugin);
  t.teardown(async () => {
    client.destroy();
    await plugin.close();
  });

  const photos = new PhotoService(client, bucket);
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(300_000)]);
  await photos.save({ id: 'cat.jpg', contentType: 'image/jpeg', bytes: jpeg, takenBy: 'alice' });
  const video = randomBytes(11 * MiB + 3);
  await photos.saveStream('cat.mp4', 'video/mp4', Readable.from((function* () {
    for (let o = 0; o < video.length; o += 256 * 1024) yield video.subarray(o, o + 256 * 1024);
  })()));

  // through the plugin: the service works as before
  t.deepEqual(await photos.load('cat.jpg'), { id: 'cat.jpg', contentType: 'image/jpeg', bytes: jpeg, takenBy: 'alice' });
  t.deepEqual((await photos.load('cat.mp4'))?.bytes, video);
  t.deepEqual(await photos.head('cat.jpg', 4), jpeg.subarray(0, 4), 'ranged read');
  t.is(await photos.size('cat.jpg'), jpeg.length, 'plaintext size');
  t.is(await photos.size('cat.mp4'), video.length);
  t.deepEqual(await photos.ids(), ['cat.jpg', 'cat.mp4'], 'the listing: both photos, under their ids');

  // MinIO's own credentials, no plugin: ciphertext and the envelope only
  const raw = s3Client(m);
  t.teardown(() => raw.destroy());
  for (const [key, plain, magic] of [['photos/cat.jpg', jpeg, BODY_MAGIC], ['photos/cat.mp4', video, PART_MAGIC]] as const) {
    const stored = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from(await stored.Body!.transformToByteArray());
    t.deepEqual(bytes.subarray(0, 4), magic, `${key}: an s3seal body`);
    t.is(bytes.indexOf(plain.subarray(100, 164)), -1, `${key}: no plaintext run at rest`);
    t.false(bytes.equals(plain));
    const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    t.truthy(head.Metadata?.['s3seal'], `${key}: the envelope`);
    t.not(head.ContentLength, plain.length, `${key}: MinIO's size is the ciphertext's`);
  }
  const rawJpeg = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'photos/cat.jpg' }));
  t.is(rawJpeg.ContentType, 'image/jpeg', 'content headers pass through');
  t.is(rawJpeg.Metadata?.['taken-by'], 'alice', "the service's own metadata passes through (S3: not confidential)");

  await photos.remove('cat.jpg');
  t.is(await photos.load('cat.jpg'), undefined);
  t.deepEqual(await photos.ids(), ['cat.mp4'], 'the listing after the removal');
});
