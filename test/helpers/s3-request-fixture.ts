import { createHash, randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import { s3ErrorShape, type S3ErrorShape } from '../../src/adapters/s3/s3-error-shape.js';
import { S3SealError } from '../../src/errors.js';

/** An S3Request as a door would hand it over (TLS unless said otherwise). */
export function s3Request(headers: Record<string, string>, over: Partial<S3Request> = {}): S3Request {
  return { method: 'PUT', bucket: 'b', key: 'k', query: {}, headers, secureTransport: true, principal: 'test', ...over };
}

/** A valid SSE-C header triple for `prefix` ("" or "copy-source-"), and the raw key. */
export function ssecHeaders(key: Buffer = randomBytes(32), prefix = ''): { headers: Record<string, string>; key: Buffer } {
  const p = `x-amz-${prefix}server-side-encryption-customer-`;
  return {
    key,
    headers: {
      [`${p}algorithm`]: 'AES256',
      [`${p}key`]: key.toString('base64'),
      [`${p}key-md5`]: createHash('md5').update(key).digest('base64'),
    },
  };
}

/** `fn` throws a typed s3seal error whose S3 shape has this code and status (and message, if given). */
export function throwsS3(t: ExecutionContext, fn: () => unknown, expected: Partial<S3ErrorShape> & { code: string; status: number }): S3SealError | undefined {
  const err = t.throws(fn, { instanceOf: S3SealError });
  if (err) t.like(s3ErrorShape(err), expected);
  return err;
}
