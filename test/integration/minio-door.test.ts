/**
 * The minio door (issue 9): every minio-js call the issue names, through `createSealedMinioClient`
 * against the real MinIO, with SSE as minio-js users write it — plaintext back, plaintext sizes,
 * S3's errors as minio-js's S3Error, only ciphertext and the envelope at the object server.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { Client, CopyDestinationOptions, CopySourceOptions, S3Error, type BucketItem } from 'minio';
import { BODY_MAGIC, PART_MAGIC } from '../../src/crypto/constants.js';
import { createSealedMinioClient, getService, TOKENS, sseCustomerKey, sseCustomerKeyHeaders, sseCustomerKeyTriple, type SealedMinioClient } from '../../src/index.js';
import { sealedMinioSetup, type SealedMinioSetup } from '../helpers/sealed-minio-setup.js';
import { tempDir } from '../helpers/temp-dir.js';

const MiB = 1024 * 1024;
let setup: Promise<SealedMinioSetup> | undefined;
const env = (): Promise<SealedMinioSetup> => (setup ??= sealedMinioSetup());
const clients: SealedMinioClient[] = [];
test.after.always(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  if (setup) await (await setup).close();
});

async function door(options: Parameters<typeof createSealedMinioClient>[1] = {}): Promise<{ s: SealedMinioSetup; mc: SealedMinioClient; bucket: string }> {
  const s = await env();
  const mc = createSealedMinioClient(s.container, options);
  clients.push(mc);
  return { s, mc, bucket: await s.freshBucket('minio-door') };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function stored(s: SealedMinioSetup, bucket: string, key: string): Promise<{ body: Buffer; metadata: Record<string, string> }> {
  const raw = await s.raw.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: Buffer.from(await raw.Body!.transformToByteArray()), metadata: raw.Metadata ?? {} };
}

async function minioError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return err instanceof S3Error ? String(err.code) : `${(err as Error).name}: ${(err as Error).message}`;
  }
}

/** a stream whose length minio-js cannot learn */
function unknownLength(body: Buffer, chunk = MiB - 3): Readable {
  return Readable.from(
    (function* () {
      for (let o = 0; o < body.length; o += chunk) yield body.subarray(o, Math.min(body.length, o + chunk));
    })(),
  );
}

test('minio door: createSealedMinioClient returns a real minio.Client; putObject of a Buffer and a string, getObject and statObject (plaintext size, SSE-S3 echo, user metadata), ciphertext and envelope at the object server', async (t) => {
  const { s, mc, bucket } = await door();
  t.true(mc instanceof Client);
  const body = randomBytes(150_001);
  const put = await mc.putObject(bucket, 'buf', body, body.length, { 'Content-Type': 'application/x-test', note: 'buffer' });
  t.truthy(put.etag);
  await mc.putObject(bucket, 'str', 'hello from minio-js');
  const got = await readAll(await mc.getObject(bucket, 'buf'));
  t.true(got.equals(body), 'getObject: the plaintext');
  t.is((await readAll(await mc.getObject(bucket, 'str'))).toString(), 'hello from minio-js');
  const stat = await mc.statObject(bucket, 'buf');
  t.is(stat.size, body.length, 'statObject: the plaintext size');
  t.is(stat.etag, put.etag, 'statObject: the ETag putObject returned');
  t.is(stat.metaData['content-type'], 'application/x-test');
  t.is(stat.metaData['note'], 'buffer', "the caller's metadata");
  t.is(stat.metaData['x-amz-server-side-encryption'], 'AES256', 'no SSE asked: SSE-S3, echoed');
  t.false(Object.keys(stat.metaData).some((k) => k.startsWith('s3seal')), 'no envelope in the metadata minio-js shows');
  const at = await stored(s, bucket, 'buf');
  t.deepEqual(at.body.subarray(0, 4), BODY_MAGIC, 'an s3seal body at the object server');
  t.is(at.body.indexOf(body.subarray(0, 32)), -1, 'no plaintext at the object server');
  t.truthy(at.metadata['s3seal'], 'the envelope at the object server');
});

test('minio door: putObject of a stream of unknown length goes up as multipart (default part size for unknown lengths: one part; partSize 5 MiB: three parts); read back exact, multipart ciphertext at rest', async (t) => {
  const { s, mc, bucket } = await door();
  const small = createSealedMinioClient(s.container, { partSize: 5 * MiB });
  clients.push(small);
  const body = randomBytes(12 * MiB + 777);
  await mc.putObject(bucket, 'default-parts', unknownLength(body));
  await small.putObject(bucket, 'small-parts', unknownLength(body), undefined, { 'X-Amz-Server-Side-Encryption': 'aws:kms', 'X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id': s.kmsKey });
  for (const key of ['default-parts', 'small-parts']) {
    t.true((await readAll(await mc.getObject(bucket, key))).equals(body), `${key}: the stream back`);
    t.is((await mc.statObject(bucket, key)).size, body.length, `${key}: plaintext size`);
    t.deepEqual((await stored(s, bucket, key)).body.subarray(0, 4), PART_MAGIC, `${key}: a multipart s3seal object at rest`);
  }
  const raw = await s.raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'small-parts', PartNumber: 1 }));
  t.is(raw.PartsCount, 3, 'partSize 5 MiB: three parts at the object server');
  const kms = await mc.statObject(bucket, 'small-parts');
  t.is(kms.metaData['x-amz-server-side-encryption'], 'aws:kms', 'SSE-KMS from the X-Amz-Server-Side-Encryption headers given as metadata');
  t.is(kms.metaData['x-amz-server-side-encryption-aws-kms-key-id'], s.kmsKey);
});

test('minio door: putObject of a Buffer larger than a part goes up in parts of the part size (16 MiB by default, the size the engine seals whole), read back exact', async (t) => {
  const { s, mc, bucket } = await door();
  const body = randomBytes(40 * MiB + 3);
  await mc.putObject(bucket, 'big', body, body.length, { 'X-Amz-Server-Side-Encryption': 'AES256' });
  const raw = await s.raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big', PartNumber: 1 }));
  t.is(raw.PartsCount, 3, '16 + 16 + 8 MiB');
  t.true((await readAll(await mc.getObject(bucket, 'big'))).equals(body));
  const small = createSealedMinioClient(s.container, { partSize: 5 * MiB });
  clients.push(small);
  await small.putObject(bucket, 'five', body.subarray(0, 12 * MiB));
  t.is((await s.raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'five', PartNumber: 1 }))).PartsCount, 3, 'a partSize the caller chose: 5 + 5 + 2 MiB');
  t.true((await readAll(await mc.getObject(bucket, 'five'))).equals(body.subarray(0, 12 * MiB)));
});

test('minio door: SSE-C as minio-js users write it — putObject with the X-Amz-Server-Side-Encryption-Customer-* headers as metadata; getObject, getPartialObject, statObject and fGetObject with getOpts; a wrong key is AccessDenied, none is InvalidRequest', async (t) => {
  const { s, mc, bucket } = await door();
  const key = randomBytes(32);
  const body = randomBytes(200_000);
  await mc.putObject(bucket, 'ssec', body, body.length, sseCustomerKeyHeaders(key));
  // larger than a part: a multipart upload whose every part carries the key
  const big = randomBytes(17 * MiB);
  await mc.putObject(bucket, 'ssec-mp', big, big.length, sseCustomerKeyHeaders(key));
  t.true((await readAll(await mc.getObject(bucket, 'ssec-mp', sseCustomerKeyTriple(key)))).equals(big), 'a multipart SSE-C putObject');
  t.deepEqual((await stored(s, bucket, 'ssec-mp')).body.subarray(0, 4), PART_MAGIC);
  const getOpts = sseCustomerKeyTriple(key);
  t.true((await readAll(await mc.getObject(bucket, 'ssec', getOpts))).equals(body));
  const part = await mc.getPartialObject(bucket, 'ssec', 65_530, 100, getOpts);
  t.is((part as unknown as { statusCode: number }).statusCode, 206);
  t.true((await readAll(part)).equals(body.subarray(65_530, 65_630)), 'getPartialObject: exact bytes');
  t.true((await readAll(await mc.getPartialObject(bucket, 'ssec', 199_990, 0, getOpts))).equals(body.subarray(199_990)), 'getPartialObject to the end');
  // minio-js types statObject's options as { versionId }; the SSE-C triple travels in the query, and the door takes it from there
  const stat = await mc.statObject(bucket, 'ssec', getOpts as { versionId?: string });
  t.is(stat.size, body.length);
  t.is(stat.metaData['x-amz-server-side-encryption-customer-key-md5'], createHash('md5').update(key).digest('base64'));
  const file = join(tempDir('minio-fget'), 'out.bin');
  await mc.fGetObject(bucket, 'ssec', file, getOpts);
  t.true(readFileSync(file).equals(body), 'fGetObject (statObject, then a ranged GET) with the key');
  t.is(await minioError(mc.getObject(bucket, 'ssec', sseCustomerKeyTriple(randomBytes(32)))), 'AccessDenied', 'a wrong key');
  t.is(await minioError(mc.getObject(bucket, 'ssec')), 'InvalidRequest', 'no key');
  const at = await stored(s, bucket, 'ssec');
  t.is(at.body.indexOf(body.subarray(0, 32)), -1, 'ciphertext at rest');
});

test('minio door: traceOn writes minio-js\'s request trace with every SSE-C key redacted (headers and the query minio-js puts the key in); key MD5s and the rest of the trace stay', async (t) => {
  const { mc, bucket } = await door();
  const key = randomBytes(32);
  const lines: string[] = [];
  mc.traceOn(new Writable({ write: (chunk: Buffer | string, _e, done) => { lines.push(chunk.toString()); done(); } }));
  const body = randomBytes(1000);
  await mc.putObject(bucket, 'traced', body, body.length, sseCustomerKeyHeaders(key));
  await mc.statObject(bucket, 'traced', sseCustomerKeyTriple(key) as { versionId?: string });
  t.true((await readAll(await mc.getPartialObject(bucket, 'traced', 10, 20, sseCustomerKeyTriple(key)))).equals(body.subarray(10, 30)));
  mc.traceOff();
  const trace = lines.join('');
  t.regex(trace, /REQUEST: PUT /, 'the trace is written');
  t.regex(trace, /x-amz-server-side-encryption-customer-key: \*\*REDACTED\*\*/i);
  t.regex(trace, /x-amz-server-side-encryption-customer-key-md5: /i, 'the MD5 stays');
  for (const enc of [key.toString('base64'), encodeURIComponent(key.toString('base64')), key.toString('hex')]) t.false(trace.includes(enc), 'no SSE-C key in the trace');
});

test('minio door: SSE-C needs a secure hop only where the caller asks for it — secureTransport false refuses SSE-C unless the client is useSSL: true', async (t) => {
  const { s, bucket } = await door();
  const insecure = createSealedMinioClient(s.container, { useSSL: false, port: 80, s3seal: { secureTransport: false } });
  const tls = createSealedMinioClient(s.container, { useSSL: true, s3seal: { secureTransport: false } });
  clients.push(insecure, tls);
  const headers = sseCustomerKeyHeaders(randomBytes(32));
  t.is(await minioError(insecure.putObject(bucket, 'k', 'x', 1, headers)), 'InvalidRequest', 'SSE-C over what the client calls plain HTTP');
  await insecure.putObject(bucket, 'plain', 'x');
  await tls.putObject(bucket, 'k', 'x', 1, headers);
  t.is((await tls.statObject(bucket, 'plain')).size, 1);
});

test('minio door: fPutObject / fGetObject with SSE-KMS (headers as metadata), plaintext at the file, ciphertext at rest', async (t) => {
  const { s, mc, bucket } = await door();
  const dir = tempDir('minio-fput');
  const body = randomBytes(3 * MiB + 5);
  writeFileSync(join(dir, 'in.bin'), body);
  await mc.fPutObject(bucket, 'file', join(dir, 'in.bin'), { 'X-Amz-Server-Side-Encryption': 'aws:kms', 'X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id': s.kmsKey });
  await mc.fGetObject(bucket, 'file', join(dir, 'out.bin'));
  t.true(readFileSync(join(dir, 'out.bin')).equals(body));
  t.is((await mc.statObject(bucket, 'file')).metaData['x-amz-server-side-encryption'], 'aws:kms');
  t.is((await stored(s, bucket, 'file')).body.indexOf(body.subarray(0, 32)), -1);
});

test('minio door: copyObject with CopySourceOptions / CopyDestinationOptions and their Encryption — SSE-C source to KMS destination, KMS to SSE-C, SSE-C key rotation; copyObject v1 with CopyConditions', async (t) => {
  const { s, mc, bucket } = await door();
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const body = randomBytes(70_000);
  await mc.putObject(bucket, 'src', body, body.length, { ...sseCustomerKeyHeaders(k1), origin: 'ssec' });
  const toKms = await mc.copyObject(
    new CopySourceOptions({ Bucket: bucket, Object: 'src', Encryption: sseCustomerKey(k1) }),
    new CopyDestinationOptions({ Bucket: bucket, Object: 'kms', Encryption: { type: 'KMS', SSEAlgorithm: 'aws:kms', KMSMasterKeyID: s.kmsKey } }),
  );
  t.is((toKms as { MetaData?: Record<string, string> }).MetaData?.['x-amz-server-side-encryption'], 'aws:kms', 'the copy answers with the destination SSE');
  t.is((toKms as { Etag?: string }).Etag, (await mc.statObject(bucket, 'kms')).etag, "copyObject's result carries the new object's ETag");
  t.true((await readAll(await mc.getObject(bucket, 'kms'))).equals(body), 'SSE-C → SSE-KMS: content');
  t.is((await mc.statObject(bucket, 'kms')).metaData['origin'], 'ssec', 'metadata copied');
  await mc.copyObject(
    new CopySourceOptions({ Bucket: bucket, Object: 'kms' }),
    new CopyDestinationOptions({ Bucket: bucket, Object: 'ssec2', Encryption: sseCustomerKey(k2) }),
  );
  t.true((await readAll(await mc.getObject(bucket, 'ssec2', sseCustomerKeyTriple(k2)))).equals(body), 'SSE-KMS → SSE-C: content under the new key');
  t.is(await minioError(mc.getObject(bucket, 'ssec2')), 'InvalidRequest', 'the destination is SSE-C (not SSE-S3)');
  // rotation by copy-to-self
  await mc.copyObject(
    new CopySourceOptions({ Bucket: bucket, Object: 'src', Encryption: sseCustomerKey(k1) }),
    new CopyDestinationOptions({ Bucket: bucket, Object: 'src', Encryption: sseCustomerKey(k2) }),
  );
  t.is(await minioError(mc.getObject(bucket, 'src', sseCustomerKeyTriple(k1))), 'AccessDenied', 'the old key is refused');
  t.true((await readAll(await mc.getObject(bucket, 'src', sseCustomerKeyTriple(k2)))).equals(body));
  t.is(await minioError(mc.copyObject(new CopySourceOptions({ Bucket: bucket, Object: 'kms' }), new CopyDestinationOptions({ Bucket: bucket, Object: 'x', Encryption: { type: 'SSE-C' } }))), 'SealError: An SSE-C copy destination needs its key: Encryption { type: \'SSE-C\', SSECustomerKey } (sseCustomerKey(key)).', 'SSE-C without a key is refused, not stored as SSE-S3');
  const v1 = await mc.copyObject(bucket, 'v1', `/${bucket}/kms`);
  t.truthy((v1 as { etag?: string }).etag);
  t.true((await readAll(await mc.getObject(bucket, 'v1'))).equals(body), 'copyObject v1');
});

test('minio door: listObjects and listObjectsV2 report plaintext sizes (single-part and multipart, SSE-C included); removeObject and removeObjects remove them at the object server', async (t) => {
  const { s, mc, bucket } = await door();
  const small = createSealedMinioClient(s.container, { partSize: 5 * MiB });
  clients.push(small);
  const sizes: Record<string, number> = { 'l/a': 0, 'l/b': 1, 'l/c': 65_537 };
  for (const [k, n] of Object.entries(sizes)) await mc.putObject(bucket, k, randomBytes(n), n);
  await mc.putObject(bucket, 'l/ssec', randomBytes(1000), 1000, sseCustomerKeyHeaders(randomBytes(32)));
  sizes['l/ssec'] = 1000;
  const mp = randomBytes(11 * MiB);
  await small.putObject(bucket, 'l/mp', unknownLength(mp));
  sizes['l/mp'] = mp.length;
  const list = async (stream: NodeJS.ReadableStream): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for await (const item of stream as AsyncIterable<BucketItem>) if (item.name) out[item.name] = item.size;
    return out;
  };
  t.deepEqual(await list(mc.listObjects(bucket, 'l/', true)), sizes, 'listObjects: plaintext sizes');
  t.deepEqual(await list(mc.listObjectsV2(bucket, 'l/', true)), sizes, 'listObjectsV2: plaintext sizes');
  await mc.removeObject(bucket, 'l/a');
  t.is(await minioError(mc.statObject(bucket, 'l/a')), 'NotFound', 'removeObject');
  const removed = await mc.removeObjects(bucket, ['l/b', 'l/c', 'l/ssec', 'l/mp']);
  t.false(removed.some((r) => 'Error' in (r as object) || 'Code' in (r as object)), 'removeObjects: no errors');
  t.deepEqual(await list(mc.listObjectsV2(bucket, '', true)), {}, 'nothing left');
  const gone = await s.raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'l/mp' })).then(() => 'exists', (e: S3ServiceException) => e.name);
  t.is(gone, 'NotFound', 'removeObjects removed the multipart object at the object server');
});

test('minio door: set/get/removeBucketEncryption — the default (aws:kms) applies to putObject naming no SSE; after removal getBucketEncryption is ServerSideEncryptionConfigurationNotFoundError', async (t) => {
  const { s, mc, bucket } = await door();
  // S3's element is KMSMasterKeyID (minio-js's typing says KmsMasterKeyID, which S3 and MinIO ignore)
  await mc.setBucketEncryption(bucket, { Rule: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: s.kmsKey } as never }] });
  const got: unknown = await mc.getBucketEncryption(bucket);
  t.like(got, { ServerSideEncryptionConfiguration: { Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: s.kmsKey } } } });
  await mc.putObject(bucket, 'defaulted', 'x');
  t.is((await mc.statObject(bucket, 'defaulted')).metaData['x-amz-server-side-encryption'], 'aws:kms', 'the bucket default applied');
  await mc.removeBucketEncryption(bucket);
  t.is(await minioError(mc.getBucketEncryption(bucket)), 'ServerSideEncryptionConfigurationNotFoundError');
  await mc.putObject(bucket, 'after', 'x');
  t.is((await mc.statObject(bucket, 'after')).metaData['x-amz-server-side-encryption'], 'AES256');
});

test("minio door: a call the core does not implement fails with the core's NotImplemented and reaches nothing (setObjectTagging, getObjectRetention); presigning is refused; getBucketRegion is answered (GetBucketLocation)", async (t) => {
  const { s, mc, bucket } = await door();
  await mc.putObject(bucket, 'k', 'x');
  t.is(await minioError(mc.setObjectTagging(bucket, 'k', { a: 'b' })), 'NotImplemented', 'setObjectTagging');
  t.is(await minioError(mc.getObjectRetention(bucket, 'k')), 'NotImplemented', 'getObjectRetention');
  const tags = await s.raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
  t.is(tags.TagCount, undefined, 'the refused tagging reached nothing');
  t.is(await minioError(mc.presignedGetObject(bucket, 'k')), "SealError: A sealed minio client cannot presign: a presigned URL is sent straight to the object server, past the in-process encryption. Presign against the s3seal gateway (`s3seal serve`) instead.");
  t.is(await mc.getBucketRegionAsync(bucket), 'us-east-1');
  t.true(await mc.bucketExists(bucket));
  t.false(await mc.bucketExists(`${bucket}-none`));
});

test('minio door: close() closes the container the client created from a configuration, and only that', async (t) => {
  const s = await env();
  const own = createSealedMinioClient(s.config);
  const bucket = await s.freshBucket('minio-close');
  await own.putObject(bucket, 'k', 'x');
  await own.close();
  t.throws(() => getService(own.container, TOKENS.S3Core), undefined, 'the container it created is closed');
  const shared = createSealedMinioClient(s.container, { s3seal: { principal: 'svc' } });
  await shared.close();
  t.is((await readAll(await createSealedMinioClient(s.container).getObject(bucket, 'k'))).toString(), 'x', 'a container passed in stays open');
});
