import { createHash, timingSafeEqual } from 'node:crypto';
import { SealError } from '../../errors.js';
import type { AccessKeyLookup } from '../../policies/access-key-lookup.js';
import type { ChunkSignatureVerifier } from '../s3/chunk-signature-verifier.js';
import { RequestAuthError } from '../s3/request-auth-error.js';
import { formatAmzDate, parseAmzDate } from './amz-date.js';
import { isPresigned, parseAuthorizationHeader, parsePresignedQuery, type SignatureParts } from './signature-parts.js';
import { hmac, SIGV4_ALGORITHM, signingKey } from './signing-key.js';
import { SigV4ChunkVerifier } from './sigv4-chunk-verifier.js';
import { canonicalQuery, canonicalUri, type QueryParam } from './uri-encode.js';

/** S3's allowed clock difference for header-signed requests (and a presigned URL's start) */
export const MAX_SKEW_MS = 15 * 60_000;

const SHA256_HEX = /^[0-9a-f]{64}$/;
const PAYLOAD_MARKERS: ReadonlySet<string> = new Set([
  'UNSIGNED-PAYLOAD',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  // SigV4a's streaming variants: signed over, then refused by the S3 core's aws-chunked reader
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
]);

/** a request as it came off the wire, before anything is decoded */
export interface SignedRequest {
  method: string;
  /** the encoded path, as received (no query) */
  rawPath: string;
  /** the query parameters, decoded, in order */
  query: readonly QueryParam[];
  /** header name (lower case) → value; repeated headers joined with "," (node:http joins most with ", ") */
  headers: Readonly<Record<string, string>>;
}

export interface VerifySigV4Options {
  /** the region clients must sign for (the credential scope's region) */
  region: string;
  /** epoch milliseconds now (tests pass a fixed clock) */
  now?: () => number;
}

/** who signed the request, and what the S3 core needs to check the rest of it */
export interface Authentication {
  principal: string;
  accessKeyId: string;
  presigned: boolean;
  /** for a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD*` body: checks every chunk's signature */
  chunkSignatureVerifier?: ChunkSignatureVerifier;
}

/** SigV4's header-value canonicalization: trimmed, inner runs of spaces collapsed to one */
function canonicalValue(v: string): string {
  return v.trim().replace(/\s+/g, ' ');
}

/**
 * Verifies a SigV4 signature (Amazon S3 "Authenticating Requests (AWS Signature Version 4)") from
 * the Authorization header or a presigned URL's query, and names the principal of the access key.
 * Checks, in S3's order: the scheme and its fields, the scope's region and service, the access key,
 * the time (15 minutes of skew for header auth; expiry for presigned URLs), that every x-amz-*
 * header present is signed, and the signature itself (constant time). The payload hash it signs
 * over (`x-amz-content-sha256`, `UNSIGNED-PAYLOAD` for presigned URLs without it) is the S3 core's
 * to check against the body as it streams, before the final chunk is committed.
 */
export function verifySigV4(req: SignedRequest, keys: AccessKeyLookup, opts: VerifySigV4Options): Authentication {
  const h = req.headers;
  const now = (opts.now ?? Date.now)();
  const authorization = h['authorization'];
  const presigned = isPresigned(req.query);
  if (authorization !== undefined && presigned) throw new SealError('InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
  if (authorization === undefined && !presigned) throw new RequestAuthError('MissingAuthentication', 'anonymous requests are not served');
  const parts = authorization !== undefined ? parseAuthorizationHeader(authorization) : parsePresignedQuery(req.query);
  const malformed = parts.presigned ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed';
  const prefix = parts.presigned ? 'Error parsing the X-Amz-Credential parameter; ' : 'The authorization header is malformed; ';
  if (parts.region !== opts.region) throw new RequestAuthError(malformed, `${prefix}the region '${parts.region.slice(0, 64)}' is wrong; expecting '${opts.region}'`);
  if (parts.service !== 's3') throw new RequestAuthError(malformed, `${prefix}incorrect service '${parts.service.slice(0, 64)}'. This endpoint belongs to 's3'.`);
  const identity = keys.lookup(parts.accessKeyId);
  // not echoed whole: a client that swapped id and secret would otherwise put its secret in the log
  if (identity === undefined) throw new RequestAuthError('InvalidAccessKeyId', `the access key id you provided (${parts.accessKeyId.slice(0, 4)}…, ${parts.accessKeyId.length} characters) is not in the policy document`);

  const amzDate = requestTime(parts, h, now);
  if (amzDate.slice(0, 8) !== parts.scopeDate) throw new RequestAuthError(malformed, `${prefix}Invalid credential date "${parts.scopeDate}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);

  const payload = payloadHash(parts, h, req.query);
  const signed = new Set(parts.signedHeaders);
  if (!signed.has('host')) throw new RequestAuthError(malformed, `${parts.presigned ? '' : prefix}the host header must be signed.`);
  for (const name of Object.keys(h)) {
    if (name.startsWith('x-amz-') && !signed.has(name)) throw new RequestAuthError('HeadersNotSigned', `header ${name} is not signed`);
  }
  const missing = parts.signedHeaders.find((n) => h[n] === undefined);
  if (missing !== undefined) throw new RequestAuthError('SignatureDoesNotMatch', `the signed header ${missing} is missing from the request`);

  const canonical = [
    req.method,
    canonicalUri(req.rawPath),
    canonicalQuery(req.query, parts.presigned ? 'X-Amz-Signature' : undefined),
    parts.signedHeaders.map((n) => `${n}:${canonicalValue(h[n]!)}\n`).join(''),
    parts.signedHeaders.join(';'),
    payload,
  ].join('\n');
  const scope = `${parts.scopeDate}/${parts.region}/${parts.service}/aws4_request`;
  const stringToSign = `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
  const key = signingKey(identity.secret.bytes(), parts.scopeDate, parts.region, parts.service);
  const expected = hmac(key, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(parts.signature, 'hex'))) {
    key.fill(0);
    throw new RequestAuthError('SignatureDoesNotMatch', 'the request signature does not match');
  }
  const streamingSigned = payload.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
  if (!streamingSigned) key.fill(0);
  return {
    principal: identity.principal,
    accessKeyId: identity.accessKeyId,
    presigned: parts.presigned,
    ...(streamingSigned ? { chunkSignatureVerifier: new SigV4ChunkVerifier(parts.signature, key, amzDate, scope) } : {}),
  };
}

/** the request's timestamp as `YYYYMMDDTHHMMSSZ`, checked against the clock */
function requestTime(parts: SignatureParts, h: Readonly<Record<string, string>>, now: number): string {
  if (parts.presigned) {
    const t = parseAmzDate(parts.amzDate!);
    if (t === undefined) throw new RequestAuthError('AuthorizationQueryParametersError', 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
    if (t - now > MAX_SKEW_MS) throw new RequestAuthError('RequestNotYetValid', 'the presigned URL is dated in the future');
    if (now > t + parts.expires! * 1000) throw new RequestAuthError('RequestExpired', 'the presigned URL has expired');
    return parts.amzDate!;
  }
  const x = h['x-amz-date'];
  let t: number | undefined;
  let text: string | undefined;
  if (x !== undefined) {
    t = parseAmzDate(x);
    text = x;
  } else if (h['date'] !== undefined) {
    const d = Date.parse(h['date']);
    t = Number.isNaN(d) ? undefined : d;
    text = t === undefined ? undefined : formatAmzDate(t);
  }
  if (t === undefined || text === undefined) throw new RequestAuthError('MissingDate', 'neither x-amz-date nor Date holds a valid time');
  if (Math.abs(t - now) > MAX_SKEW_MS) throw new RequestAuthError('RequestTimeTooSkewed', `the request time is ${Math.round((t - now) / 1000)} s from the gateway's clock`);
  return text;
}

/** the payload hash the signature covers: header auth must name one; a presigned URL signs UNSIGNED-PAYLOAD unless it carries one */
function payloadHash(parts: SignatureParts, h: Readonly<Record<string, string>>, query: readonly QueryParam[]): string {
  // the S3 presigner hoists x-amz-content-sha256 (UNSIGNED-PAYLOAD) into the query with the other x-amz-* headers
  const sha = h['x-amz-content-sha256'] ?? (parts.presigned ? query.find((q) => q.name.toLowerCase() === 'x-amz-content-sha256')?.value : undefined);
  if (sha === undefined) {
    if (parts.presigned) return 'UNSIGNED-PAYLOAD';
    throw new SealError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }
  if (!SHA256_HEX.test(sha) && !PAYLOAD_MARKERS.has(sha)) {
    throw new SealError('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.');
  }
  if (parts.presigned && sha.startsWith('STREAMING-AWS4-')) throw new SealError('InvalidRequest', 'a presigned URL cannot carry a signed aws-chunked body (it has no seed signature)');
  return sha;
}
