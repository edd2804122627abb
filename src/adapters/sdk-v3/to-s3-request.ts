import type { HttpRequest } from '@smithy/types';
import { SealError } from '../../errors.js';
import type { S3Request } from '../s3/s3-request.js';
import { requestBody } from './request-body.js';
import { requestTarget, type TargetHints } from './request-target.js';

const METHODS: ReadonlySet<string> = new Set<S3Request['method']>(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);

/** Who sent the request and how it arrived, as the door decided (the SDK request cannot say). */
export interface RequestOrigin {
  principal: string;
  /** true: the hop was secure whatever the SDK's endpoint protocol says (the in-process hop) */
  secureTransport: boolean;
}

/** lower-case names; names that differ only in case are joined with ", " as HTTP joins repeated headers */
function lowerCaseHeaders(headers: HttpRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    out[n] = out[n] === undefined ? value : `${out[n]}, ${value}`;
  }
  return out;
}

/**
 * The SDK keeps query values decoded (its HTTP handler encodes them when it writes the URL), so
 * they are taken as they are; a parameter without a value (`?uploads`) is `null` there and "" here,
 * a repeated one is joined with ",".
 */
function queryOf(query: HttpRequest['query']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(query ?? {})) {
    out[name] = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

/**
 * The SDK's finished, signed HttpRequest as the S3Request the core takes (DESIGN.md "Doors"):
 * method, bucket and key from host and path (path-style or virtual-hosted, see requestTarget),
 * decoded query, lower-cased headers, the body as a Readable, and the transport/principal the door
 * established. Throws SealError (InvalidRequest, NotImplemented) for what no S3 request can be.
 */
export function toS3Request(request: HttpRequest, origin: RequestOrigin, hints: TargetHints = {}): S3Request {
  const method = request.method.toUpperCase();
  if (!METHODS.has(method)) throw new SealError('NotImplemented', `A request with the ${method} method is not implemented.`);
  const body = requestBody(request.body);
  return {
    method: method as S3Request['method'],
    ...requestTarget(request.hostname, request.path, hints),
    query: queryOf(request.query),
    headers: lowerCaseHeaders(request.headers),
    ...(body !== undefined ? { body } : {}),
    secureTransport: origin.secureTransport || request.protocol === 'https:',
    principal: origin.principal,
  };
}
