/**
 * ISSUE10 "Real clients": the gateway (`startGateway`, HTTPS with a self-signed certificate the
 * clients trust through AWS_CA_BUNDLE / `verify=` / an https Agent) over the harness's MinIO with the
 * file keystore, access keys from a policy document — driven by three real, unmodified clients:
 * @aws-sdk/client-s3 (+ lib-storage, s3-request-presigner), boto3 and the aws cli v1 (both pinned,
 * from PyPI, run from the tool cache: test/helpers/python-clients.ts). Every object read back is
 * compared byte for byte with what was written, and MinIO (a raw client with MinIO's own
 * credentials) is asked what it holds: an s3seal envelope, never a run of the plaintext.
 */
import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { startGateway, type RunningGateway } from '../../src/adapters/gateway/start-gateway.js';
import type { S3SealConfigInput } from '../../src/container/config.js';
import { createSealedS3Client, type SealedS3Client } from '../../src/index.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { PYTHON_CLIENT_PINS, pythonClientsDir } from '../../scripts/harness/tools.js';
import { gatewayClient, selfSignedCertificate, type TestAccessKey, type TestCertificate } from '../helpers/gateway-harness.js';
import { aws, awsOk, python, type PythonClientEnv } from '../helpers/python-clients.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

const MiB = 1024 * 1024;
const boto3Script = join(process.cwd(), 'test', 'fixtures', 'boto3-gateway-client.py');

interface World {
  dir: string;
  cert: TestCertificate;
  key: TestAccessKey;
  kmsKey: string;
  config: S3SealConfigInput;
  gateway: RunningGateway;
  /** an @aws-sdk/client-s3 client of the gateway */
  sdk: S3Client;
  /** createSealedS3Client on the gateway's configuration, acting for the gateway key's principal */
  sealed: SealedS3Client;
  /** MinIO itself, with MinIO's root credentials: what the object server holds */
  raw: S3Client;
  py: PythonClientEnv;
  buckets: { sdk: string; boto3: string; cli: string; defaults: string; deny: string; cross: string };
}

let world: World | undefined;
const w = (): World => {
  if (world === undefined) throw new Error('the gateway was not set up');
  return world;
};

/**
 * The policy document: principal `tester` with one access key may do every S3 action and use every
 * key — except that PUTs into the `deny` bucket that name no encryption at all (neither
 * x-amz-server-side-encryption nor SSE-C's algorithm) are denied, S3's classic bucket policy.
 */
function writePolicy(dir: string, denyBucket: string): { file: string; key: TestAccessKey } {
  const key = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
  writeFileSync(join(dir, 'tester.secret'), `${key.secretAccessKey}\n`, { mode: 0o600 });
  const file = join(dir, 'policy.yaml');
  writeFileSync(
    file,
    `version: 1
principals:
  tester:
    accessKeys:
      - { id: ${key.accessKeyId}, secretFile: tester.secret }
statements:
  - effect: Allow
    principals: "*"
    actions: "s3:*"
    resources: "*"
  - sid: DenyUnencryptedPuts
    effect: Deny
    principals: "*"
    actions: s3:PutObject
    resources: ["${denyBucket}/*"]
    condition:
      "Null":
        s3:x-amz-server-side-encryption: true
        s3:x-amz-server-side-encryption-customer-algorithm: true
keys:
  - principals: "*"
    key: "*"
    permissions: [encrypt, decrypt, rewrap, admin]
`,
  );
  return { file, key };
}

test.before(async () => {
  const m = service('minio');
  const dir = tempDir('real-clients');
  const cert = selfSignedCertificate(dir);
  const keyFile = join(dir, 'keys.json');
  const ks = new FileKeystore({ path: keyFile, create: true });
  await ks.createKey('s3-default');
  const kms = await ks.createKey(`app-${randomBytes(3).toString('hex')}`);
  const names = ['sdk', 'boto3', 'cli', 'defaults', 'deny', 'cross'] as const;
  const made = await Promise.all(names.map((n) => freshBucket(m, `rc-${n}`)));
  const buckets = Object.fromEntries(names.map((n, i) => [n, made[i]!])) as World['buckets'];
  const policy = writePolicy(dir, buckets.deny);
  const config: S3SealConfigInput = {
    backend: { endpoint: m.endpoint, region: m.region ?? 'us-east-1', accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    keystores: { file: { path: keyFile } },
    defaultKmsKeystore: 'file',
    readKeys: [kms.keyId],
    uploadTokenRoot: randomBytes(32).toString('base64'),
    bucketEncryption: { reservedBucket: `s3seal-rc-${randomBytes(4).toString('hex')}` },
    policy: { file: policy.file, watch: false },
    audit: { destination: 'off' },
    gateway: { host: '127.0.0.1', port: 0, tls: { certFile: cert.certFile, keyFile: cert.keyFile } },
  };
  const gateway = await startGateway({ config });
  world = {
    dir,
    cert,
    key: policy.key,
    kmsKey: kms.keyId,
    config,
    gateway,
    sdk: gatewayClient(gateway.url, policy.key, cert.ca),
    sealed: createSealedS3Client(config, { s3seal: { principal: 'tester' } }),
    raw: s3Client(m),
    py: { ...policy.key, caBundle: cert.certFile },
    buckets,
  };
});

test.after.always(async () => {
  if (world === undefined) return;
  world.sdk.destroy();
  world.raw.destroy();
  await world.sealed.close();
  await world.gateway.close();
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** asserts equal bytes without printing megabytes on a mismatch */
function sameBytes(t: ExecutionContext, got: Buffer, want: Buffer, what: string): void {
  t.is(got.length, want.length, `${what}: length`);
  t.is(sha(got), sha(want), `${what}: bytes`);
}

async function readBody(body: unknown): Promise<Buffer> {
  return Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

/**
 * What MinIO holds under bucket/key: an s3seal envelope (its metadata) whose stored bytes contain
 * no 32-byte window of the plaintext at the start, the middle or the end.
 */
async function sealedAtRest(t: ExecutionContext, bucket: string, key: string, plain: Buffer): Promise<void> {
  const got = await w().raw.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  t.truthy(got.Metadata?.['s3seal'], `${key}: MinIO holds an s3seal envelope`);
  const stored = await readBody(got.Body);
  t.true(stored.length > plain.length, `${key}: the stored object carries the envelope's overhead`);
  for (const at of [0, Math.floor(plain.length / 2), Math.max(0, plain.length - 32)]) {
    const window = plain.subarray(at, at + 32);
    if (window.length === 32) t.is(stored.indexOf(window), -1, `${key}: no plaintext at rest (offset ${at})`);
  }
}

async function nothingAtRest(t: ExecutionContext, bucket: string, key: string): Promise<void> {
  const err = await t.throwsAsync(w().raw.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
  t.is((err as S3ServiceException | undefined)?.name, 'NotFound', `${key}: nothing stored`);
}

/** one https request trusting the gateway's certificate (presigned URLs: no signing by the caller) */
function httpsCall(url: string, method: 'GET' | 'PUT', body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca: w().cert.ca, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the aws cli and boto3 are the pinned PyPI releases, run from the tool cache with none of the machine\'s Python packages', async (t) => {
  const v = await aws(['--version'], w().py);
  t.is(v.code, 0, v.stderr);
  const version = v.stdout + v.stderr;
  const pin = PYTHON_CLIENT_PINS.find((p) => p.startsWith('awscli=='))!.slice('awscli=='.length);
  t.regex(version, new RegExp(`^aws-cli/${pin.replaceAll('.', '\\.')} `), 'aws --version names the pinned awscli');
  const r = await python('-c', ['import boto3, botocore, awscli; print(boto3.__version__, botocore.__version__, boto3.__file__, awscli.__file__)'], w().py);
  t.is(r.code, 0, r.stderr);
  const [boto3, botocore, boto3File, awscliFile] = r.stdout.trim().split(' ');
  t.is(`boto3==${boto3}`, PYTHON_CLIENT_PINS.find((p) => p.startsWith('boto3==')) ?? 'no boto3 pin');
  t.is(`botocore==${botocore}`, PYTHON_CLIENT_PINS.find((p) => p.startsWith('botocore==')) ?? 'no botocore pin');
  t.true(boto3File!.startsWith(pythonClientsDir()) && awscliFile!.startsWith(pythonClientsDir()), 'imported from the tool cache');
});

test('@aws-sdk/client-s3 through the gateway: SSE-C, SSE-S3 and SSE-KMS PUT/GET, ranged GET, lib-storage multipart, copy, presigned GET and PUT — exact bytes back, ciphertext at MinIO', async (t) => {
  const { sdk, buckets, kmsKey } = w();
  const b = buckets.sdk;
  const body = randomBytes(300_001);
  const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: randomBytes(32).toString('base64') };
  const put = await sdk.send(new PutObjectCommand({ Bucket: b, Key: 'sdk/sse-c', Body: body, ...ssec }));
  t.is(put.SSECustomerAlgorithm, 'AES256');
  sameBytes(t, await readBody((await sdk.send(new GetObjectCommand({ Bucket: b, Key: 'sdk/sse-c', ...ssec }))).Body), body, 'SSE-C');
  const noKey = await t.throwsAsync(sdk.send(new GetObjectCommand({ Bucket: b, Key: 'sdk/sse-c' })), { instanceOf: S3ServiceException });
  t.is(noKey?.$metadata.httpStatusCode, 400, 'an SSE-C object without its key');

  const s3put = await sdk.send(new PutObjectCommand({ Bucket: b, Key: 'sdk/sse-s3', Body: body, ServerSideEncryption: 'AES256' }));
  t.is(s3put.ServerSideEncryption, 'AES256');
  sameBytes(t, await readBody((await sdk.send(new GetObjectCommand({ Bucket: b, Key: 'sdk/sse-s3' }))).Body), body, 'SSE-S3');

  const kmsPut = await sdk.send(new PutObjectCommand({ Bucket: b, Key: 'sdk/sse-kms', Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey }));
  t.is(kmsPut.ServerSideEncryption, 'aws:kms');
  t.is(kmsPut.SSEKMSKeyId, kmsKey);
  const ranged = await sdk.send(new GetObjectCommand({ Bucket: b, Key: 'sdk/sse-kms', Range: 'bytes=65530-131100' }));
  t.is(ranged.ContentRange, `bytes 65530-131100/${body.length}`);
  sameBytes(t, await readBody(ranged.Body), body.subarray(65530, 131101), 'ranged GET');

  const big = randomBytes(17 * MiB + 3);
  await new Upload({ client: sdk, params: { Bucket: b, Key: 'sdk/multipart', Body: big, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey }, partSize: 5 * MiB, queueSize: 2 }).done();
  const mp = await sdk.send(new GetObjectCommand({ Bucket: b, Key: 'sdk/multipart' }));
  t.regex(mp.ETag ?? '', /-4"$/, 'a 4-part multipart ETag');
  sameBytes(t, await readBody(mp.Body), big, 'lib-storage multipart');

  await sdk.send(new CopyObjectCommand({ Bucket: b, Key: 'sdk/copy', CopySource: `${b}/sdk/sse-c`, CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: ssec.SSECustomerKey, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey }));
  const copied = await sdk.send(new GetObjectCommand({ Bucket: b, Key: 'sdk/copy' }));
  t.is(copied.ServerSideEncryption, 'aws:kms');
  sameBytes(t, await readBody(copied.Body), body, 'copy SSE-C → SSE-KMS');

  // the presigner signs a CRC32 of an empty body into a PutObject URL unless checksums are WHEN_REQUIRED (docs/GATEWAY.md)
  const signer = gatewayClient(w().gateway.url, w().key, w().cert.ca, { requestChecksumCalculation: 'WHEN_REQUIRED' });
  t.teardown(() => signer.destroy());
  const getUrl = await getSignedUrl(signer, new GetObjectCommand({ Bucket: b, Key: 'sdk/sse-s3' }), { expiresIn: 300 });
  const pg = await httpsCall(getUrl, 'GET');
  t.is(pg.status, 200);
  sameBytes(t, pg.body, body, 'presigned GET');
  const putUrl = await getSignedUrl(signer, new PutObjectCommand({ Bucket: b, Key: 'sdk/presigned-put', ServerSideEncryption: 'AES256' }), { expiresIn: 300 });
  // the presigner leaves x-amz-server-side-encryption a signed header (X-Amz-SignedHeaders): the uploader sends it
  t.regex(new URL(putUrl).searchParams.get('X-Amz-SignedHeaders') ?? '', /x-amz-server-side-encryption/);
  const pp = await httpsCall(putUrl, 'PUT', body, { 'x-amz-server-side-encryption': 'AES256' });
  t.is(pp.status, 200, pp.body.toString());
  t.is(pp.headers['x-amz-server-side-encryption'], 'AES256');
  sameBytes(t, await readBody((await sdk.send(new GetObjectCommand({ Bucket: b, Key: 'sdk/presigned-put' }))).Body), body, 'presigned PUT');

  for (const key of ['sdk/sse-c', 'sdk/sse-s3', 'sdk/sse-kms', 'sdk/copy', 'sdk/presigned-put']) await sealedAtRest(t, b, key, body);
  await sealedAtRest(t, b, 'sdk/multipart', big);
});

test('boto3 through the gateway (verify= the CA): SSE-S3, SSE-KMS and SSE-C PUT/GET, ranged GET, its own multipart upload and download, copy, generate_presigned_url GET and PUT — exact bytes back, ciphertext at MinIO', async (t) => {
  const { dir, buckets, kmsKey, gateway } = w();
  const work = join(dir, 'boto3');
  mkdirSync(work);
  const small = randomBytes(200_003);
  const multipart = randomBytes(12 * MiB + 7);
  writeFileSync(join(work, 'small.bin'), small);
  writeFileSync(join(work, 'multipart.bin'), multipart);
  const r = await python(boto3Script, [gateway.url, buckets.boto3, work, kmsKey], w().py, 180_000);
  t.is(r.code, 0, r.stderr);
  const said = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
  t.deepEqual(said['sse-s3'], { put: 'AES256', get: 'AES256' });
  t.deepEqual(said['sse-kms'], { put: 'aws:kms', putKey: kmsKey, get: 'aws:kms', getKey: kmsKey });
  t.deepEqual(said['sse-c'], { put: 'AES256', get: 'AES256', without: 'InvalidRequest', wrongKey: 'AccessDenied' });
  t.deepEqual(said['range'], { status: 206, contentRange: `bytes 1000-70999/${small.length}` });
  t.regex(String(said['multipart']?.['etag']), /-3"$/, 'a 3-part upload by s3transfer');
  t.is(said['multipart']?.['sse'], 'aws:kms');
  t.deepEqual(said['copy'], { get: 'AES256' });
  t.deepEqual(said['presigned-put'], { status: 200, sse: 'AES256' });
  const out = (name: string): Buffer => readFileSync(join(work, `out-${name}.bin`));
  for (const name of ['sse-s3', 'sse-kms', 'sse-c', 'copy', 'presigned-get', 'presigned-put']) sameBytes(t, out(name), small, `boto3 ${name}`);
  sameBytes(t, out('range'), small.subarray(1000, 71000), 'boto3 ranged GET');
  sameBytes(t, out('multipart'), multipart, 'boto3 multipart');
  for (const key of ['boto3/sse-s3', 'boto3/sse-kms', 'boto3/sse-c', 'boto3/copy', 'boto3/presigned-put']) await sealedAtRest(t, buckets.boto3, key, small);
  await sealedAtRest(t, buckets.boto3, 'boto3/multipart', multipart);
});

test('the aws cli through the gateway (AWS_CA_BUNDLE): its own multipart upload and parallel ranged download of an 80 MiB file with --sse aws:kms, --sse AES256, --sse-c with fileb://, s3api ranged get-object, server-side copy, aws s3 presign — exact bytes back, ciphertext at MinIO', async (t) => {
  const { dir, buckets, kmsKey, gateway, py } = w();
  const b = buckets.cli;
  const ep = ['--endpoint-url', gateway.url];
  const file = (name: string, data?: Buffer): string => {
    const p = join(dir, `cli-${name}`);
    if (data) writeFileSync(p, data);
    return p;
  };
  const big = randomBytes(80 * MiB);
  const small = randomBytes(1 * MiB + 11);
  const ssecKey = file('ssec.key', randomBytes(32));
  const ssec = ['--sse-c', 'AES256', '--sse-c-key', `fileb://${ssecKey}`];

  // 80 MiB: above the cli's 8 MiB multipart threshold, so 10 parts of 8 MiB; the download is ranged GETs in parallel
  await awsOk(['s3', 'cp', file('big', big), `s3://${b}/cli/big`, '--sse', 'aws:kms', '--sse-kms-key-id', kmsKey, ...ep], py, 240_000);
  const head = JSON.parse(await awsOk(['s3api', 'head-object', '--bucket', b, '--key', 'cli/big', ...ep], py)) as { ETag: string; ServerSideEncryption: string; SSEKMSKeyId: string; ContentLength: number };
  t.regex(head.ETag, /-10"$/, 'the cli uploaded 10 parts');
  t.is(head.ServerSideEncryption, 'aws:kms');
  t.is(head.SSEKMSKeyId, kmsKey);
  t.is(head.ContentLength, big.length);
  await awsOk(['s3', 'cp', `s3://${b}/cli/big`, file('big.out'), ...ep], py, 240_000);
  sameBytes(t, readFileSync(file('big.out')), big, 'cli 80 MiB multipart');

  // SSE-C, 20 MiB (multipart too), and a small SSE-S3 object
  const mid = randomBytes(20 * MiB + 5);
  await awsOk(['s3', 'cp', file('mid', mid), `s3://${b}/cli/sse-c`, ...ssec, ...ep], py, 120_000);
  await awsOk(['s3', 'cp', `s3://${b}/cli/sse-c`, file('mid.out'), ...ssec, ...ep], py, 120_000);
  sameBytes(t, readFileSync(file('mid.out')), mid, 'cli SSE-C multipart');
  const withoutKey = await aws(['s3api', 'get-object', '--bucket', b, '--key', 'cli/sse-c', file('nokey.out'), ...ep], py);
  t.not(withoutKey.code, 0, 'an SSE-C object without its key');
  t.regex(withoutKey.stderr, /InvalidRequest|Bad Request|400/);

  await awsOk(['s3', 'cp', file('small', small), `s3://${b}/cli/sse-s3`, '--sse', 'AES256', ...ep], py);
  await awsOk(['s3', 'cp', `s3://${b}/cli/sse-s3`, file('small.out'), ...ep], py);
  sameBytes(t, readFileSync(file('small.out')), small, 'cli SSE-S3');

  const got = JSON.parse(await awsOk(['s3api', 'get-object', '--bucket', b, '--key', 'cli/sse-s3', '--range', 'bytes=70000-140000', file('range.out'), ...ep], py)) as { ContentRange: string; ServerSideEncryption: string };
  t.is(got.ContentRange, `bytes 70000-140000/${small.length}`);
  t.is(got.ServerSideEncryption, 'AES256');
  sameBytes(t, readFileSync(file('range.out')), small.subarray(70000, 140001), 'cli ranged get-object');

  await awsOk(['s3', 'cp', `s3://${b}/cli/sse-s3`, `s3://${b}/cli/copy`, '--sse', 'aws:kms', '--sse-kms-key-id', kmsKey, ...ep], py);
  const copyHead = JSON.parse(await awsOk(['s3api', 'head-object', '--bucket', b, '--key', 'cli/copy', ...ep], py)) as { ServerSideEncryption: string; SSEKMSKeyId: string };
  t.deepEqual([copyHead.ServerSideEncryption, copyHead.SSEKMSKeyId], ['aws:kms', kmsKey], 'the copy is under the KMS key');
  await awsOk(['s3', 'cp', `s3://${b}/cli/copy`, file('copy.out'), ...ep], py);
  sameBytes(t, readFileSync(file('copy.out')), small, 'cli copy');

  const url = (await awsOk(['s3', 'presign', `s3://${b}/cli/sse-s3`, '--expires-in', '300', ...ep], py)).trim();
  t.regex(url, /X-Amz-Signature=/);
  const presigned = await httpsCall(url, 'GET');
  t.is(presigned.status, 200);
  sameBytes(t, presigned.body, small, 'aws s3 presign GET');

  await sealedAtRest(t, b, 'cli/big', big);
  await sealedAtRest(t, b, 'cli/sse-c', mid);
  for (const key of ['cli/sse-s3', 'cli/copy']) await sealedAtRest(t, b, key, small);
});

test('a bucket default encryption set with aws s3api put-bucket-encryption (SSE-KMS with a key) encrypts what the cli, boto3 and the SDK PUT without naming SSE; get-bucket-encryption reads it back', async (t) => {
  const { buckets, kmsKey, gateway, py, sdk, dir } = w();
  const b = buckets.defaults;
  const ep = ['--endpoint-url', gateway.url];
  const rules = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKey } }] };
  await awsOk(['s3api', 'put-bucket-encryption', '--bucket', b, '--server-side-encryption-configuration', JSON.stringify(rules), ...ep], py);
  const back = JSON.parse(await awsOk(['s3api', 'get-bucket-encryption', '--bucket', b, ...ep], py)) as { ServerSideEncryptionConfiguration: typeof rules };
  t.deepEqual(back.ServerSideEncryptionConfiguration.Rules[0]?.ApplyServerSideEncryptionByDefault, rules.Rules[0]!.ApplyServerSideEncryptionByDefault);
  const body = randomBytes(150_000);
  const src = join(dir, 'defaults.bin');
  writeFileSync(src, body);
  await awsOk(['s3', 'cp', src, `s3://${b}/cli`, ...ep], py);
  const boto = await python('-c', ['import boto3,sys; s3=boto3.client("s3", endpoint_url=sys.argv[1]); s3.put_object(Bucket=sys.argv[2], Key="boto3", Body=open(sys.argv[3],"rb").read())', gateway.url, b, src], py);
  t.is(boto.code, 0, boto.stderr);
  await sdk.send(new PutObjectCommand({ Bucket: b, Key: 'sdk', Body: body }));
  for (const key of ['cli', 'boto3', 'sdk']) {
    const got = await sdk.send(new GetObjectCommand({ Bucket: b, Key: key }));
    t.is(got.ServerSideEncryption, 'aws:kms', `${key}: under the bucket default`);
    t.is(got.SSEKMSKeyId, kmsKey, `${key}: the default's key`);
    sameBytes(t, await readBody(got.Body), body, key);
    await sealedAtRest(t, b, key, body);
  }
});

test('a policy Deny with a Null condition on s3:x-amz-server-side-encryption refuses unencrypted PUTs from the cli, boto3 and the SDK (AccessDenied, nothing stored) and lets --sse AES256, --sse aws:kms and SSE-C PUTs through', async (t) => {
  const { buckets, kmsKey, gateway, py, sdk, dir } = w();
  const b = buckets.deny;
  const ep = ['--endpoint-url', gateway.url];
  const body = randomBytes(70_000);
  const src = join(dir, 'deny.bin');
  writeFileSync(src, body);
  const cli = await aws(['s3', 'cp', src, `s3://${b}/cli-plain`, ...ep], py);
  t.not(cli.code, 0);
  t.regex(cli.stderr, /AccessDenied/);
  const boto = await python('-c', ['import boto3,sys\nfrom botocore.exceptions import ClientError\ns3=boto3.client("s3", endpoint_url=sys.argv[1])\ntry:\n  s3.put_object(Bucket=sys.argv[2], Key="boto3-plain", Body=b"x")\n  print("stored")\nexcept ClientError as e:\n  print(e.response["Error"]["Code"])', gateway.url, b], py);
  t.is(boto.stdout.trim(), 'AccessDenied', boto.stderr);
  const err = await t.throwsAsync(sdk.send(new PutObjectCommand({ Bucket: b, Key: 'sdk-plain', Body: body })), { instanceOf: S3ServiceException });
  t.is(err?.name, 'AccessDenied');
  // a multipart upload naming no encryption is refused at its start (9 MiB: above the cli's threshold)
  const nine = join(dir, 'deny-9mib.bin');
  writeFileSync(nine, randomBytes(9 * MiB));
  const mp = await aws(['s3', 'cp', nine, `s3://${b}/cli-plain-multipart`, ...ep], py, 120_000);
  t.regex(mp.stderr, /AccessDenied/);
  for (const key of ['cli-plain', 'boto3-plain', 'sdk-plain', 'cli-plain-multipart']) await nothingAtRest(t, b, key);

  const ssecKey = join(dir, 'deny-ssec.key');
  writeFileSync(ssecKey, randomBytes(32));
  await awsOk(['s3', 'cp', src, `s3://${b}/sse-s3`, '--sse', 'AES256', ...ep], py);
  await awsOk(['s3', 'cp', src, `s3://${b}/sse-kms`, '--sse', 'aws:kms', '--sse-kms-key-id', kmsKey, ...ep], py);
  await awsOk(['s3', 'cp', src, `s3://${b}/sse-c`, '--sse-c', 'AES256', '--sse-c-key', `fileb://${ssecKey}`, ...ep], py);
  await sdk.send(new PutObjectCommand({ Bucket: b, Key: 'sdk-sse-s3', Body: body, ServerSideEncryption: 'AES256' }));
  for (const key of ['sse-s3', 'sse-kms', 'sdk-sse-s3']) sameBytes(t, await readBody((await sdk.send(new GetObjectCommand({ Bucket: b, Key: key }))).Body), body, key);
  for (const key of ['sse-s3', 'sse-kms', 'sse-c', 'sdk-sse-s3']) await sealedAtRest(t, b, key, body);
});

test('objects written through the gateway read back identically through createSealedS3Client on the same configuration, and objects written by it read back identically through the gateway (SSE-S3, SSE-KMS, SSE-C, multipart)', async (t) => {
  const { buckets, kmsKey, sdk, sealed } = w();
  const b = buckets.cross;
  const body = randomBytes(333_333);
  const big = randomBytes(11 * MiB);
  const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: randomBytes(32).toString('base64') };
  const modes = { 'sse-s3': { ServerSideEncryption: 'AES256' as const }, 'sse-kms': { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKey }, 'sse-c': ssec };
  for (const [writer, reader, from] of [[sdk, sealed, 'gateway'], [sealed, sdk, 'plugin']] as const) {
    for (const [mode, sse] of Object.entries(modes)) {
      await writer.send(new PutObjectCommand({ Bucket: b, Key: `${from}/${mode}`, Body: body, ...sse }));
      const got = await reader.send(new GetObjectCommand({ Bucket: b, Key: `${from}/${mode}`, ...(mode === 'sse-c' ? ssec : {}) }));
      sameBytes(t, await readBody(got.Body), body, `${from} → other door, ${mode}`);
      await sealedAtRest(t, b, `${from}/${mode}`, body);
    }
    await new Upload({ client: writer, params: { Bucket: b, Key: `${from}/multipart`, Body: big, ...ssec }, partSize: 5 * MiB, queueSize: 2 }).done();
    const ranged = await reader.send(new GetObjectCommand({ Bucket: b, Key: `${from}/multipart`, Range: `bytes=${5 * MiB - 10}-${5 * MiB + 9}`, ...ssec }));
    sameBytes(t, await readBody(ranged.Body), big.subarray(5 * MiB - 10, 5 * MiB + 10), `${from} multipart, a range across the part boundary`);
    sameBytes(t, await readBody((await reader.send(new GetObjectCommand({ Bucket: b, Key: `${from}/multipart`, ...ssec }))).Body), big, `${from} multipart`);
    await sealedAtRest(t, b, `${from}/multipart`, big);
  }
});
