/**
 * The README's main command: `s3seal serve` with no configuration runs the gateway on embedded defaults
 * (DESIGN.md "Gateway and CLI" → "Embedded default") — a local MinIO with its data in the data dir, the
 * file keystore with the demo keys, generated demo credentials, HTTPS with a certificate generated in
 * the data dir — as a real child process, used by a real @aws-sdk/client-s3 that trusts `ca_file`.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException, type GetObjectCommandInput, type PutObjectCommandInput, type ServerSideEncryption } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { freePort } from '../../src/embedded/free-port.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { allowAllPolicy } from '../helpers/gateway-harness.js';
import { service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

const READY_FIELDS = ['endpoint', 'access_key', 'secret_key', 'backend', 'backend_access_key', 'backend_secret_key', 'data_dir', 'ca_file'] as const;

interface Served {
  line: Promise<string>;
  exited: Promise<number | null>;
  signal(s: NodeJS.Signals): void;
  output(): { out: string; err: string };
}

/** `s3seal serve ARGS` as a child process; `line` is its first stdout line that starts with `s3seal ready ` */
function serve(t: ExecutionContext, args: string[], env: NodeJS.ProcessEnv): Served {
  const child = spawn(process.execPath, [join(process.cwd(), 'dist/src/cli/main.js'), 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const line = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^s3seal ready .*$/m.exec(out);
      if (m) resolve(m[0]);
    });
    void exited.then((code) => reject(new Error(`s3seal serve exited ${String(code)}: ${err}`)));
  });
  line.catch(() => undefined); // a test that expects the process to fail awaits `exited` instead
  return { line, exited, signal: (s) => child.kill(s), output: () => ({ out, err }) };
}

function parseReady(line: string): Record<(typeof READY_FIELDS)[number], string> {
  const fields = Object.fromEntries(line.replace(/^s3seal ready /, '').split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return fields as Record<(typeof READY_FIELDS)[number], string>;
}

/** whatever a failed test leaves running in the MinIO dir is killed (MinIO runs detached: the child's SIGKILL does not reach it) */
function killLeftOvers(t: ExecutionContext, minioDir: string): void {
  t.teardown(() => {
    for (const pid of processesIn(minioDir)) process.kill(pid, 'SIGKILL');
  });
}

/** pids of the processes running in `dir` (MinIO is started with its dir as working directory) */
function processesIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readlinkSync(`/proc/${p}/cwd`) === dir;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function gatewayS3(r: ReturnType<typeof parseReady>): S3Client {
  return new S3Client({
    endpoint: r.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: r.access_key, secretAccessKey: r.secret_key },
    requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: readFileSync(r.ca_file) }) }),
  });
}

const text = Buffer.from('embedded default plaintext, stored only as ciphertext in MinIO\n'.repeat(4000));
const ssecKey = randomBytes(32);
const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: ssecKey.toString('base64') };
const modes: { key: string; put: Partial<PutObjectCommandInput>; get: Partial<GetObjectCommandInput>; sse: ServerSideEncryption | undefined }[] = [
  { key: 'sse-s3.txt', put: { ServerSideEncryption: 'AES256' as const }, get: {}, sse: 'AES256' },
  { key: 'sse-kms.txt', put: { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: 'demo-kms' }, get: {}, sse: 'aws:kms' },
  { key: 'sse-c.txt', put: ssec, get: ssec, sse: undefined },
];

async function readAll(s3: S3Client, key: string, extra: Partial<GetObjectCommandInput>): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket: 'demo', Key: key, ...extra }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

test('s3seal serve with no configuration: one ready line with demo credentials and ca_file; SSE-S3, SSE-KMS (demo key) and SSE-C over its HTTPS; MinIO holds ciphertext; a restart on the same data dir reuses everything; SIGTERM exits 0 and stops MinIO', async (t) => {
  const dataDir = tempDir('embedded');
  const port = await freePort();
  const env = { S3SEAL_PORT: String(port), S3SEAL_DATA_DIR: '' };

  // first start: the host's default number of workers
  const first = serve(t, ['--data-dir', dataDir], env);
  const line1 = await first.line;
  t.regex(line1, new RegExp(`^s3seal ready ${READY_FIELDS.map((f) => `${f}=\\S+`).join(' ')}$`));
  t.is(first.output().out.split('\n').filter((l) => l !== '').length, 1, 'exactly one line on stdout');
  const r1 = parseReady(line1);
  t.is(r1.endpoint, `https://127.0.0.1:${port}`);
  t.is(r1.data_dir, dataDir);
  t.is(r1.ca_file, join(dataDir, 'tls.crt'));
  for (const f of ['demo.json', 'gateway-demo.secret', 'tls.key', 'keys.json', 'serve.json', 'policy.yaml']) t.is(statSync(join(dataDir, f)).mode & 0o777, 0o600, `${f} is 0600`);
  const minioDir = join(dataDir, 'minio');
  killLeftOvers(t, minioDir);
  t.true(processesIn(minioDir).length > 0, 'MinIO runs in the data dir');

  const s3 = gatewayS3(r1);
  const backend = new S3Client({ endpoint: r1.backend, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: r1.backend_access_key, secretAccessKey: r1.backend_secret_key } });
  try {
    for (const m of modes) {
      const put = await s3.send(new PutObjectCommand({ Bucket: 'demo', Key: m.key, Body: text, ...m.put }));
      t.is(put.ServerSideEncryption, m.sse, `${m.key}: PUT answers its SSE mode`);
      t.deepEqual(await readAll(s3, m.key, m.get), text, `${m.key}: reads back through the gateway`);
      const atRest = await readAll(backend, m.key, {});
      t.false(atRest.includes(text.subarray(0, 40)), `${m.key}: MinIO holds no plaintext`);
      t.true(atRest.length >= text.length, `${m.key}: MinIO holds the whole ciphertext`);
    }
    const kms = await s3.send(new HeadObjectCommand({ Bucket: 'demo', Key: 'sse-kms.txt' }));
    t.regex(kms.SSEKMSKeyId ?? '', /demo-kms/);
    const wrongKey = await s3.send(new GetObjectCommand({ Bucket: 'demo', Key: 'sse-c.txt', SSECustomerAlgorithm: 'AES256', SSECustomerKey: randomBytes(32).toString('base64') })).catch((e: unknown) => e);
    t.true(wrongKey instanceof S3ServiceException && wrongKey.$metadata.httpStatusCode === 403, 'a wrong SSE-C key is refused');
  } finally {
    s3.destroy();
    backend.destroy();
  }
  // a second start on the data dir while the first runs is refused, and leaves the first's MinIO alone
  const minioBefore = processesIn(minioDir);
  const clash = serve(t, ['--data-dir', dataDir, '--workers', '1'], { ...env, S3SEAL_PORT: String(await freePort()) });
  t.is(await clash.exited, 1);
  t.regex(clash.output().err, /is in use by s3seal process \d+/);
  t.deepEqual(processesIn(minioDir), minioBefore);
  const certBefore = readFileSync(r1.ca_file, 'utf8');
  first.signal('SIGTERM');
  t.is(await first.exited, 0, 'SIGTERM: exit code 0');
  t.deepEqual(processesIn(minioDir), [], 'no MinIO left behind');

  // second start on the same data dir, one worker: same credentials and certificate, objects still read
  const second = serve(t, ['--data-dir', dataDir, '--workers', '1'], env);
  const r2 = parseReady(await second.line);
  for (const f of ['endpoint', 'access_key', 'secret_key', 'backend_access_key', 'backend_secret_key', 'data_dir', 'ca_file'] as const) t.is(r2[f], r1[f], `${f} reused`);
  t.is(readFileSync(r2.ca_file, 'utf8'), certBefore, 'certificate reused');
  const s3again = gatewayS3(r2);
  try {
    for (const m of modes) t.deepEqual(await readAll(s3again, m.key, m.get), text, `${m.key}: still reads after the restart`);
  } finally {
    s3again.destroy();
  }
  second.signal('SIGINT');
  t.is(await second.exited, 0, 'SIGINT: exit code 0');
  t.deepEqual(processesIn(minioDir), [], 'no MinIO left behind');

  // the secret file lost: a new secret under the same id, which the kept policy document names (review: a new id was printed, and refused)
  rmSync(join(dataDir, 'gateway-demo.secret'));
  const third = serve(t, ['--data-dir', dataDir, '--workers', '1'], env);
  const r3 = parseReady(await third.line);
  t.is(r3.access_key, r1.access_key, 'the same access key id');
  t.not(r3.secret_key, r1.secret_key, 'a new secret');
  const s3third = gatewayS3(r3);
  try {
    t.deepEqual(await readAll(s3third, 'sse-s3.txt', {}), text, 'the printed credentials work');
  } finally {
    s3third.destroy();
  }
  third.signal('SIGTERM');
  t.is(await third.exited, 0);
  t.deepEqual(processesIn(minioDir), [], 'no MinIO left behind');
});

test('s3seal serve --config FILE: the ready line names the endpoint only, no secret', async (t) => {
  const dir = tempDir('serve-explicit');
  const m = service('minio');
  const keyFile = join(dir, 'keys.json');
  await new FileKeystore({ path: keyFile, create: true }).createKey('s3-default');
  const policy = allowAllPolicy(dir);
  const uploadTokenRoot = randomBytes(32).toString('base64');
  const file = join(dir, 's3seal.json');
  writeFileSync(
    file,
    JSON.stringify({
      backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
      keystores: { file: { path: keyFile } },
      uploadTokenRoot,
      policy: { file: policy.file, watch: false },
      audit: { destination: 'off' },
      gateway: { host: '127.0.0.1', port: 0 },
    }),
  );
  const p = serve(t, ['--config', file, '--workers', '1'], {});
  t.regex(await p.line, /^s3seal ready endpoint=http:\/\/127\.0\.0\.1:\d+$/);
  const { out, err } = p.output();
  for (const secret of [policy.key.secretAccessKey, m.secretKey!, uploadTokenRoot]) t.false(out.includes(secret) || err.includes(secret), 'no secret printed');
  p.signal('SIGTERM');
  t.is(await p.exited, 0);
});

test('npm start runs the main command (s3seal serve on embedded defaults), the old demo is s3seal demo', (t) => {
  const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.regex(pkg.scripts['start'] ?? '', /node dist\/src\/cli\/main\.js serve$/);
});

test('s3seal serve killed outright (SIGKILL) leaves its MinIO running; the next start on the same data dir stops that one and serves the objects', async (t) => {
  const dataDir = tempDir('embedded-killed');
  const env = { S3SEAL_PORT: String(await freePort()), S3SEAL_DATA_DIR: '' };
  const minioDir = join(dataDir, 'minio');
  killLeftOvers(t, minioDir);
  const first = serve(t, ['--data-dir', dataDir, '--workers', '1'], env);
  const r1 = parseReady(await first.line);
  const s3 = gatewayS3(r1);
  await s3.send(new PutObjectCommand({ Bucket: 'demo', Key: 'k', Body: text }));
  s3.destroy();
  first.signal('SIGKILL');
  await first.exited;
  const orphans = processesIn(minioDir);
  t.is(orphans.length, 1, 'SIGKILL runs no handler: MinIO is still there');

  const second = serve(t, ['--data-dir', dataDir, '--workers', '1'], env);
  const r2 = parseReady(await second.line);
  t.false(processesIn(minioDir).includes(orphans[0]!), 'the left-over MinIO was stopped');
  t.is(processesIn(minioDir).length, 1);
  const s3again = gatewayS3(r2);
  try {
    t.deepEqual(await readAll(s3again, 'k', {}), text);
  } finally {
    s3again.destroy();
  }
  second.signal('SIGTERM');
  t.is(await second.exited, 0);
  t.deepEqual(processesIn(minioDir), []);
});
