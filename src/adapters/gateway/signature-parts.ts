import { RequestAuthError, type RequestAuthErrorCode } from '../s3/request-auth-error.js';
import { SIGV4_ALGORITHM } from './signing-key.js';
import type { QueryParam } from './uri-encode.js';

/** what a SigV4 signature claims, from the Authorization header or a presigned URL's query */
export interface SignatureParts {
  presigned: boolean;
  accessKeyId: string;
  /** the credential scope's date, `YYYYMMDD` */
  scopeDate: string;
  region: string;
  service: string;
  /** lower-case header names, as the client listed them */
  signedHeaders: string[];
  signature: string;
  /** presigned only: X-Amz-Date and X-Amz-Expires (seconds) */
  amzDate?: string;
  expires?: number;
}

const SIGNATURE = /^[0-9a-f]{64}$/;
const SCOPE_DATE = /^\d{8}$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
/** S3: a presigned URL is valid for at most 7 days */
export const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

function credential(value: string, code: RequestAuthErrorCode, prefix: string): Pick<SignatureParts, 'accessKeyId' | 'scopeDate' | 'region' | 'service'> {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) throw new RequestAuthError(code, `${prefix}the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  const [accessKeyId, scopeDate, region, service, terminal] = parts as [string, string, string, string, string];
  if (!SCOPE_DATE.test(scopeDate)) throw new RequestAuthError(code, `${prefix}incorrect date format "${scopeDate.slice(0, 16)}". This date in the credential must be in the format "yyyyMMdd".`);
  if (terminal !== 'aws4_request') throw new RequestAuthError(code, `${prefix}incorrect terminal "${terminal.slice(0, 32)}". This endpoint uses "aws4_request".`);
  return { accessKeyId, scopeDate, region, service };
}

function signedHeaders(value: string, code: RequestAuthErrorCode, prefix: string): string[] {
  const names = value.split(';');
  if (names.some((n) => !HEADER_NAME.test(n))) throw new RequestAuthError(code, `${prefix}SignedHeaders must be lower-case header names separated by ";".`);
  return names;
}

/**
 * `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;…,
 * Signature=…`. Another scheme (SigV2's `AWS AKID:sig`, SigV4a) is UnsupportedAuthorization.
 */
export function parseAuthorizationHeader(header: string): SignatureParts {
  const prefix = 'The authorization header is malformed; ';
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    if (algorithm === 'AWS' || algorithm.startsWith('AWS4-')) throw new RequestAuthError('UnsupportedAuthorization', `authorization scheme ${algorithm.slice(0, 32)} is not supported`);
    throw new RequestAuthError('AuthorizationHeaderMalformed', `${prefix}the authorization mechanism must be AWS4-HMAC-SHA256.`);
  }
  const fields = new Map<string, string>();
  for (const item of header.slice(space + 1).split(',')) {
    const t = item.trim();
    const eq = t.indexOf('=');
    if (eq <= 0) throw new RequestAuthError('AuthorizationHeaderMalformed', `${prefix}the authorization component "${t.slice(0, 32)}" is malformed.`);
    const k = t.slice(0, eq);
    if (fields.has(k)) throw new RequestAuthError('AuthorizationHeaderMalformed', `${prefix}${k} appears twice.`);
    fields.set(k, t.slice(eq + 1));
  }
  const c = fields.get('Credential');
  const h = fields.get('SignedHeaders');
  const s = fields.get('Signature');
  if (c === undefined || h === undefined || s === undefined || fields.size !== 3) {
    throw new RequestAuthError('AuthorizationHeaderMalformed', `${prefix}it must hold exactly Credential, SignedHeaders and Signature.`);
  }
  if (!SIGNATURE.test(s)) throw new RequestAuthError('AuthorizationHeaderMalformed', `${prefix}the Signature must be 64 lower-case hex digits.`);
  return { presigned: false, ...credential(c, 'AuthorizationHeaderMalformed', prefix), signedHeaders: signedHeaders(h, 'AuthorizationHeaderMalformed', prefix), signature: s };
}

const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'] as const;

/** whether the query carries SigV4 query authentication (a presigned URL) */
export function isPresigned(query: readonly QueryParam[]): boolean {
  return query.some((p) => p.name === 'X-Amz-Algorithm' || p.name === 'X-Amz-Signature' || p.name === 'X-Amz-Credential');
}

/** a presigned URL's X-Amz-* parameters (S3 "Authenticating Requests: Using Query Parameters") */
export function parsePresignedQuery(query: readonly QueryParam[]): SignatureParts {
  const code = 'AuthorizationQueryParametersError';
  const p = new Map<string, string>();
  for (const q of query) {
    if (!(PRESIGN_PARAMS as readonly string[]).includes(q.name)) continue;
    if (p.has(q.name)) throw new RequestAuthError(code, `${q.name} appears twice.`);
    p.set(q.name, q.value);
  }
  if (PRESIGN_PARAMS.some((n) => !p.has(n))) {
    throw new RequestAuthError(code, 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  const algorithm = p.get('X-Amz-Algorithm')!;
  if (algorithm !== SIGV4_ALGORITHM) {
    if (algorithm.startsWith('AWS4-')) throw new RequestAuthError('UnsupportedAuthorization', `X-Amz-Algorithm ${algorithm.slice(0, 32)} is not supported`);
    throw new RequestAuthError(code, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  const expiresText = p.get('X-Amz-Expires')!;
  if (!/^\d{1,7}$/.test(expiresText)) throw new RequestAuthError(code, 'X-Amz-Expires should be a number');
  const expires = Number(expiresText);
  if (expires < 1) throw new RequestAuthError(code, 'X-Amz-Expires must be non-negative');
  if (expires > MAX_PRESIGNED_SECONDS) throw new RequestAuthError(code, `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_SECONDS}`);
  const s = p.get('X-Amz-Signature')!;
  if (!SIGNATURE.test(s)) throw new RequestAuthError(code, 'X-Amz-Signature must be 64 lower-case hex digits.');
  return {
    presigned: true,
    ...credential(p.get('X-Amz-Credential')!, code, 'Error parsing the X-Amz-Credential parameter; '),
    signedHeaders: signedHeaders(p.get('X-Amz-SignedHeaders')!, code, ''),
    signature: s,
    amzDate: p.get('X-Amz-Date')!,
    expires,
  };
}
