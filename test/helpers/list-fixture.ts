import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { S3Client } from '@aws-sdk/client-s3';
import { ContainerModule, type Container } from 'inversify';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import type { S3SealConfigInput } from '../../src/container/config.js';
import type { ObjectActionPolicy } from '../../src/engine/facade/object-action-policy.js';
import { bindService, closeContainer, createContainer, getService, TOKENS, type ObjectFacade } from '../../src/index.js';
import type { Answer } from './s3-core-fixture.js';
import { freshBucket, s3Client, service } from './services.js';
import { tempDir } from './temp-dir.js';

export interface ListFixture {
  container: Container;
  facade: ObjectFacade;
  bucket: string;
  /** MinIO with its own credentials (raw writes, versioning) */
  raw: S3Client;
  /** backend commands the container's S3 client sent since the last reset, by command name */
  sent: Map<string, number>;
  /** backend commands sent, all kinds */
  total: () => number;
  reset: () => void;
  call: (req: Partial<S3Request> & Pick<S3Request, 'method'>) => Promise<Answer>;
  /** an SSE-S3 PUT through the core */
  put: (key: string, data: Buffer) => Promise<string>;
  /** a multipart SSE-S3 object through the facade: parts of the given sizes */
  putMultipart: (key: string, sizes: number[]) => Promise<string>;
  close: () => Promise<void>;
}

/**
 * The container over real MinIO with the file keystore, its backend S3 client counting every command
 * it sends (a middleware on the client's own stack: what reaches MinIO), and the S3 core. `config`
 * adds to the base configuration for the fresh bucket (e.g. `listing`); `policy` replaces the
 * allow-all action policy; `backend` the object server (MinIO unless said).
 */
export async function listFixture(tag: string, config: (bucket: string) => Partial<S3SealConfigInput> = () => ({}), policy?: ObjectActionPolicy, backend: 'minio' | 'seaweedfs' = 'minio'): Promise<ListFixture> {
  const m = service(backend);
  const path = join(tempDir(`list-${tag}`), 'keys.json');
  const bucket = await freshBucket(m, `list-${tag}`);
  const container = createContainer(
    {
      backend: { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! },
      keystores: { file: { path, create: true } },
      defaultKmsKeystore: 'file',
      uploadTokenRoot: randomBytes(32).toString('base64'),
      ...config(bucket),
    },
    policy ? { modules: [new ContainerModule(({ rebind }) => void bindService(rebind, TOKENS.ObjectActionPolicy).toConstantValue(policy))] } : {},
  );
  await getService(container, TOKENS.FileKeystore).createKey('s3-default');
  const sent = new Map<string, number>();
  getService(container, TOKENS.S3Client).middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? '?';
      sent.set(name, (sent.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countBackendCommands' },
  );
  const core = getService(container, TOKENS.S3Core);
  const facade = getService(container, TOKENS.ObjectFacade);
  const raw = s3Client(m);
  const call = async (req: Partial<S3Request> & Pick<S3Request, 'method'>): Promise<Answer> => {
    const res = await core.handle({ bucket, query: {}, headers: {}, secureTransport: true, principal: 'test', ...req });
    const body = res.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(res.body) ? res.body : await buffer(res.body);
    return { status: res.status, headers: res.headers, body };
  };
  return {
    container,
    facade,
    bucket,
    raw,
    sent,
    total: () => [...sent.values()].reduce((a, b) => a + b, 0),
    reset: () => sent.clear(),
    call,
    put: async (key, data) => {
      const a = await call({ method: 'PUT', key, body: Readable.from(data.length > 0 ? [data] : []), headers: { 'content-length': String(data.length), 'x-amz-server-side-encryption': 'AES256' } });
      if (a.status !== 200) throw new Error(`PUT ${key}: ${a.status} ${a.body.toString()}`);
      return a.headers['etag']!;
    },
    putMultipart: async (key, sizes) => {
      const o = { bucket, key, principal: 'test' };
      const { uploadId } = await facade.createMultipartUpload({ ...o, encryption: { mode: 'SSE-S3' } });
      const parts = [];
      for (const [i, n] of sizes.entries()) parts.push({ partNumber: i + 1, etag: (await facade.uploadPart({ ...o, uploadId, partNumber: i + 1, body: randomBytes(n), contentLength: n })).etag });
      return (await facade.completeMultipartUpload({ ...o, uploadId, parts })).etag;
    },
    close: async () => {
      raw.destroy();
      await closeContainer(container);
    },
  };
}

/** Content-MD5 of a request body */
export const contentMd5 = (b: Buffer | string): string => createHash('md5').update(b).digest('base64');
