/**
 * Example: the library core (the engine facade) against any S3 endpoint — SSE-S3 with the file keystore.
 *
 *   node dist/examples/library-sse-s3.js <endpoint> <accessKey> <secretKey> <bucket> <keyFile>
 *
 * The test suite runs `main` against a real MinIO (test/integration/examples.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { pathToFileURL } from 'node:url';
import { closeContainer, createContainer, FileKeystore, getService, TOKENS } from '../src/index.js';

export async function main(endpoint: string, accessKeyId: string, secretAccessKey: string, bucket: string, keyFile: string): Promise<string> {
  // 1. a key file with the managed SSE-S3 key (created 0600 on first use)
  const keystore = new FileKeystore({ path: keyFile, create: true });
  if (!(await keystore.describeKey('s3-default').catch(() => undefined))) await keystore.createKey('s3-default');

  // 2. the container wires backend, keystore and engine from one validated configuration
  const container = createContainer({
    backend: { endpoint, accessKeyId, secretAccessKey },
    keystores: { file: { path: keyFile } },
    uploadTokenRoot: randomBytes(32).toString('base64'),
  });
  // the engine facade: request objects in, result objects out; keys are chosen inside (SSE-S3: the
  // managed key the configuration names, `sseS3Key`, default `file:s3-default`)
  const objects = getService(container, TOKENS.ObjectFacade);
  const o = { bucket, key: 'ledger.csv', principal: 'process' };

  // 3. write, then read back whole and by range
  try {
    const body = Buffer.from('account,balance\nada,100\n');
    await objects.putObject({ ...o, body, contentLength: body.length, encryption: { mode: 'SSE-S3' }, userMetadata: { owner: 'ada' }, contentType: 'text/csv' });
    const whole = await buffer((await objects.getObject(o)).body);
    const range = await buffer((await objects.getObject({ ...o, range: { kind: 'from', first: 16, last: 18 } })).body);
    return `${whole.toString()}|${range.toString()}`;
  } finally {
    // 4. close: the S3 client's sockets, cached keys zeroed
    await closeContainer(container);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [endpoint, ak, sk, bucket, keyFile] = process.argv.slice(2);
  if (!endpoint || !ak || !sk || !bucket || !keyFile) throw new Error('usage: library-sse-s3.js <endpoint> <accessKey> <secretKey> <bucket> <keyFile>');
  console.log(await main(endpoint, ak, sk, bucket, keyFile));
}
