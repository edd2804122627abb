/**
 * Sealed plaintext checksums on real servers (FORMAT.md §5.7; issue 7 item 5), through the
 * container's ObjectFacade over MinIO, with the file keystore (SSE-S3), local-kms (SSE-KMS) and
 * SSE-C: a PUT whose SHA-256 came as a header and one whose CRC32 came as an aws-chunked trailer
 * (sealed by a metadata replace after the body), and one carrying both; HEAD/GET with checksumMode
 * return them, without it none, a ranged GET none; a PUT of unknown length that goes up in parts keeps
 * its whole-object checksum; and what MinIO stores — every metadata value and header a raw HEAD
 * returns, and the raw body — holds none of the plaintext checksums in base64, base64url or hex, nor
 * their raw bytes in the body.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import type { EncryptionPlan } from '../../src/index.js';
import { closeContainer, createContainer, getService, TOKENS } from '../../src/index.js';
import { PlaintextChecksums } from '../../src/adapters/s3/plaintext-checksums.js';
import { bodyChecksumsOf } from '../../src/adapters/s3/body-checksums-of.js';
import { checksumEchoHeaders } from '../../src/adapters/s3/checksum-echo-headers.js';
import { newDigester } from '../../src/adapters/s3/checksum-algorithms.js';
import type { BodyChecksums } from '../../src/engine/body-checksums.js';
import { freshBucket, kmsClient, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
async function crc32(b: Buffer): Promise<Buffer> {
  const d = newDigester('CRC32');
  d.update(b);
  return Buffer.from(await d.digest());
}

/** every text form a stored plaintext digest could take */
function forms(digest: Buffer): string[] {
  return [digest.toString('base64'), digest.toString('base64url'), digest.toString('hex'), digest.toString('hex').toUpperCase()];
}

test('sealed checksums through the facade on MinIO: returned only with checksumMode, never stored in the clear', async (t) => {
  const m = service('minio');
  const kms = service('localkms');
  const admin = kmsClient(kms);
  const alias = `alias/sums-${randomBytes(4).toString('hex')}`;
  await new AwsKmsKeystore(admin).createKey(alias);
  const c = createContainer({
    backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    keystores: { file: { path: join(tempDir('sums'), 'keys.json'), create: true }, awskms: { endpoint: kms.endpoint, accessKeyId: kms.accessKey!, secretAccessKey: kms.secretKey!, rotateOnDemand: false } },
    uploadTokenRoot: randomBytes(32).toString('base64'),
    defaultKmsKey: alias,
  });
  await getService(c, TOKENS.FileKeystore).createKey('s3-default');
  const facade = getService(c, TOKENS.ObjectFacade);
  const bucket = await freshBucket(m, 'sums');
  const raw = s3Client(m);
  const customerKey = randomBytes(32);
  const body = randomBytes(150_001);
  const [sha, crc] = [sha256(body), await crc32(body)];
  const plans: [string, EncryptionPlan][] = [
    ['sse-s3', { mode: 'SSE-S3' }],
    ['sse-kms', { mode: 'SSE-KMS', context: { dept: 'x' } }],
    ['sse-c', { mode: 'SSE-C', customerKey: Buffer.from(customerKey) }],
  ];
  const stored: string[] = [];
  for (const [mode, encryption] of plans) {
    const read = mode === 'sse-c' ? { customerKey } : {};
    // what the S3 core builds: a header checksum, and a trailer one (its value after the body)
    const viaHeader = PlaintextChecksums.fromHeaders({ 'x-amz-checksum-sha256': sha.toString('base64') });
    const trailers = new Map<string, string>();
    const viaTrailer = PlaintextChecksums.fromHeaders({ 'x-amz-trailer': 'x-amz-checksum-crc32' });
    const both: BodyChecksums = {
      algorithms: ['CRC32', 'SHA256'],
      declared: [{ algorithm: 'SHA256', type: 'FULL_OBJECT', digest: sha }, { algorithm: 'CRC32', type: 'FULL_OBJECT', digest: crc }],
      verify: () => Promise.resolve([{ algorithm: 'CRC32', type: 'FULL_OBJECT', digest: crc }, { algorithm: 'SHA256', type: 'FULL_OBJECT', digest: sha }]),
    };
    const cases: [string, Readable | Buffer, BodyChecksums | undefined, Record<string, string>][] = [
      [`${mode}/sha256-header`, Readable.from([body]).pipe(viaHeader.tap()), bodyChecksumsOf(viaHeader, () => undefined), { SHA256: sha.toString('base64') }],
      [
        `${mode}/crc32-trailer`,
        Readable.from([body]).pipe(viaTrailer.tap()).on('end', () => trailers.set('x-amz-checksum-crc32', crc.toString('base64'))),
        bodyChecksumsOf(viaTrailer, () => trailers),
        { CRC32: crc.toString('base64') },
      ],
      [`${mode}/both`, body, both, { CRC32: crc.toString('base64'), SHA256: sha.toString('base64') }],
    ];
    for (const [key, b, checksums, values] of cases) {
      const put = await facade.putObject({ bucket, key, principal: 'svc', body: b, contentLength: body.length, encryption, ...(checksums ? { checksums } : {}) });
      t.deepEqual(put.checksums, { type: 'FULL_OBJECT', values }, `${key}: PUT result`);
      const head = await facade.headObject({ bucket, key, principal: 'svc', ...read, checksumMode: true });
      t.deepEqual(head.checksums, { type: 'FULL_OBJECT', values }, `${key}: HEAD with checksumMode`);
      t.is(head.etag, put.etag, `${key}: the PUT's ETag names the stored object`);
      t.is((await facade.headObject({ bucket, key, principal: 'svc', ...read })).checksums, undefined, `${key}: HEAD without checksumMode`);
      const got = await facade.getObject({ bucket, key, principal: 'svc', ...read, checksumMode: true });
      t.deepEqual(got.checksums, { type: 'FULL_OBJECT', values }, `${key}: GET with checksumMode`);
      t.deepEqual(await buffer(got.body), body, `${key}: plaintext`);
      const plain = await facade.getObject({ bucket, key, principal: 'svc', ...read });
      t.is(plain.checksums, undefined, `${key}: GET without checksumMode`);
      await buffer(plain.body);
      const ranged = await facade.getObject({ bucket, key, principal: 'svc', ...read, checksumMode: true, range: { kind: 'from', first: 1, last: 100 } });
      t.is(ranged.checksums, undefined, `${key}: ranged GET`);
      await buffer(ranged.body);
      const echo = checksumEchoHeaders(got.checksums);
      for (const [alg, v] of Object.entries(values)) t.is(echo[`x-amz-checksum-${alg.toLowerCase()}`], v);
      t.is(echo['x-amz-checksum-type'], 'FULL_OBJECT');

      // what MinIO holds: metadata (and every field of a raw HEAD, checksum mode on), and the body
      const rawHead = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      const { $metadata: _m, ...fields } = rawHead;
      stored.push(JSON.stringify(fields));
      const rawBody = await buffer((await raw.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable);
      t.not(rawBody.length, body.length, `${key}: MinIO holds ciphertext`);
      for (const d of [sha, crc]) {
        if (!Object.values(values).includes(d.toString('base64'))) continue;
        t.false(rawBody.includes(d), `${key}: raw digest bytes in the stored body`);
        for (const f of forms(d)) t.false(rawBody.includes(Buffer.from(f)), `${key}: ${f} in the stored body`);
      }
    }
  }
  // a PUT of unknown length, uploaded in parts by s3seal: the whole-object checksum is sealed at Complete
  const big = randomBytes(9 * 1024 * 1024);
  const bigSha = sha256(big);
  const pc = PlaintextChecksums.fromHeaders({ 'x-amz-checksum-sha256': bigSha.toString('base64') });
  const put = await facade.putObject({ bucket, key: 'unknown-length', principal: 'svc', body: Readable.from([big.subarray(0, 5 << 20), big.subarray(5 << 20)]).pipe(pc.tap()), encryption: { mode: 'SSE-S3' }, checksums: bodyChecksumsOf(pc, () => undefined)! });
  t.deepEqual(put.checksums, { type: 'FULL_OBJECT', values: { SHA256: bigSha.toString('base64') } });
  t.deepEqual((await facade.headObject({ bucket, key: 'unknown-length', principal: 'svc', checksumMode: true })).checksums, put.checksums, 'multipart object: HEAD');
  stored.push(JSON.stringify((await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'unknown-length', ChecksumMode: 'ENABLED' }))).Metadata));

  const all = stored.join('\n');
  t.true(all.includes('s3seal'), 'the scan saw the envelopes');
  for (const d of [sha, crc, bigSha]) for (const f of forms(d)) t.false(all.includes(f), `stored metadata/headers contain ${f}`);
  raw.destroy();
  admin.destroy();
  await closeContainer(c);
});

test('a caller\'s own multipart upload: part checksums verified and echoed, a mismatching part refused; no object checksum (s3seal keeps no authenticated part checksums); objects without the field read as before', async (t) => {
  const m = service('minio');
  const c = createContainer({
    backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    keystores: { file: { path: join(tempDir('sums-mpu'), 'keys.json'), create: true } },
    uploadTokenRoot: randomBytes(32).toString('base64'),
  });
  await getService(c, TOKENS.FileKeystore).createKey('s3-default');
  const facade = getService(c, TOKENS.ObjectFacade);
  const bucket = await freshBucket(m, 'sums-mpu');
  const req = { bucket, key: 'mpu', principal: 'svc' };
  const { uploadId } = await facade.createMultipartUpload({ ...req, encryption: { mode: 'SSE-S3' } });
  const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1000)];
  const done = [];
  for (const [i, p] of parts.entries()) {
    // each part's checksum is verified before its final chunk and echoed (S3: the caller lists it at Complete)
    const crc = (await crc32(p)).toString('base64');
    const pc = PlaintextChecksums.fromHeaders({ 'x-amz-checksum-crc32': crc });
    const up = await facade.uploadPart({ ...req, uploadId, partNumber: i + 1, body: Readable.from([p]).pipe(pc.tap()), contentLength: p.length, checksums: bodyChecksumsOf(pc, () => undefined)! });
    t.deepEqual(checksumEchoHeaders(up.checksums, { type: false }), { 'x-amz-checksum-crc32': crc }, `part ${i + 1} echo`);
    done.push({ partNumber: i + 1, etag: up.etag });
  }
  // a part whose checksum does not match is refused and leaves no part behind
  const wrong = PlaintextChecksums.fromHeaders({ 'x-amz-checksum-crc32': 'AAAAAA==' });
  const err = await t.throwsAsync(facade.uploadPart({ ...req, uploadId, partNumber: 3, body: Readable.from([parts[1]!]).pipe(wrong.tap()), contentLength: parts[1]!.length, checksums: bodyChecksumsOf(wrong, () => undefined)! }));
  t.is((err as { code?: string } | undefined)?.code, 'BadDigest');
  const raw = s3Client(m);
  const listed = await raw.send(new ListPartsCommand({ Bucket: bucket, Key: 'mpu', UploadId: (await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads?.[0]?.UploadId }));
  t.deepEqual(listed.Parts?.map((p) => p.PartNumber), [1, 2], 'the refused part 3 is not on the backend');
  raw.destroy();
  await facade.completeMultipartUpload({ ...req, uploadId, parts: done });
  t.is((await facade.headObject({ ...req, checksumMode: true })).checksums, undefined, 'HEAD');
  const got = await facade.getObject({ ...req, checksumMode: true });
  t.is(got.checksums, undefined, 'GET');
  t.deepEqual(await buffer(got.body), Buffer.concat(parts));
  const plain = randomBytes(10);
  await facade.putObject({ bucket, key: 'plain', principal: 'svc', body: plain, contentLength: plain.length, encryption: { mode: 'SSE-S3' } });
  const read = await facade.getObject({ bucket, key: 'plain', principal: 'svc', checksumMode: true });
  t.is(read.checksums, undefined);
  t.deepEqual(await buffer(read.body), plain);
  await closeContainer(c);
});
