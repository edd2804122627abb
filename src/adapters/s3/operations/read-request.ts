import { wipe } from '../../../crypto/kdf.js';
import { SealError } from '../../../errors.js';
import type { HeadObjectResult, ObjectRequest } from '../../../engine/facade/facade-types.js';
import { checksumEchoHeaders } from '../checksum-echo-headers.js';
import { objectResponseHeaders } from '../object-headers.js';
import { sseEchoHeaders } from '../sse-echo-headers.js';
import { evaluateConditionals, type ConditionalOutcome } from '../evaluate-conditionals.js';
import { refuseVersionId } from '../object-headers.js';
import { parseConditionals, type Conditionals } from '../parse-conditionals.js';
import { parsePartNumber } from '../parse-part-number.js';
import { parseRange, type RangeSpec } from '../parse-range.js';
import { parseSseRequest } from '../parse-sse-request.js';
import type { S3Request } from '../s3-request.js';
import type { S3Response } from '../s3-response.js';
import { objectOf } from './object-of.js';

/** What a GetObject / HeadObject asks for, validated before anything reaches the backend. */
export interface ReadRequest {
  object: ObjectRequest;
  /** the SSE-C key the request carried; wiped by `done` */
  customerKey?: Buffer;
  conditionals: Conditionals;
  range?: RangeSpec;
  /** S3 `partNumber`: one part of a multipart object (part boundaries from its committed layout) */
  partNumber?: number;
  done: () => void;
}

/**
 * The shared front of GetObject and HeadObject: versionId (not supported yet: NotImplemented);
 * partNumber (parse-part-number.ts: not together with Range, as on S3); SSE headers as on S3 reads (only SSE-C;
 * x-amz-server-side-encryption is InvalidArgument 400); conditionals; Range.
 */
export function readRequest(req: S3Request): ReadRequest {
  const object = objectOf(req);
  refuseVersionId(req);
  const partNumber = parsePartNumber(req);
  const sse = parseSseRequest(req, 'read');
  const customerKey = sse.mode === 'SSE-C' ? sse.key : undefined;
  const range = parseRange(req.headers['range']);
  return {
    object,
    ...(customerKey !== undefined ? { customerKey } : {}),
    conditionals: parseConditionals(req.headers, 'object'),
    ...(range !== undefined ? { range } : {}),
    ...(partNumber !== undefined ? { partNumber } : {}),
    done: () => wipe(customerKey),
  };
}

/**
 * The answer to a read whose conditions failed, or undefined when they hold: 304 Not Modified
 * (If-None-Match, If-Modified-Since; ETag and Last-Modified, no body) or PreconditionFailed 412.
 */
export function conditionalAnswer(c: Conditionals, current: { etag: string; lastModified?: Date }): S3Response | undefined {
  const outcome: ConditionalOutcome = evaluateConditionals(c, { etag: current.etag, lastModified: current.lastModified ?? new Date(0) }, 'read');
  if (outcome === 'pass') return undefined;
  if (outcome === 'not-modified') {
    return { status: 304, headers: { etag: current.etag, ...(current.lastModified ? { 'last-modified': current.lastModified.toUTCString() } : {}) } };
  }
  throw new SealError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
}

/** The headers a GET and a HEAD answer alike: the object's, its SSE echo, its checksums (when asked), the part count of a partNumber read. */
export function readResponseHeaders(r: HeadObjectResult, req: S3Request): Record<string, string> {
  return { ...objectResponseHeaders(r, req), ...sseEchoHeaders(r.sse, 'object'), ...checksumEchoHeaders(r.checksums), ...(r.partsCount !== undefined ? { 'x-amz-mp-parts-count': String(r.partsCount) } : {}) };
}
