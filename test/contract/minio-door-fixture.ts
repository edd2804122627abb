/**
 * The minio door as the door contract drives it: a sealed minio.Client (createSealedMinioClient)
 * over the same container the SDK door's fixture builds (sdk-door-fixture.ts), with `s3.send`
 * adapting the SDK commands the suite sends to the minio-js calls a minio user makes — putObject,
 * getObject / getPartialObject, statObject, removeObject(s), copyObject with CopySourceOptions /
 * CopyDestinationOptions, the multipart calls, the lists, the bucket calls — and answering with the
 * SDK's output shapes, read from the responses minio-js received, and S3ServiceException-like errors
 * (`name` = the S3 code minio-js's S3Error carries, `$metadata.httpStatusCode` = the status).
 * What minio-js has no call for throws MinioDoorGap; the suite leaves those scenarios out by the
 * door's `gaps` (MINIO_DOOR_GAPS).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { completeWithHeaders } from '../../src/adapters/minio/put-in-parts.js';
import { CopyDestinationOptions, CopySourceOptions, S3Error } from 'minio';
import { createSealedMinioClient, sseCustomerKey, type SealedMinioClient } from '../../src/index.js';
import { contractContainer, type ContractKeystore } from './sdk-door-fixture.js';
import type { DoorGap, DoorUnderTest } from './door-contract-support.js';

/** what minio-js 8.0.7 cannot express (see DoorGap) */
export const MINIO_DOOR_GAPS: readonly DoorGap[] = ['checksums', 'conditionalReads', 'suffixRanges', 'objectAcl', 'libStorage', 'partNumberReads'];

/** a command the minio door has no minio-js call for */
export class MinioDoorGap extends Error {
  constructor(what: string) {
    super(`minio-js has no way to express ${what}`);
    this.name = 'MinioDoorGap';
  }
}

interface Seen {
  status: number;
  headers: Record<string, string>;
}
type Transport = { request(options: object, cb: (res: Readable & Seen & { statusCode: number }) => void): unknown };

/** every response minio-js receives in the current call, recorded from its transport */
const calls = new AsyncLocalStorage<Seen[]>();

function recordResponses(mc: SealedMinioClient): void {
  const holder = mc as unknown as { transport: Transport };
  const inner = holder.transport;
  holder.transport = {
    request: (options, cb) =>
      inner.request(options, (res) => {
        calls.getStore()?.push({ status: res.statusCode, headers: res.headers });
        cb(res);
      }),
  };
}

type Input = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** a command input field the SDK types as a string, number or boolean, as header text */
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const quoted = (etag: string | undefined): string | undefined => (etag === undefined || etag === '' ? undefined : etag.startsWith('"') ? etag : `"${etag}"`);
const unquoted = (etag: string): string => etag.replace(/^"|"$/g, '');

/** an SSE-C key as the SDK takes it (base64 string, or bytes it base64-encodes) with the MD5 the SDK computes */
function ssecTriple(alg: unknown, key: unknown): { SSECustomerAlgorithm: string; SSECustomerKey: string; SSECustomerKeyMD5: string } | undefined {
  if (key === undefined) return undefined;
  const b64 = typeof key === 'string' ? key : Buffer.from(key as Uint8Array).toString('base64');
  return { SSECustomerAlgorithm: str(alg) ?? 'AES256', SSECustomerKey: b64, SSECustomerKeyMD5: createHash('md5').update(Buffer.from(b64, 'base64')).digest('base64') };
}

/** a write's SSE parameters as the X-Amz-Server-Side-Encryption* headers minio-js users pass as metadata */
function sseHeaders(i: Input): Record<string, string> {
  const h: Record<string, string> = {};
  if (i['ServerSideEncryption'] !== undefined) h['X-Amz-Server-Side-Encryption'] = text(i['ServerSideEncryption']);
  if (i['SSEKMSKeyId'] !== undefined) h['X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id'] = text(i['SSEKMSKeyId']);
  if (i['SSEKMSEncryptionContext'] !== undefined) h['X-Amz-Server-Side-Encryption-Context'] = text(i['SSEKMSEncryptionContext']);
  if (i['BucketKeyEnabled'] !== undefined) h['X-Amz-Server-Side-Encryption-Bucket-Key-Enabled'] = text(i['BucketKeyEnabled']);
  const c = ssecTriple(i['SSECustomerAlgorithm'], i['SSECustomerKey']);
  if (c) {
    h['X-Amz-Server-Side-Encryption-Customer-Algorithm'] = c.SSECustomerAlgorithm;
    h['X-Amz-Server-Side-Encryption-Customer-Key'] = c.SSECustomerKey;
    h['X-Amz-Server-Side-Encryption-Customer-Key-MD5'] = c.SSECustomerKeyMD5;
  }
  return h;
}

/** content headers and user metadata of a write, as putObject's metaData (user keys unprefixed: minio-js adds x-amz-meta-) */
function contentMeta(i: Input): Record<string, string> {
  const m: Record<string, string> = {};
  if (i['ContentType'] !== undefined) m['Content-Type'] = text(i['ContentType']);
  if (i['CacheControl'] !== undefined) m['Cache-Control'] = text(i['CacheControl']);
  for (const [k, v] of Object.entries((i['Metadata'] as Record<string, string> | undefined) ?? {})) m[k] = v;
  return m;
}

/** the SDK output fields S3 answers in headers */
function outputOf(seen: Seen | undefined): Record<string, unknown> {
  const h = seen?.headers ?? {};
  const out: Record<string, unknown> = { $metadata: { httpStatusCode: seen?.status } };
  const set = (field: string, v: unknown): void => {
    if (v !== undefined) out[field] = v;
  };
  set('ETag', h['etag']);
  set('ServerSideEncryption', h['x-amz-server-side-encryption']);
  set('SSEKMSKeyId', h['x-amz-server-side-encryption-aws-kms-key-id']);
  const bk = h['x-amz-server-side-encryption-bucket-key-enabled'];
  set('BucketKeyEnabled', bk === undefined ? undefined : bk === 'true');
  set('SSECustomerAlgorithm', h['x-amz-server-side-encryption-customer-algorithm']);
  set('SSECustomerKeyMD5', h['x-amz-server-side-encryption-customer-key-md5']);
  set('ContentLength', h['content-length'] === undefined ? undefined : Number(h['content-length']));
  set('ContentType', h['content-type']);
  set('CacheControl', h['cache-control']);
  set('ContentRange', h['content-range']);
  set('PartsCount', h['x-amz-mp-parts-count'] === undefined ? undefined : Number(h['x-amz-mp-parts-count']));
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (k.startsWith('x-amz-meta-')) meta[k.slice('x-amz-meta-'.length)] = v;
  out['Metadata'] = meta;
  return out;
}

async function bodyBytes(b: unknown): Promise<Buffer> {
  if (b === undefined) return Buffer.alloc(0);
  if (typeof b === 'string') return Buffer.from(b);
  if (b instanceof Uint8Array) return Buffer.from(b);
  const chunks: Buffer[] = [];
  for await (const c of b as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** `bytes=a-b` / `bytes=a-` as getPartialObject's (offset, length); a suffix range has no minio-js call */
function rangeOf(range: string): [number, number] {
  const m = /^bytes=(\d+)-(\d*)$/.exec(range);
  if (!m) throw new MinioDoorGap(`the range ${range} (getPartialObject takes an offset and a length)`);
  const first = Number(m[1]);
  if (m[2] === '') {
    if (first === 0) throw new MinioDoorGap('the range bytes=0- (getPartialObject(0, 0) reads the whole object)');
    return [first, 0];
  }
  return [first, Number(m[2]) - first + 1];
}

/** `bucket/key` of a CopySource (key URL-encoded, as the SDK wants it) */
function copySourceOf(cs: string): { Bucket: string; Object: string } {
  const rel = cs.startsWith('/') ? cs.slice(1) : cs;
  const slash = rel.indexOf('/');
  return { Bucket: rel.slice(0, slash), Object: decodeURIComponent(rel.slice(slash + 1)) };
}

/** a copy destination's SSE as minio-js's Encryption and headers */
function destinationEncryption(i: Input): { Encryption?: object; Headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (i['BucketKeyEnabled'] !== undefined) headers['X-Amz-Server-Side-Encryption-Bucket-Key-Enabled'] = text(i['BucketKeyEnabled']);
  const ssec = ssecTriple(i['SSECustomerAlgorithm'], i['SSECustomerKey']);
  if (ssec) return { Encryption: sseCustomerKey(ssec.SSECustomerKey), Headers: headers };
  const alg = str(i['ServerSideEncryption']);
  if (alg === undefined) return { Headers: headers };
  return { Encryption: { type: 'KMS', SSEAlgorithm: alg, ...(i['SSEKMSKeyId'] !== undefined ? { KMSMasterKeyID: text(i['SSEKMSKeyId']) } : {}) }, Headers: headers };
}

/** the S3Error minio-js threw as an S3ServiceException-like error */
function sdkError(err: unknown, seen: Seen[]): unknown {
  if (err instanceof MinioDoorGap) return err;
  const status = seen.at(-1)?.status;
  const code = err instanceof S3Error ? String((err as S3Error & { code?: string }).code ?? '') : (err as Error).name;
  return new S3ServiceException({ name: code === '' ? `Http${status ?? '?'}` : code, $fault: (status ?? 500) >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: (err as Error).message });
}

type Client = SealedMinioClient & {
  listParts(b: string, k: string, uploadId: string): Promise<{ part: number; size: number; etag: string }[]>;
};

/** one SDK command as the minio-js calls that express it */
async function send(mc: Client, cmd: unknown): Promise<unknown> {
  const i = (cmd as { input: Input }).input;
  const bucket = text(i['Bucket']);
  const key = text(i['Key']);
  const last = (seen: Seen[]): Seen | undefined => seen.at(-1);
  const readOpts = (): Record<string, unknown> => ({ ...ssecTriple(i['SSECustomerAlgorithm'], i['SSECustomerKey']) });
  const seen: Seen[] = [];
  try {
    return await calls.run(seen, async () => {
      if (cmd instanceof PutObjectCommand) {
        if (i['ChecksumAlgorithm'] !== undefined) throw new MinioDoorGap('a flexible checksum (ChecksumAlgorithm)');
        const body = i['Body'] instanceof Readable ? await bodyBytes(i['Body']) : i['Body'] === undefined ? Buffer.alloc(0) : typeof i['Body'] === 'string' ? Buffer.from(i['Body']) : Buffer.from(i['Body'] as Uint8Array);
        await mc.putObject(bucket, key, body, body.length, { ...contentMeta(i), ...sseHeaders(i) });
        return outputOf(last(seen));
      }
      if (cmd instanceof GetObjectCommand || cmd instanceof HeadObjectCommand) {
        if (i['IfMatch'] !== undefined || i['IfNoneMatch'] !== undefined || i['IfModifiedSince'] !== undefined || i['IfUnmodifiedSince'] !== undefined) throw new MinioDoorGap('conditional reads');
        if (i['ChecksumMode'] !== undefined) throw new MinioDoorGap('ChecksumMode');
        // getObject / statObject expect 200: a partNumber read is answered 206, which minio-js takes for an error
        if (i['PartNumber'] !== undefined) throw new MinioDoorGap('a read by PartNumber');
        if (cmd instanceof HeadObjectCommand) {
          await mc.statObject(bucket, key, readOpts());
          return outputOf(last(seen));
        }
        const range = str(i['Range']);
        const stream = range === undefined ? await mc.getObject(bucket, key, readOpts()) : await mc.getPartialObject(bucket, key, ...rangeOf(range), readOpts());
        const bytes = await bodyBytes(stream);
        return { ...outputOf(last(seen)), Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(bytes)) } };
      }
      if (cmd instanceof DeleteObjectCommand) {
        await mc.removeObject(bucket, key);
        return outputOf(last(seen));
      }
      if (cmd instanceof CreateMultipartUploadCommand) {
        const UploadId = await mc.initiateNewMultipartUpload(bucket, key, { ...Object.fromEntries(Object.entries(contentMeta(i)).map(([k, v]) => [k.startsWith('C') ? k : `X-Amz-Meta-${k}`, v])), ...sseHeaders(i) });
        return { ...outputOf(last(seen)), UploadId };
      }
      if (cmd instanceof UploadPartCommand || cmd instanceof UploadPartCopyCommand) {
        const headers: Record<string, string> = {};
        const c = ssecTriple(i['SSECustomerAlgorithm'], i['SSECustomerKey']);
        if (c) Object.assign(headers, { 'X-Amz-Server-Side-Encryption-Customer-Algorithm': c.SSECustomerAlgorithm, 'X-Amz-Server-Side-Encryption-Customer-Key': c.SSECustomerKey, 'X-Amz-Server-Side-Encryption-Customer-Key-MD5': c.SSECustomerKeyMD5 });
        if (cmd instanceof UploadPartCopyCommand) {
          // as minio-js's composeObject copies a part: uploadPart with the copy-source headers and no body
          const src = copySourceOf(text(i['CopySource']));
          headers['x-amz-copy-source'] = `${src.Bucket}/${encodeURIComponent(src.Object)}`;
          if (i['CopySourceRange'] !== undefined) headers['x-amz-copy-source-range'] = text(i['CopySourceRange']);
          const s = ssecTriple(i['CopySourceSSECustomerAlgorithm'], i['CopySourceSSECustomerKey']);
          if (s) Object.assign(headers, { 'X-Amz-Copy-Source-Server-Side-Encryption-Customer-Algorithm': s.SSECustomerAlgorithm, 'X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key': s.SSECustomerKey, 'X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key-MD5': s.SSECustomerKeyMD5 });
          const up = await mc.uploadPart({ bucketName: bucket, objectName: key, uploadID: text(i['UploadId']), partNumber: Number(i['PartNumber']), headers });
          return { ...outputOf(last(seen)), CopyPartResult: { ETag: quoted(up.etag) } };
        }
        const up = await mc.uploadPart({ bucketName: bucket, objectName: key, uploadID: text(i['UploadId']), partNumber: Number(i['PartNumber']), headers }, await bodyBytes(i['Body']));
        return { ...outputOf(last(seen)), ETag: quoted(up.etag) };
      }
      if (cmd instanceof ListPartsCommand) {
        const parts = await mc.listParts(bucket, key, text(i['UploadId']));
        return { Parts: parts.map((p) => ({ PartNumber: p.part, Size: p.size, ETag: quoted(p.etag) })) };
      }
      if (cmd instanceof CompleteMultipartUploadCommand) {
        const parts = ((i['MultipartUpload'] as { Parts?: { PartNumber: number; ETag: string }[] } | undefined)?.Parts ?? []).map((p) => ({ part: p.PartNumber, etag: unquoted(p.ETag) }));
        const c = ssecTriple(i['SSECustomerAlgorithm'], i['SSECustomerKey']);
        // an SSE-C upload's Complete carries the key: minio-js's completeMultipartUpload cannot send it, the door's putObject sends it this way
        const done = c
          ? await completeWithHeaders(mc, bucket, key, text(i['UploadId']), parts, { 'X-Amz-Server-Side-Encryption-Customer-Algorithm': c.SSECustomerAlgorithm, 'X-Amz-Server-Side-Encryption-Customer-Key': c.SSECustomerKey, 'X-Amz-Server-Side-Encryption-Customer-Key-MD5': c.SSECustomerKeyMD5 })
          : await mc.completeMultipartUpload(bucket, key, text(i['UploadId']), parts);
        return { ...outputOf(last(seen)), ETag: quoted(done.etag) };
      }
      if (cmd instanceof AbortMultipartUploadCommand) {
        await mc.abortMultipartUpload(bucket, key, text(i['UploadId']));
        return outputOf(last(seen));
      }
      if (cmd instanceof CopyObjectCommand) {
        const src = copySourceOf(text(i['CopySource']));
        const srcKey = ssecTriple(i['CopySourceSSECustomerAlgorithm'], i['CopySourceSSECustomerKey']);
        const dst = destinationEncryption(i);
        const headers: Record<string, string> = { ...dst.Headers };
        if (i['ContentType'] !== undefined) headers['Content-Type'] = text(i['ContentType']);
        const out = await mc.copyObject(
          new CopySourceOptions({ ...src, ...(i['CopySourceIfMatch'] !== undefined ? { MatchETag: text(i['CopySourceIfMatch']) } : {}), ...(srcKey ? { Encryption: sseCustomerKey(srcKey.SSECustomerKey) } : {}) }),
          new CopyDestinationOptions({
            Bucket: bucket,
            Object: key,
            ...(dst.Encryption ? { Encryption: dst.Encryption } : {}),
            ...(i['Metadata'] !== undefined ? { UserMetadata: i['Metadata'] as Record<string, string> } : {}),
            ...(i['MetadataDirective'] !== undefined ? { MetadataDirective: text(i['MetadataDirective']) as 'COPY' | 'REPLACE' } : {}),
            Headers: headers,
          } as ConstructorParameters<typeof CopyDestinationOptions>[0]),
        );
        const etag = (out as { Etag?: string }).Etag;
        const o = outputOf(last(seen));
        delete o['ETag'];
        return { ...o, CopyObjectResult: { ETag: quoted(etag) } };
      }
      if (cmd instanceof ListObjectsV2Command) {
        const r = await mc.listObjectsV2Query(bucket, str(i['Prefix']) ?? '', str(i['ContinuationToken']) ?? '', str(i['Delimiter']) ?? '', Number(i['MaxKeys'] ?? 1000), str(i['StartAfter']) ?? '');
        return { Contents: r.objects.filter((o) => o.name !== undefined).map((o) => ({ Key: o.name, Size: o.size })), IsTruncated: r.isTruncated, ...(r.isTruncated ? { NextContinuationToken: r.nextContinuationToken } : {}) };
      }
      if (cmd instanceof ListObjectsCommand || cmd instanceof ListObjectVersionsCommand) {
        const versions = cmd instanceof ListObjectVersionsCommand;
        const r = await mc.listObjectsQuery(bucket, str(i['Prefix']) ?? '', str(i['Marker']) ?? '', { Delimiter: str(i['Delimiter']) ?? '', MaxKeys: Number(i['MaxKeys'] ?? 1000), IncludeVersion: versions });
        const items = r.objects.filter((o) => o.name !== undefined).map((o) => ({ Key: o.name, Size: o.size }));
        return versions ? { Versions: items, IsTruncated: r.isTruncated } : { Contents: items, IsTruncated: r.isTruncated };
      }
      if (cmd instanceof DeleteObjectsCommand) {
        const keys = ((i['Delete'] as { Objects: { Key: string }[] }).Objects ?? []).map((o) => o.Key);
        // minio-js sends Quiet mode: S3 answers the errors only, every other key is deleted
        const errors = (await mc.removeObjects(bucket, keys)) as unknown as { Key?: string; Code?: string }[];
        const failed = new Set(errors.map((e) => e.Key));
        return { Deleted: keys.filter((k) => !failed.has(k)).map((Key) => ({ Key })), Errors: errors.map((e) => ({ Key: e.Key, Code: e.Code })) };
      }
      if (cmd instanceof CreateBucketCommand) {
        await mc.makeBucket(bucket);
        return outputOf(last(seen));
      }
      if (cmd instanceof HeadBucketCommand) {
        if (!(await mc.bucketExists(bucket))) throw Object.assign(new S3Error('Not Found'), { code: 'NotFound' });
        return outputOf(last(seen));
      }
      if (cmd instanceof ListBucketsCommand) {
        return { Buckets: (await mc.listBuckets()).map((b) => ({ Name: b.name })) };
      }
      if (cmd instanceof DeleteBucketCommand) {
        await mc.removeBucket(bucket);
        return outputOf(last(seen));
      }
      if (cmd instanceof PutObjectTaggingCommand) {
        const tags = Object.fromEntries(((i['Tagging'] as { TagSet: { Key: string; Value: string }[] }).TagSet ?? []).map((t) => [t.Key, t.Value]));
        await mc.setObjectTagging(bucket, key, tags);
        return outputOf(last(seen));
      }
      if (cmd instanceof PutBucketEncryptionCommand) {
        const rules = ((i['ServerSideEncryptionConfiguration'] as { Rules: Record<string, unknown>[] }).Rules ?? []).map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
        await mc.setBucketEncryption(bucket, { Rule: rules });
        return outputOf(last(seen));
      }
      if (cmd instanceof GetBucketEncryptionCommand) {
        const doc = (await mc.getBucketEncryption(bucket)) as unknown as { ServerSideEncryptionConfiguration?: { Rule?: unknown } };
        const raw = doc.ServerSideEncryptionConfiguration?.Rule;
        const rules = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Record<string, unknown>[];
        return {
          ServerSideEncryptionConfiguration: {
            Rules: rules.map((r) => ({ ...r, ...(r['BucketKeyEnabled'] !== undefined ? { BucketKeyEnabled: r['BucketKeyEnabled'] === true || r['BucketKeyEnabled'] === 'true' } : {}) })),
          },
        };
      }
      if (cmd instanceof DeleteBucketEncryptionCommand) {
        await mc.removeBucketEncryption(bucket);
        return outputOf(last(seen));
      }
      throw new MinioDoorGap(`the command ${(cmd as object).constructor.name}`);
    });
  } catch (err) {
    throw sdkError(err, seen);
  }
}

function sealed(config: Parameters<typeof createSealedMinioClient>[0]): { s3: Pick<S3Client, 'send'>; mc: SealedMinioClient } {
  const mc = createSealedMinioClient(config, { region: 'us-east-1' });
  recordResponses(mc);
  return { mc, s3: { send: (cmd: unknown) => send(mc as Client, cmd) } };
}

/** the minio door over MinIO with keys in `keystore`: the SDK door's container and keys, minio-js in front */
export async function minioDoor(keystore: ContractKeystore): Promise<DoorUnderTest> {
  const base = await contractContainer(keystore, 'minio');
  const door = sealed(base.container);
  return {
    s3: door.s3,
    rawHeaders: false,
    backend: base.backend,
    freshBucket: (prefix) => base.freshBucket(prefix),
    secondInstance: async () => {
      const other = sealed(base.config);
      return { s3: other.s3, close: () => other.mc.close() };
    },
    kmsKey: base.kmsKey,
    reservedBucket: base.reservedBucket,
    close: async () => {
      await door.mc.close();
      await base.close();
    },
  };
}
