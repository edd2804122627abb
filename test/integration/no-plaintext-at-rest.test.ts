/**
 * Issue 7 acceptance "No plaintext at rest": canary objects in every mode (SSE-S3, SSE-KMS, SSE-KMS
 * with bucket keys, SSE-C, none → SSE-S3) at 0 B, 1 B, 64 KiB − 1, 64 KiB, 64 KiB + 1 (buffer and
 * aws-chunked stream bodies) and a 3-part multipart object, written and read back through the SDK
 * door by a child process; then MinIO's data directory, new files in the temp directory, MinIO's log
 * and the child's own output are scanned: the canary token and the SSE-C key (raw, base64, hex)
 * occur nowhere. A control object written in plaintext straight to MinIO proves the scan finds the
 * token where it is stored in clear (so the scan can fail).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BODY_MAGIC } from '../../src/crypto/constants.js';
import { singlePartCiphertextSize } from '../../src/engine/size-math.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const writer = fileURLToPath(new URL('../helpers/canary-writer.js', import.meta.url));

/** every regular file under `dir` (symlinks not followed; files that vanish while walking skipped) */
function filesUnder(dir: string, since = 0): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, since));
    else if (e.isFile()) {
      try {
        if (statSync(p).mtimeMs >= since) out.push(p);
      } catch {
        // removed meanwhile (MinIO's tmp files, other tests' temp files)
      }
    }
  }
  return out;
}

function readOrEmpty(p: string): Buffer {
  try {
    return readFileSync(p);
  } catch {
    return Buffer.alloc(0);
  }
}

test('no canary byte run and no SSE-C key at rest, in temp files or in log output, in any mode', async (t) => {
  t.timeout(300_000);
  const started = Date.now() - 1000;
  const m = service('minio');
  const bucket = await freshBucket(m, 'canary');
  const token = randomBytes(16);
  const ssecKey = randomBytes(32);
  const keyPath = join(tempDir('canary'), 'keys.json');

  const child = await run(process.execPath, [writer, bucket, token.toString('hex'), ssecKey.toString('base64'), keyPath], { env: process.env, maxBuffer: 16 * 1024 * 1024 });
  const { written } = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { written: { key: string; length: number }[] };
  t.is(written.length, 5 * (5 * 2 + 1), 'every mode × size × body shape, and a multipart object per mode');

  // the control: the same token stored in clear, past the door, must be found by the scan
  const raw = s3Client(m);
  try {
    await raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'control/plain', Body: Buffer.concat([token, token]) }));
    // sizes 0 and 1 hold no token: for them the check is that what MinIO stores is s3seal ciphertext of the exact formula size
    for (const w of written.filter((x) => x.length < token.length)) {
      const stored = Buffer.from(await (await raw.send(new GetObjectCommand({ Bucket: bucket, Key: w.key }))).Body!.transformToByteArray());
      t.is(stored.length, singlePartCiphertextSize(w.length), `${w.key}: stored length`);
      t.true(stored.subarray(0, BODY_MAGIC.length).equals(BODY_MAGIC), `${w.key}: stored as an s3seal body`);
    }
  } finally {
    raw.destroy();
  }

  const needles: [string, Buffer][] = [
    ['canary token', token],
    ['SSE-C key', ssecKey],
    ['SSE-C key (base64)', Buffer.from(ssecKey.toString('base64'))],
    ['SSE-C key (hex)', Buffer.from(ssecKey.toString('hex'))],
  ];
  // MinIO serves `dataDir/data` (src/embedded/minio-server.ts): one directory per bucket, one per object key
  const bucketDir = join(m.dataDir, 'data', bucket);
  const controlDir = join(bucketDir, 'control');
  const minioFiles = filesUnder(m.dataDir);
  t.true(minioFiles.some((f) => f.startsWith(controlDir) && readOrEmpty(f).includes(token)), 'the scan finds the token in the plaintext control object');
  t.true(minioFiles.filter((f) => f.startsWith(bucketDir)).length > written.length, 'the scan sees the stored objects');

  const places: [string, Buffer][] = [
    ...minioFiles.filter((f) => !f.startsWith(controlDir)).map((f): [string, Buffer] => [`minio:${relative(m.dataDir, f)}`, readOrEmpty(f)]),
    // s3seal's own temp files (key-file temp copies, anything a spool would write), other than MinIO's dirs
    ...filesUnder(tmpdir(), started)
      .filter((f) => !f.startsWith(m.dataDir))
      .map((f): [string, Buffer] => [`tmp:${f}`, readOrEmpty(f)]),
    ['minio log', readOrEmpty(m.logFile)],
    ['writer stdout', Buffer.from(child.stdout)],
    ['writer stderr', Buffer.from(child.stderr)],
  ];
  const found = places.flatMap(([where, bytes]) => needles.filter(([, n]) => bytes.includes(n)).map(([what]) => `${what} in ${where}`));
  t.deepEqual(found, [], 'nothing found');
});
