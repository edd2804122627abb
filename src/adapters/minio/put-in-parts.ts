import type { Readable } from 'node:stream';
import { XMLParser } from 'fast-xml-parser';
import { S3Error, type Client, type ItemBucketMetadata } from 'minio';

type UploadedObjectInfo = Awaited<ReturnType<Client['putObject']>>;

/** the header names minio-js's putObject passes unprefixed (its prependXAMZMeta); any other metadata key becomes x-amz-meta-<key> */
const AS_IS = new Set(['content-type', 'cache-control', 'content-encoding', 'content-disposition', 'content-language', 'x-amz-website-redirect-location', 'if-none-match', 'if-match', 'x-amz-storage-class', 'x-amz-acl']);

/** putObject's `metaData` as the request headers minio-js makes of it */
export function objectHeaders(meta: ItemBucketMetadata | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta ?? {})) {
    const lower = k.toLowerCase();
    const asIs = AS_IS.has(lower) || lower.startsWith('x-amz-meta-') || lower === 'x-amz-server-side-encryption' || lower.startsWith('x-amz-server-side-encryption-');
    out[asIs ? k : `X-Amz-Meta-${k}`] = String(v as string | number);
  }
  return out;
}

/** the SSE-C headers among a write's headers: every part of an SSE-C upload carries them (S3 UploadPart), and its Complete */
function sseCustomerHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase().startsWith('x-amz-server-side-encryption-customer-')));
}

/** `source` in pieces of exactly `partSize` bytes (the last one shorter): a Buffer as views of it, a stream collected into one buffer per part */
async function* partsOf(source: Buffer | Readable, partSize: number): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    for (let o = 0; o < source.length; o += partSize) yield source.subarray(o, Math.min(source.length, o + partSize));
    return;
  }
  let part = Buffer.allocUnsafe(partSize);
  let n = 0;
  for await (const chunk of source) {
    let c = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    while (c.length > 0) {
      const take = Math.min(c.length, partSize - n);
      c.copy(part, n, 0, take);
      n += take;
      c = c.subarray(take);
      if (n === partSize) {
        yield part;
        // a fresh buffer: the one yielded may still be read by the request it was handed to
        part = Buffer.allocUnsafe(partSize);
        n = 0;
      }
    }
  }
  if (n > 0) yield part.subarray(0, n);
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * CompleteMultipartUpload with the SSE-C headers, which an SSE-C upload's Complete must carry (the
 * key seals the committed part layout) and minio-js's completeMultipartUpload cannot send: the same
 * request through minio-js's own makeRequestAsync, the S3 document and answer as minio-js has them.
 */
export async function completeWithHeaders(client: Client, bucket: string, key: string, uploadId: string, etags: { part: number; etag: string }[], headers: Record<string, string>): Promise<UploadedObjectInfo> {
  const parts = etags.map((e) => `<Part><PartNumber>${e.part}</PartNumber><ETag>${xmlEscape(e.etag)}</ETag></Part>`).join('');
  const payload = `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts}</CompleteMultipartUpload>`;
  const res = await client.makeRequestAsync({ method: 'POST', bucketName: bucket, objectName: key, query: `uploadId=${encodeURIComponent(uploadId)}`, headers }, payload);
  let xml = '';
  for await (const c of res) xml += String(c);
  const doc = new XMLParser({ parseTagValue: false }).parse(xml) as { CompleteMultipartUploadResult?: { ETag?: string }; Error?: { Code?: string; Message?: string } };
  // S3 may answer an error document after a 200 OK
  if (doc.Error || !doc.CompleteMultipartUploadResult) {
    const err = new S3Error(doc.Error?.Message ?? 'CompleteMultipartUpload failed');
    (err as S3Error & { code?: string }).code = doc.Error?.Code ?? 'InternalError';
    throw err;
  }
  const etag = String(doc.CompleteMultipartUploadResult.ETag ?? '').replace(/^"|"$/g, '');
  const version = res.headers['x-amz-version-id'];
  return { etag, versionId: typeof version === 'string' ? version : null };
}

/**
 * A multipart putObject done with minio-js's own multipart calls (initiateNewMultipartUpload,
 * uploadPart, completeMultipartUpload — completeWithHeaders for SSE-C; abortMultipartUpload when a
 * part fails), one part at a time
 * as minio-js uploads them, each part exactly `partSize` bytes, the SSE-C headers on every part.
 * minio-js's own path cannot be used as it is: its part splitter, read with `for await`, joins the
 * blocks already split into one chunk (a 256 MiB Buffer becomes one 256 MiB part), and it sends the
 * SSE-C key with CreateMultipartUpload only, so the parts of an SSE-C upload are refused.
 */
export async function putInParts(client: Client, bucket: string, key: string, headers: Record<string, string>, source: Buffer | Readable, partSize: number): Promise<UploadedObjectInfo> {
  const uploadId = await client.initiateNewMultipartUpload(bucket, key, headers);
  const partHeaders = sseCustomerHeaders(headers);
  const etags: { part: number; etag: string }[] = [];
  try {
    let partNumber = 1;
    for await (const part of partsOf(source, partSize)) {
      const up = await client.uploadPart({ bucketName: bucket, objectName: key, uploadID: uploadId, partNumber, headers: partHeaders }, part);
      etags.push({ part: partNumber, etag: up.etag });
      partNumber++;
    }
    return Object.keys(partHeaders).length > 0 ? await completeWithHeaders(client, bucket, key, uploadId, etags, partHeaders) : await client.completeMultipartUpload(bucket, key, uploadId, etags);
  } catch (err) {
    await client.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined);
    if (!Buffer.isBuffer(source)) source.destroy();
    throw err;
  }
}
