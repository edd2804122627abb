/**
 * Example: an existing Express upload/download service gets SSE-KMS on MinIO by ONE added line.
 *
 * `createUploadService` is the service as it was written for Amazon S3: it streams `PUT /files/:name`
 * into the bucket with `@aws-sdk/lib-storage`'s Upload (SSE-KMS under a named key, as on AWS) and
 * streams `GET /files/:name` back, passing a `Range` header through. `main` adds s3seal to its
 * S3Client with one line (marked below), then exercises it over real HTTP and shows what MinIO holds.
 *
 * Run it against a MinIO (`npm run services -- up minio` prints an endpoint and credentials; the
 * bucket must exist):
 *
 *   npm run build
 *   node dist/examples/express-upload-service.js <endpoint> <accessKey> <secretKey> <bucket> <keyFile>
 *
 * It prints one line per check (`stored ciphertext: yes`, `download matches: yes`, …) and stops.
 * The key file (a file keystore, 0600) is created if missing. The test suite runs `main` against a
 * real MinIO (test/integration/examples.test.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import express, { type Express } from 'express';
import { closeContainer, createContainer, FileKeystore, getS3SealPlugin } from '../src/index.js';

/** the KMS key the service encrypts uploads under (a file-keystore key here; `alias/uploads` on AWS KMS works the same) */
const UPLOAD_KEY = 'file:uploads';

/** The existing service: nothing in it knows about s3seal. */
export function createUploadService(s3: S3Client, bucket: string): Express {
  const app = express();

  app.put('/files/:name', async (req, res) => {
    // the request body is streamed: Upload sends it as one PutObject or, past 5 MiB, in parts
    const upload = new Upload({
      client: s3,
      params: { Bucket: bucket, Key: req.params.name, Body: req, ContentType: req.get('content-type') ?? 'application/octet-stream', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: UPLOAD_KEY },
    });
    const done = await upload.done();
    res.status(201).json({ key: done.Key, etag: done.ETag });
  });

  app.get('/files/:name', async (req, res) => {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: req.params.name, Range: req.get('range') }));
    res.status(got.ContentRange !== undefined ? 206 : 200);
    res.set('Accept-Ranges', 'bytes');
    if (got.ContentLength !== undefined) res.set('Content-Length', String(got.ContentLength));
    if (got.ContentRange !== undefined) res.set('Content-Range', got.ContentRange);
    if (got.ContentType !== undefined) res.set('Content-Type', got.ContentType);
    if (got.ETag !== undefined) res.set('ETag', got.ETag);
    if (!(got.Body instanceof Readable)) throw new Error('expected a Node.js stream body');
    await pipeline(got.Body, res);
  });

  // S3 errors keep their status (NoSuchKey 404, InvalidRange 416, AccessDenied 403…); Express 5
  // routes a rejected async handler here
  app.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof S3ServiceException) res.status(err.$metadata.httpStatusCode ?? 500).json({ error: err.name });
    else res.status(500).json({ error: 'InternalError' });
  });
  return app;
}

function listen(app: Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}

/** What `main` saw: the printed lines, and the facts behind them. */
export interface UploadServiceResult {
  lines: string[];
  /** the SSE-KMS echo of a HEAD through the service's client: `aws:kms` and the key the object is stored under */
  sse: { algorithm: string | undefined; keyId: string | undefined };
  downloadMatches: boolean;
  rangeMatches: boolean;
  /** MinIO's stored bytes contain none of the plaintext, and carry the s3seal envelope */
  storedCiphertext: boolean;
  storedEnvelope: boolean;
}

export async function main(endpoint: string, accessKeyId: string, secretAccessKey: string, bucket: string, keyFile: string, print: (line: string) => void = console.log): Promise<UploadServiceResult> {
  // the KMS key: one named key in a file keystore (created 0600 on first use)
  const keystore = new FileKeystore({ path: keyFile, create: true });
  if (!(await keystore.describeKey('uploads').catch(() => undefined))) await keystore.createKey('uploads');

  // s3seal, built once at startup from its configuration and closed at shutdown
  const sealing = createContainer({
    backend: { endpoint, accessKeyId, secretAccessKey },
    keystores: { file: { path: keyFile } },
    defaultKmsKeystore: 'file',
    readKeys: [UPLOAD_KEY], // the SSE-KMS keys objects may be read under
    uploadTokenRoot: randomBytes(32).toString('base64'), // shared by every instance that continues another's multipart uploads
  });

  // the service's own client, as it was
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  s3.middlewareStack.use(getS3SealPlugin(sealing)); // ← THE ONE ADDED LINE: every request of `s3` now goes through s3seal

  const server = await listen(createUploadService(s3, bucket));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const raw = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  const lines: string[] = [];
  const say = (line: string): void => {
    lines.push(line);
    print(line);
  };
  try {
    // 6 MiB: more than one 5 MiB part, so Upload goes multipart; a recognisable plaintext pattern
    const plaintext = Buffer.from('quarterly report: revenue up. '.repeat(Math.ceil((6 * 1024 * 1024) / 30))).subarray(0, 6 * 1024 * 1024);
    const name = `report-${randomBytes(4).toString('hex')}.txt`;
    // a streamed request body (a ReadableStream of 1 MiB chunks), as a browser or another service would send
    const chunks = Array.from({ length: 6 }, (_, i) => plaintext.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
    const put = await fetch(`${base}/files/${name}`, { method: 'PUT', body: Readable.toWeb(Readable.from(chunks)), duplex: 'half', headers: { 'content-type': 'text/plain' } });
    say(`upload: HTTP ${put.status}`);

    const whole = await fetch(`${base}/files/${name}`);
    const downloadMatches = whole.status === 200 && Buffer.from(await whole.arrayBuffer()).equals(plaintext);
    say(`download matches: ${yesNo(downloadMatches)}`);

    const ranged = await fetch(`${base}/files/${name}`, { headers: { range: 'bytes=5242870-5242899' } });
    const rangeMatches = ranged.status === 206 && Buffer.from(await ranged.arrayBuffer()).equals(plaintext.subarray(5242870, 5242900));
    say(`range download matches: ${yesNo(rangeMatches)} (HTTP ${ranged.status}, ${ranged.headers.get('content-range')})`);

    const missing = await fetch(`${base}/files/no-such-file`);
    await missing.body?.cancel();
    say(`missing file: HTTP ${missing.status}`);

    // the service's client reports S3's SSE-KMS echo
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: name }));
    say(`encryption: ${head.ServerSideEncryption} ${head.SSEKMSKeyId}`);

    // what MinIO holds, read with a plain client (no plugin): ciphertext and the envelope
    const stored = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: name }));
    const bytes = Buffer.from(await stored.Body!.transformToByteArray());
    const storedCiphertext = !bytes.includes(plaintext.subarray(0, 30)) && !bytes.includes(Buffer.from('revenue up'));
    const storedEnvelope = typeof stored.Metadata?.['s3seal'] === 'string';
    say(`stored ciphertext: ${yesNo(storedCiphertext)} (${bytes.length} bytes at rest for ${plaintext.length} of plaintext)`);
    say(`stored envelope: ${yesNo(storedEnvelope)} (x-amz-meta-s3seal)`);
    return { lines, sse: { algorithm: head.ServerSideEncryption, keyId: head.SSEKMSKeyId }, downloadMatches, rangeMatches, storedCiphertext, storedEnvelope };
  } finally {
    await closeServer(server);
    raw.destroy();
    s3.destroy();
    // destroys s3seal's backend client and zeroes its cached keys
    await closeContainer(sealing);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [endpoint, ak, sk, bucket, keyFile] = process.argv.slice(2);
  if (!endpoint || !ak || !sk || !bucket || !keyFile) throw new Error('usage: express-upload-service.js <endpoint> <accessKey> <secretKey> <bucket> <keyFile>');
  await main(endpoint, ak, sk, bucket, keyFile);
}
