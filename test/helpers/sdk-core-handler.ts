import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import type { HttpHandlerOptions, RequestHandler } from '@smithy/types';
import type { S3Core } from '../../src/adapters/s3/s3-core.js';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';

interface SdkRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

interface SdkResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Readable;
}

function bodyStream(body: unknown): Readable | undefined {
  if (body === undefined || body === null) return undefined;
  if (body instanceof Readable) return body;
  if (typeof body === 'string') return Readable.from([Buffer.from(body)]);
  if (body instanceof Uint8Array) return Readable.from([Buffer.from(body)]);
  throw new Error('sdk-core-handler: unsupported request body');
}

/**
 * A test-only door: an S3Client whose HTTP handler hands each finished, signed request to the S3
 * core in-process (path-style: /bucket/key) and returns the core's answer for the SDK to
 * deserialize. It checks that what the core writes is what the real SDK parses (XML shapes, header
 * names), not the door itself (that is src/adapters/sdk-v3 and its contract suite).
 */
export function sdkClientForCore(core: S3Core, principal = 'sdk-test'): S3Client {
  const handler: RequestHandler<SdkRequest, SdkResponse, HttpHandlerOptions> = {
    handle: async (req) => {
      const [, bucket, ...rest] = req.path.split('/');
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.query ?? {})) query[k] = Array.isArray(v) ? v.join(',') : (v ?? '');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
      const key = rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined;
      const body = bodyStream(req.body);
      const s3req: S3Request = {
        method: req.method as S3Request['method'],
        ...(bucket ? { bucket: decodeURIComponent(bucket) } : {}),
        ...(key !== undefined && key !== '' ? { key } : {}),
        query,
        headers,
        ...(body ? { body } : {}),
        secureTransport: true,
        principal,
      };
      const res = await core.handle(s3req);
      const out = res.body === undefined ? Readable.from([]) : Buffer.isBuffer(res.body) ? Readable.from([res.body]) : res.body;
      return { response: { statusCode: res.status, headers: res.headers, body: out } };
    },
  };
  return new S3Client({
    endpoint: 'http://s3seal-core.test',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: handler,
  });
}
