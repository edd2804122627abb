import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { S3Client } from '@aws-sdk/client-s3';
import { XMLParser } from 'fast-xml-parser';
import type { Container } from 'inversify';
import type { S3Core } from '../../src/adapters/s3/s3-core.js';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import { closeContainer, createContainer, getService, TOKENS } from '../../src/index.js';
import { freshBucket, s3Client, service } from './services.js';
import { tempDir } from './temp-dir.js';

/** An S3 answer with its body read whole. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface CoreFixture {
  core: S3Core;
  container: Container;
  bucket: string;
  /** MinIO with its own credentials: sees what is stored (ciphertext and envelope) */
  raw: S3Client;
  /** the file keystore's key ids: the managed SSE-S3 key, the default KMS key, another KMS key */
  keys: { managed: string; kmsDefault: string; kmsOther: string };
  call: (req: Partial<S3Request> & Pick<S3Request, 'method'>) => Promise<Answer>;
  close: () => Promise<void>;
}

/**
 * The S3 core from the container over real MinIO with the file keystore (SSE-S3 and SSE-KMS both
 * under file keys: `defaultKmsKeystore: 'file'`). `call` fills in bucket, TLS and principal and
 * reads the answer's body. `defaultKmsKey: false` configures no default KMS key; `backendEndpoint`
 * puts something (a RecordingProxy) between the core and MinIO.
 */
export async function coreFixture(tag: string, opts: { defaultKmsKey?: boolean; backendEndpoint?: string } = {}): Promise<CoreFixture> {
  const m = service('minio');
  const path = join(tempDir(`core-${tag}`), 'keys.json');
  const container = createContainer({
    backend: { endpoint: opts.backendEndpoint ?? m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
    keystores: { file: { path, create: true } },
    defaultKmsKeystore: 'file',
    ...(opts.defaultKmsKey === false ? {} : { defaultKmsKey: 'file:kms-default' }),
    readKeys: ['file:kms-other'],
    uploadTokenRoot: randomBytes(32).toString('base64'),
  });
  const ks = getService(container, TOKENS.FileKeystore);
  const [managed, kmsDefault, kmsOther] = await Promise.all(['s3-default', 'kms-default', 'kms-other'].map(async (n) => (await ks.createKey(n)).keyId));
  const bucket = await freshBucket(m, `core-${tag}`);
  const core = getService(container, TOKENS.S3Core);
  const raw = s3Client(m);
  return {
    core,
    container,
    bucket,
    raw,
    keys: { managed: managed!, kmsDefault: kmsDefault!, kmsOther: kmsOther! },
    call: async (req) => {
      const full: S3Request = { bucket, query: {}, headers: {}, secureTransport: true, principal: 'test', ...req };
      const res = await core.handle(full);
      const body = res.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(res.body) ? res.body : await buffer(res.body);
      return { status: res.status, headers: res.headers, body };
    },
    close: async () => {
      raw.destroy();
      await closeContainer(container);
    },
  };
}

/** A request body stream with its Content-Length header. */
export function bodyOf(data: Buffer, headers: Record<string, string> = {}): Pick<S3Request, 'body' | 'headers'> {
  return { body: Readable.from(data.length > 0 ? [data] : []), headers: { 'content-length': String(data.length), ...headers } };
}

/** SSE-C headers for `key` */
export function ssec(key: Buffer): Record<string, string> {
  return {
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-server-side-encryption-customer-key': key.toString('base64'),
    'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(key).digest('base64'),
  };
}

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/** the parsed XML body of an answer */
export function xmlOf(a: Answer): Record<string, unknown> {
  return xml.parse(a.body.toString('utf8')) as Record<string, unknown>;
}

/** the <Code> of an error answer */
export function errorCode(a: Answer): string | undefined {
  return (xmlOf(a)['Error'] as { Code?: string } | undefined)?.Code;
}
