import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ByteRange, ObjectStore, PutResult, StoredObjectInfo } from './object-store.js';
import { SealError } from '../errors.js';

/** Copy sources are URL paths: each key segment is percent-encoded, the slashes kept. */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Outages of the object server (no answer, 5xx, throttling) become BackendUnavailable (503,
 * retryable) after the SDK's own bounded retries; the S3 client errors a caller can cause (404,
 * 412, 403…) pass through unchanged for the door to report.
 */
async function backend<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
    const status = e.$metadata?.httpStatusCode;
    if (status === undefined || status >= 500 || status === 429 || e.name === 'TimeoutError') {
      throw new SealError('BackendUnavailable', `object server unavailable during ${what} (${e.name ?? e.code ?? 'network error'}${status ? ` ${status}` : ''})`);
    }
    throw err;
  }
}

/** SDK send options: abort the HTTP request (destroying its socket) when `signal` fires */
function aborting(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {};
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`backend response lacks ${what}`);
  return v;
}

/**
 * ObjectStore over an already-built @aws-sdk/client-s3 client (options accept a built client, so a
 * service passes its own endpoint, credentials and retry settings). Only headers s3seal chose are
 * sent: body, length, and the metadata map (which carries the envelope).
 */
export class S3ObjectStore implements ObjectStore {
  constructor(private readonly client: S3Client) {}

  async head(bucket: string, key: string): Promise<StoredObjectInfo> {
    const r = await backend('HeadObject', () => this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
    return {
      size: need(r.ContentLength, 'Content-Length'),
      etag: need(r.ETag, 'ETag'),
      metadata: r.Metadata ?? {},
      ...(r.LastModified ? { lastModified: r.LastModified } : {}),
      ...(r.VersionId ? { versionId: r.VersionId } : {}),
    };
  }

  async get(bucket: string, key: string, range?: ByteRange, ifMatch?: string): Promise<Readable> {
    const r = await backend('GetObject', () => this.client.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        ...(ifMatch ? { IfMatch: ifMatch } : {}),
      }),
    ));
    return need(r.Body, 'a body') as Readable;
  }

  async put(bucket: string, key: string, body: Readable | Buffer, length: number, metadata: Record<string, string>, signal?: AbortSignal): Promise<PutResult> {
    const r = await backend('PutObject', () => this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: length, Metadata: metadata }), aborting(signal)));
    return { etag: need(r.ETag, 'ETag'), ...(r.VersionId ? { versionId: r.VersionId } : {}) };
  }

  async createMultipart(bucket: string, key: string, metadata: Record<string, string>): Promise<string> {
    const r = await backend('CreateMultipartUpload', () => this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: metadata })));
    return need(r.UploadId, 'UploadId');
  }

  async uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Readable | Buffer, length: number, signal?: AbortSignal): Promise<string> {
    const r = await backend('UploadPart', () => this.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: length }), aborting(signal)));
    return need(r.ETag, 'ETag');
  }

  async completeMultipart(bucket: string, key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<PutResult> {
    const r = await backend('CompleteMultipartUpload', () => this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }),
    ));
    return { etag: need(r.ETag, 'ETag'), ...(r.VersionId ? { versionId: r.VersionId } : {}) };
  }

  async listPartSizes(bucket: string, key: string, uploadId: string): Promise<Map<number, number>> {
    const sizes = new Map<number, number>();
    let marker: string | undefined;
    for (;;) {
      const r = await backend('ListParts', () => this.client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, ...(marker ? { PartNumberMarker: marker } : {}) })));
      for (const p of r.Parts ?? []) sizes.set(need(p.PartNumber, 'PartNumber'), need(p.Size, 'Size'));
      if (!r.IsTruncated) return sizes;
      marker = need(r.NextPartNumberMarker, 'NextPartNumberMarker');
    }
  }

  async abortMultipart(bucket: string, key: string, uploadId: string): Promise<void> {
    await backend('AbortMultipartUpload', () => this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })));
  }

  async replaceMetadata(bucket: string, key: string, metadata: Record<string, string>, ifMatch: string): Promise<PutResult> {
    const r = await backend('CopyObject', () => this.client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: key,
        CopySource: copySource(bucket, key),
        CopySourceIfMatch: ifMatch,
        MetadataDirective: 'REPLACE',
        Metadata: metadata,
      }),
    ));
    return { etag: need(r.CopyObjectResult?.ETag, 'ETag'), ...(r.VersionId ? { versionId: r.VersionId } : {}) };
  }
}
