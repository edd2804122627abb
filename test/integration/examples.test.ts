/** Every example and the README's main command run here, against real services. */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { main as librarySseS3 } from '../../examples/library-sse-s3.js';
import { runDemo } from '../../src/cli/demo.js';
import { s3Client, service } from '../helpers/services.js';

test('examples/library-sse-s3 writes and reads back through MinIO', async (t) => {
  const m = service('minio');
  const bucket = `example-${randomBytes(4).toString('hex')}`;
  const s3 = s3Client(m);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
  const dir = mkdtempSync(join(tmpdir(), 's3seal-example-'));
  try {
    t.is(await librarySseS3(m.endpoint, m.accessKey!, m.secretKey!, bucket, join(dir, 'keys.json')), 'account,balance\nada,100\n|ada');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the README main command (demo on embedded defaults) succeeds, twice on the same data dir', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3seal-demo-'));
  try {
    for (let run = 0; run < 2; run++) {
      const lines: string[] = [];
      await runDemo(dir, (l) => lines.push(l));
      t.regex(lines.at(-1) ?? '', /^s3seal demo ok backend=http:\/\/127\.0\.0\.1:\d+ /);
      t.is(lines.filter((l) => l.includes('plaintext-at-rest=no') && l.includes('round-trip=ok') && l.includes('range=ok')).length, 3);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
