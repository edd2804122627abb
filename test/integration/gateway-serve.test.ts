/**
 * The gateway's two ways to run: `s3seal serve --config FILE` as a real process (one ready line
 * with the endpoint and no secret; SIGTERM drains and exits 0), and createS3Handler mounted by an
 * existing Express app under a path prefix of its own. Real MinIO, real file keystore, real S3 clients.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { createS3Handler } from '../../src/adapters/gateway/create-s3-handler.js';
import { startGateway } from '../../src/adapters/gateway/start-gateway.js';
import { closeContainer, createContainer } from '../../src/index.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { allowAllPolicy, gatewayClient, selfSignedCertificate } from '../helpers/gateway-harness.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

async function setup(dir: string) {
  const m = service('minio');
  const keyFile = join(dir, 'keys.json');
  await new FileKeystore({ path: keyFile, create: true }).createKey('s3-default');
  const policy = allowAllPolicy(dir);
  return {
    key: policy.key,
    config: {
      backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
      keystores: { file: { path: keyFile } },
      defaultKmsKeystore: 'file' as const,
      uploadTokenRoot: randomBytes(32).toString('base64'),
      bucketEncryption: { reservedBucket: `s3seal-serve-${randomBytes(4).toString('hex')}` },
      policy: { file: policy.file, watch: false },
      audit: { destination: 'off' as const },
    },
  };
}

/** `s3seal serve` as a child process: resolves with the endpoint of its ready line */
function serve(t: ExecutionContext, args: string[]) {
  const child = spawn(process.execPath, [join(process.cwd(), 'dist/src/cli/main.js'), 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const endpoint = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^s3seal ready endpoint=(\S+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`s3seal serve exited ${String(code)}: ${err}`)));
  });
  return { child, endpoint, exited, output: () => ({ out, err }) };
}

test('s3seal serve --config FILE: prints one ready line with the https endpoint and no secret, serves SSE-C over its TLS, and drains and exits 0 on SIGTERM', async (t) => {
  const dir = tempDir('serve');
  const cert = selfSignedCertificate(dir);
  const { key, config } = await setup(dir);
  const file = join(dir, 's3seal.json');
  writeFileSync(file, JSON.stringify({ ...config, gateway: { host: '127.0.0.1', port: 0, tls: { certFile: cert.certFile, keyFile: cert.keyFile } } }));
  const { child, exited, output, ...p } = serve(t, ['--config', file, '--workers', '1']);
  const endpoint = await p.endpoint;
  const { out, err } = output();
  t.regex(endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
  for (const secret of [key.secretAccessKey, config.backend.secretAccessKey, config.uploadTokenRoot]) t.false(out.includes(secret) || err.includes(secret), 'no secret printed');
  const s3 = gatewayClient(endpoint, key, cert.ca);
  t.teardown(() => s3.destroy());
  const bucket = await freshBucket(service('minio'), 'serve');
  const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: randomBytes(32).toString('base64') };
  const body = randomBytes(100_000);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: body, ...ssec }));
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', ...ssec }));
  t.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
  s3.destroy();
  child.kill('SIGTERM');
  t.is(await exited, 0, 'a clean exit after SIGTERM');
});

test('createS3Handler mounted in Express under /s3: clients use http://host/s3 as their endpoint; the signature covers the full path; the app keeps its own routes', async (t) => {
  const dir = tempDir('express');
  const { key, config } = await setup(dir);
  const container = createContainer(config);
  const app = express();
  app.get('/health', (_req, res) => {
    res.send('app ok');
  });
  app.use('/s3', createS3Handler(container));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.teardown(async () => {
    await new Promise((r) => server.close(r));
    await closeContainer(container);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const s3 = gatewayClient(`${url}/s3`, key, undefined);
  t.teardown(() => s3.destroy());
  const bucket = await freshBucket(service('minio'), 'express');
  const body = randomBytes(300_000);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a b/mounted.bin', Body: body }));
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a b/mounted.bin' }));
  t.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
  const raw = s3Client(service('minio'));
  t.teardown(() => raw.destroy());
  const stored = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a b/mounted.bin' }));
  t.truthy(stored.Metadata?.['s3seal'], 'sealed at the object server under the same key');
  t.is(await (await fetch(`${url}/health`)).text(), 'app ok', "the app's own route");
  const wrong = gatewayClient(`${url}/s3`, { ...key, secretAccessKey: `${key.secretAccessKey}x` }, undefined, { maxAttempts: 1 });
  t.teardown(() => wrong.destroy());
  const err = await t.throwsAsync(wrong.send(new GetObjectCommand({ Bucket: bucket, Key: 'a b/mounted.bin' })), { instanceOf: S3ServiceException });
  t.is(err?.name, 'SignatureDoesNotMatch');
});

test('gateway /_s3seal/health answers without authentication; /_s3seal/metrics counts requests by operation and status, refusals by S3 code, body bytes, bucket-key cache lookups — and names no bucket, key or access key', async (t) => {
  const dir = tempDir('metrics');
  const { key, config } = await setup(dir);
  const gw = await startGateway({ config: { ...config, gateway: { host: '127.0.0.1', port: 0 } } });
  t.teardown(() => gw.close());
  const health = await fetch(`${gw.url}/_s3seal/health`);
  t.is(health.status, 200);
  t.deepEqual(await health.json(), { status: 'ok' });
  const s3 = gatewayClient(gw.url, key, undefined);
  const wrong = gatewayClient(gw.url, { ...key, secretAccessKey: `${key.secretAccessKey}x` }, undefined, { maxAttempts: 1 });
  t.teardown(() => {
    s3.destroy();
    wrong.destroy();
  });
  const bucket = await freshBucket(service('minio'), 'metrics');
  const body = randomBytes(123_456);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'secret-name.bin', Body: body }));
  await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'secret-name.bin' }))).Body!.transformToByteArray();
  await t.throwsAsync(wrong.send(new GetObjectCommand({ Bucket: bucket, Key: 'secret-name.bin' })));
  const res = await fetch(`${gw.url}/_s3seal/metrics`);
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /text\/plain/);
  const text = await res.text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  t.true(value(/s3seal_requests_total\{operation="PutObject",status="200"\} (\d+)/) >= 1, 'PutObject 200 counted');
  t.true(value(/s3seal_requests_total\{operation="GetObject",status="200"\} (\d+)/) >= 1, 'GetObject 200 counted');
  t.true(value(/s3seal_auth_failures_total\{code="SignatureDoesNotMatch"\} (\d+)/) >= 1, 'the refusal counted by code');
  t.true(value(/s3seal_request_body_bytes_total (\d+)/) >= body.length, 'bytes in');
  t.true(value(/s3seal_response_body_bytes_total (\d+)/) >= body.length, 'bytes out');
  t.regex(text, /s3seal_request_duration_seconds_bucket\{le="0.1",operation="PutObject"\}/);
  t.regex(text, /s3seal_bucket_key_cache_lookups\{side="encrypt",result="hit"\}/);
  for (const name of [bucket, 'secret-name', key.accessKeyId]) t.false(text.includes(name), `${name} not in the metrics`);
  t.is((await fetch(`${gw.url}/_s3seal/nothing`)).status, 404);
});

test('gateway /_s3seal/ready: 200 with backend and keystore reachable; 503 naming the backend when the object server does not answer (liveness stays 200)', async (t) => {
  const dir = tempDir('ready');
  const { config } = await setup(dir);
  const up = await startGateway({ config: { ...config, gateway: { host: '127.0.0.1', port: 0 } } });
  const down = await startGateway({ config: { ...config, backend: { ...config.backend, endpoint: 'http://127.0.0.1:9' }, gateway: { host: '127.0.0.1', port: 0 } } });
  t.teardown(async () => {
    await up.close();
    await down.close();
  });
  const ok = await fetch(`${up.url}/_s3seal/ready`);
  t.is(ok.status, 200);
  t.deepEqual(await ok.json(), { status: 'ready', checks: { backend: true, keystore: true } });
  const bad = await fetch(`${down.url}/_s3seal/ready`);
  t.is(bad.status, 503);
  t.deepEqual(await bad.json(), { status: 'not ready', checks: { backend: false, keystore: true } });
  t.is((await fetch(`${down.url}/_s3seal/health`)).status, 200);
});

test('s3seal serve --workers 2: two worker processes share one port behind one ready line; objects written over one connection read back over the next; SIGTERM stops them all with exit 0', async (t) => {
  const dir = tempDir('workers');
  const { key, config } = await setup(dir);
  const file = join(dir, 's3seal.yaml');
  writeFileSync(file, JSON.stringify({ ...config, gateway: { host: '127.0.0.1', port: 0 } }));
  const { child, exited, output, endpoint } = serve(t, ['--config', file, '--workers', '2']);
  const url = await endpoint;
  t.is((output().out.match(/s3seal ready/g) ?? []).length, 1, 'one ready line');
  const workers = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)]).toString().trim().split(/\s+/).filter((x) => x !== '');
  t.is(workers.length, 2, 'two worker processes');
  const bucket = await freshBucket(service('minio'), 'workers');
  // a new connection each time: the primary hands connections to the workers in turn, so each
  // object is read back over another connection than the one that wrote it
  const bodies: Buffer[] = [];
  for (let i = 0; i < 6; i++) {
    const s3 = gatewayClient(url, key, undefined);
    bodies.push(randomBytes(50_000));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `k${i}`, Body: bodies[i] }));
    const back = Math.max(0, i - 1);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `k${back}` }));
    t.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), bodies[back]);
    s3.destroy();
  }
  child.kill('SIGTERM');
  t.is(await exited, 0);
  for (const pid of workers) t.throws(() => process.kill(Number(pid), 0), undefined, `worker ${pid} is gone`);
});
