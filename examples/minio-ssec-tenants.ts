/**
 * Example: a multi-tenant service on the `minio` npm client gets SSE-C with a customer key per
 * tenant — its minio-js calls unchanged, the client built by `createSealedMinioClient` instead of
 * `new Client(...)`. Each tenant's objects are sealed under that tenant's own 32-byte key (which
 * s3seal never stores); tenant B's key cannot open tenant A's object (AccessDenied), and MinIO holds
 * ciphertext only.
 *
 *   npm run build && node dist/examples/minio-ssec-tenants.js <endpoint> <accessKey> <secretKey> <bucket> <keyFile>
 *
 * The test suite runs `main` against a real MinIO (test/integration/example-minio-ssec.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Client, S3Error } from 'minio';
import { createSealedMinioClient, FileKeystore, sseCustomerKeyHeaders, sseCustomerKeyTriple } from '../src/index.js';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let s = '';
  for await (const c of stream) s += String(c);
  return s;
}

export async function main(endpoint: string, accessKey: string, secretKey: string, bucket: string, keyFile: string, print: (line: string) => void = console.log): Promise<string[]> {
  // the managed SSE-S3 key in a file keystore (SSE-C needs none: the tenants bring their keys)
  const keystore = new FileKeystore({ path: keyFile, create: true });
  if (!(await keystore.describeKey('s3-default').catch(() => undefined))) await keystore.createKey('s3-default');

  // was: new Client({ endPoint, port, useSSL, accessKey, secretKey }) — the calls below stay as they were
  const minio = createSealedMinioClient({
    backend: { endpoint, accessKeyId: accessKey, secretAccessKey: secretKey },
    keystores: { file: { path: keyFile } },
    uploadTokenRoot: randomBytes(32).toString('base64'),
  });
  // each tenant's customer key: 32 random bytes the service keeps (a real service: in its own secret store)
  const tenantKey = { a: randomBytes(32), b: randomBytes(32) };
  const lines: string[] = [];
  const say = (line: string): void => {
    lines.push(line);
    print(line);
  };
  try {
    // tenant A writes with its key, as minio-js users send SSE-C: the headers as metadata
    await minio.putObject(bucket, 'tenant-a/report.txt', 'tenant A: revenue up', undefined, { 'Content-Type': 'text/plain', ...sseCustomerKeyHeaders(tenantKey.a) });
    await minio.putObject(bucket, 'tenant-b/report.txt', 'tenant B: costs down', undefined, sseCustomerKeyHeaders(tenantKey.b));

    // tenant A reads its object with its key (getObject's SSE-C options)
    say(`tenant A reads: ${await text(await minio.getObject(bucket, 'tenant-a/report.txt', sseCustomerKeyTriple(tenantKey.a)))}`);
    // tenant B's key does not open tenant A's object
    const denied = await minio.getObject(bucket, 'tenant-a/report.txt', sseCustomerKeyTriple(tenantKey.b)).then(
      () => 'no error',
      (err: unknown) => (err instanceof S3Error ? String((err as S3Error & { code?: string }).code) : String(err)),
    );
    say(`tenant B reads tenant A's object: ${denied}`);
    // the listing shows plaintext sizes without any key
    for await (const item of minio.listObjectsV2(bucket, '', true) as AsyncIterable<{ name?: string; size: number }>) say(`listed ${item.name ?? '?'}: ${item.size} bytes`);

    // MinIO itself (its own credentials, no s3seal): ciphertext, the plaintext nowhere in it
    const url = new URL(endpoint);
    const raw = new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: url.protocol === 'https:', accessKey, secretKey, region: 'us-east-1' });
    const stored = await text(await raw.getObject(bucket, 'tenant-a/report.txt'));
    say(`stored ciphertext: ${stored.includes('revenue') ? 'no' : 'yes'}`);
    return lines;
  } finally {
    await minio.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [endpoint, accessKey, secretKey, bucket, keyFile] = process.argv.slice(2);
  if (!endpoint || !accessKey || !secretKey || !bucket || !keyFile) {
    console.error('usage: node dist/examples/minio-ssec-tenants.js <endpoint> <accessKey> <secretKey> <bucket> <keyFile>');
    process.exit(2);
  }
  main(endpoint, accessKey, secretKey, bucket, keyFile).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
