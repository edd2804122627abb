/**
 * The door contract's checksum scenarios (issue 7 item 5): the plaintext's checksum sent by the
 * SDK (SHA256 of a buffer as a header, CRC32 of a stream as an aws-chunked trailer) is verified,
 * kept sealed in the envelope, and returned only with ChecksumMode ENABLED on whole-object reads —
 * the SDK then validates the body against it. A wrong checksum stores nothing. The object server
 * never sees the plaintext's checksum values in the object's metadata.
 */
import type { ExecutionContext, TestFn } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { bytesOf, modeParams, s3Error, withHeaders, type DoorOf, type DoorUnderTest, type Mode } from './door-contract-support.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('base64');
function crc32Of(b: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b));
  return out.toString('base64');
}

/** the object server's view: neither checksum value anywhere in the object's metadata */
async function assertChecksumsSealed(t: ExecutionContext, d: DoorUnderTest, bucket: string, key: string, values: string[]): Promise<void> {
  const raw = await d.backend.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const stored = JSON.stringify(raw.Metadata ?? {});
  for (const v of values) {
    t.false(stored.includes(v), `${key}: the checksum ${v} is not in the stored metadata`);
    t.false(stored.includes(Buffer.from(v, 'base64').toString('hex')), `${key}: nor in hex`);
  }
}

export function checksumScenarios(test: TestFn, label: string, door: DoorOf): void {
  const cases: [Mode, 'SHA256 buffer' | 'CRC32 stream'][] = [
    ['SSE-KMS', 'SHA256 buffer'],
    ['SSE-C', 'CRC32 stream'],
    ['SSE-S3', 'CRC32 stream'],
  ];
  for (const [mode, how] of cases) {
    test(`${label} · checksums (${mode}, ${how}): GET and HEAD with ChecksumMode ENABLED return the plaintext's checksum and the SDK validates the body; HEAD without it and ranged GETs return none; the object server's metadata holds no checksum value`, async (t) => {
      const d = await door();
      const bucket = await d.freshBucket('door-sum');
      const p = modeParams(mode, d);
      const body = randomBytes(200_003);
      const field = how === 'SHA256 buffer' ? 'ChecksumSHA256' : 'ChecksumCRC32';
      const expected = how === 'SHA256 buffer' ? sha256(body) : crc32Of(body);
      const Body = how === 'SHA256 buffer' ? body : Readable.from([body.subarray(0, 70_000), body.subarray(70_000, 150_000), body.subarray(150_000)]);
      const put = await d.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'k', Body, ContentLength: body.length, ChecksumAlgorithm: how === 'SHA256 buffer' ? 'SHA256' : 'CRC32', ...p.write }),
      );
      t.is(put[field], expected, `PUT echoes the plaintext's ${field}`);

      const got = await d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', ChecksumMode: 'ENABLED', ...p.read }));
      t.is(got[field], expected, `GET ${field}`);
      // the SDK checks the body it hands out against the returned checksum (it throws on a mismatch)
      t.true((await bytesOf(got.Body)).equals(body), 'the body the SDK validated');
      const head = await d.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k', ChecksumMode: 'ENABLED', ...p.read }));
      t.is(head[field], expected, `HEAD ${field}`);
      const plainHead = await d.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k', ...p.read }));
      t.is(plainHead.ChecksumSHA256 ?? plainHead.ChecksumCRC32 ?? plainHead.ChecksumCRC32C ?? plainHead.ChecksumCRC64NVME ?? plainHead.ChecksumSHA1, undefined, 'HEAD without ChecksumMode: none');
      const ranged = await d.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', Range: 'bytes=10-65546', ChecksumMode: 'ENABLED', ...p.read }));
      t.is(ranged.ChecksumSHA256 ?? ranged.ChecksumCRC32 ?? ranged.ChecksumCRC32C ?? ranged.ChecksumCRC64NVME ?? ranged.ChecksumSHA1, undefined, 'a ranged GET: none');
      t.true((await bytesOf(ranged.Body)).equals(body.subarray(10, 65_547)));
      await assertChecksumsSealed(t, d, bucket, 'k', [expected]);
    });
  }

  test(`${label} · checksums: a PutObject whose x-amz-checksum-sha256 does not match the body → BadDigest 400, nothing stored`, async (t) => {
    const d = await door();
    if (!d.rawHeaders) {
      t.pass('this door cannot send a raw checksum header');
      return;
    }
    const bucket = await d.freshBucket('door-baddigest');
    for (const mode of ['SSE-S3', 'SSE-C'] as const) {
      const p = modeParams(mode, d);
      const body = randomBytes(100_000);
      const wrong = sha256(Buffer.concat([body, Buffer.from([0])]));
      const cmd = withHeaders(new PutObjectCommand({ Bucket: bucket, Key: mode, Body: body, ChecksumAlgorithm: 'SHA256', ...p.write }), { 'x-amz-checksum-sha256': wrong });
      t.deepEqual(await s3Error(d.s3.send(cmd)), ['BadDigest', 400], `${mode}: wrong SHA256`);
      t.deepEqual(await s3Error(d.backend.send(new HeadObjectCommand({ Bucket: bucket, Key: mode }))), ['NotFound', 404], `${mode}: nothing stored`);
    }
  });
}
