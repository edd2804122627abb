/**
 * createSealedS3Client and getS3SealPlugin around a container (issue 7 item 7), with the S3 core
 * rebound to a fake (unit level): placeholders so the client needs no region, endpoint or
 * credentials and never reaches a network; destroy() closes the container only when it created it.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { ListBucketsCommand, PutObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ContainerModule } from 'inversify';
import type { S3Core } from '../../src/adapters/s3/s3-core.js';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import { DOOR_MIDDLEWARE } from '../../src/adapters/sdk-v3/sdk-door-middleware.js';
import { bindService, createContainer, createSealedS3Client, getS3SealPlugin, PresignUnsupportedError, SealError, TOKENS, type S3SealConfigInput } from '../../src/index.js';

const config = (): S3SealConfigInput => ({
  // never contacted: the fake core answers everything
  backend: { endpoint: 'http://127.0.0.1:9', accessKeyId: 'a', secretAccessKey: 'b' },
  uploadTokenRoot: randomBytes(32).toString('base64'),
});

function fakeCoreModule(seen: S3Request[]): ContainerModule {
  return new ContainerModule(({ rebind }) => {
    bindService(rebind, TOKENS.S3Core).toConstantValue({
      handle: async (req: S3Request) => {
        seen.push(req);
        if (req.body) await buffer(req.body);
        return { status: 200, headers: { etag: '"e"', 'x-amz-server-side-encryption': 'AES256' } };
      },
    } as unknown as S3Core);
  });
}

test('createSealedS3Client needs no region, endpoint or credentials: the request goes to the core, and a client whose door is removed refuses instead of reaching a network', async (t) => {
  const seen: S3Request[] = [];
  const container = createContainer(config(), { modules: [fakeCoreModule(seen)] });
  const s3 = createSealedS3Client(container);
  const put = await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }));
  t.is(put.ServerSideEncryption, 'AES256');
  t.like(seen[0], { method: 'PUT', bucket: 'b', key: 'k', principal: 'process', secureTransport: true });
  s3.middlewareStack.remove(DOOR_MIDDLEWARE);
  const err = await t.throwsAsync(s3.send(new ListBucketsCommand({})), { instanceOf: SealError });
  t.regex(err?.message ?? '', /door is not on its middleware stack/);
  await s3.close();
  t.true(container.isBound(TOKENS.Config), 'a container passed in is not closed by the client');
});

test('destroy() of a client created from a configuration closes the container it created', async (t) => {
  const s3 = createSealedS3Client(config(), { s3seal: { principal: 'svc' } });
  const c = s3.container;
  t.true(c.isBound(TOKENS.Config));
  s3.destroy();
  await s3.close(); // the same close destroy() started
  t.false(c.isBound(TOKENS.Config), 'container closed');
});

test('getS3SealPlugin on an existing client: the client keeps its own settings, requests go to the core; presign refuses', async (t) => {
  const seen: S3Request[] = [];
  const container = createContainer(config(), { modules: [fakeCoreModule(seen)] });
  const s3 = new S3Client({ region: 'eu-west-1', endpoint: 'http://minio.example:9000', forcePathStyle: true, credentials: { accessKeyId: 'svc', secretAccessKey: 'svc-secret' } });
  const plugin = getS3SealPlugin(container, { principal: 'photos' });
  s3.middlewareStack.use(plugin);
  await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }));
  t.like(seen[0], { bucket: 'b', key: 'k', principal: 'photos' });
  t.is(seen[0]!.headers['host'], 'minio.example:9000');
  const err = await t.throwsAsync(getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'k' })), { instanceOf: PresignUnsupportedError });
  t.is(err?.code, 'S3Seal.PresignUnsupported');
  t.is(seen.length, 1);
  s3.destroy();
  await plugin.close();
  t.true(container.isBound(TOKENS.Config), "the caller's container stays open");
});

test('a sealed client refuses presigning too', async (t) => {
  const s3 = createSealedS3Client(config());
  const err = await t.throwsAsync(getSignedUrl(s3, new PutObjectCommand({ Bucket: 'b', Key: 'k' })), { instanceOf: PresignUnsupportedError });
  t.regex(err?.message ?? '', /gateway \(`s3seal serve`\)/);
  await s3.close();
});

test('a sealed client does not SigV4-sign (no Authorization, no payload SHA-256 pass) but still sends the SDK flexible checksum; a plugin on a user client keeps its signer', async (t) => {
  const seen: S3Request[] = [];
  const container = createContainer(config(), { modules: [fakeCoreModule(seen)] });
  const sealed = createSealedS3Client(container);
  const own = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  own.middlewareStack.use(getS3SealPlugin(container));
  try {
    await sealed.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: Buffer.from('hello') }));
    await own.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: Buffer.from('hello') }));
    const [fromSealed, fromOwn] = seen;
    t.is(fromSealed!.headers['authorization'], undefined);
    t.is(fromSealed!.headers['x-amz-content-sha256'], undefined);
    // the checksum the core verifies and seals is still the SDK's own
    t.is(fromSealed!.headers['x-amz-checksum-crc32'], 'NhCmhg==');
    t.regex(fromOwn!.headers['authorization'] ?? '', /^AWS4-HMAC-SHA256 /);
    t.is(fromOwn!.headers['x-amz-content-sha256'], '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  } finally {
    sealed.destroy();
    own.destroy();
  }
});
