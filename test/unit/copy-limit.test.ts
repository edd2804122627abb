/**
 * The copy limit of the layout commit (issue 6, item 7): configurable, 5 GiB by default (AWS
 * CopyObject's limit), never below S3's 5 MiB minimum part (a multipart copy could not be built);
 * multipart-copy parts are at most the limit and at most 5 GiB, grown only when 10 000 parts would not
 * cover the object.
 */
import test from 'ava';
import { S3Client } from '@aws-sdk/client-s3';
import { AWS_COPY_LIMIT, copyPartSize, MIN_COPY_PART, S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { ConfigError, resolveConfig } from '../../src/container/config.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const backend = { endpoint: 'http://127.0.0.1:9000', accessKeyId: 'a', secretAccessKey: 'b' };

test('config: backend.copyObjectLimit defaults to 5 GiB and refuses less than 5 MiB', (t) => {
  const root = { uploadTokenRoot: Buffer.alloc(32).toString('base64') };
  t.is(resolveConfig({ backend, ...root }).backend.copyObjectLimit, 5 * GiB);
  t.is(resolveConfig({ backend: { ...backend, copyObjectLimit: 6 * MiB }, ...root }).backend.copyObjectLimit, 6 * MiB);
  t.throws(() => resolveConfig({ backend: { ...backend, copyObjectLimit: 5 * MiB - 1 }, ...root }), { instanceOf: ConfigError, message: /copyObjectLimit/ });
});

test('S3ObjectStore refuses a copy limit under 5 MiB', (t) => {
  const client = new S3Client({ region: 'us-east-1' });
  t.throws(() => new S3ObjectStore(client, { copyObjectLimit: MIN_COPY_PART - 1 }), { instanceOf: RangeError });
  t.notThrows(() => new S3ObjectStore(client, { copyObjectLimit: MIN_COPY_PART }));
  client.destroy();
});

test('multipart-copy part size: the limit, capped at 5 GiB, grown to fit 10 000 parts', (t) => {
  t.is(copyPartSize(7 * MiB, 6 * MiB), 6 * MiB);
  t.is(copyPartSize(6 * GiB, AWS_COPY_LIMIT), 5 * GiB);
  t.is(copyPartSize(6 * GiB, 50 * GiB), 5 * GiB, 'UploadPartCopy parts are at most 5 GiB');
  t.is(copyPartSize(100 * GiB, 6 * MiB), Math.ceil((100 * GiB) / 10_000), '10 000 parts at most');
  for (const [size, limit] of [[48_828_125_000, 5 * MiB], [10_000 * 5 * GiB, 5 * MiB], [12 * MiB + 1, 6 * MiB]] as const) {
    const p = copyPartSize(size, limit);
    t.true(Math.ceil(size / p) <= 10_000 && p <= 5 * GiB && p >= Math.min(limit, 5 * GiB));
  }
});

test('multipart-copy commit: after a part copy fails no further part is started, and the abort waits for the copies in flight (review M1)', async (t) => {
  // a scripted client (unit level; the real-MinIO races are in integration/multipart-commit.test.ts):
  // part 2 fails at once, parts 1, 3 and 4 (in flight with it) finish 50 ms later
  const log: string[] = [];
  const client = {
    send: async (cmd: { constructor: { name: string }; input: { PartNumber?: number } }) => {
      const name = cmd.constructor.name;
      if (name === 'CreateMultipartUploadCommand') return { UploadId: 'u' };
      if (name === 'UploadPartCopyCommand') {
        const n = cmd.input.PartNumber!;
        log.push(`start ${n}`);
        if (n === 2) throw Object.assign(new Error('PreconditionFailed'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
        await new Promise((r) => setTimeout(r, 50));
        log.push(`done ${n}`);
        return { CopyPartResult: { ETag: `"p${n}"` } };
      }
      if (name === 'AbortMultipartUploadCommand') {
        log.push('abort');
        return {};
      }
      throw new Error(`unexpected ${name}`);
    },
  } as unknown as S3Client;
  const store = new S3ObjectStore(client, { copyObjectLimit: MIN_COPY_PART });
  t.like(await t.throwsAsync(store.replaceMetadata('b', 'k', {}, '"e"', 20 * MIN_COPY_PART)), { name: 'BackendRequestError', s3Code: 'PreconditionFailed', status: 412 });
  await new Promise((r) => setTimeout(r, 300)); // anything still running would log by now
  t.deepEqual(log.filter((l) => l.startsWith('start')).sort(), ['start 1', 'start 2', 'start 3', 'start 4'], 'no part is started after the failure');
  t.is(log[log.length - 1], 'abort', 'the abort comes after every copy in flight settled');
  t.is(log.filter((l) => l === 'abort').length, 1);
});
