import { SealError } from '../../errors.js';
import type { EncryptionContext } from '../../crypto/encryption-context.js';
import type { S3Request } from './s3-request.js';
import { hasSseCustomerHeaders, parseSseCustomerKey, type SseCustomerKey } from './sse-customer-key.js';
import { parseSseContext } from './parse-sse-context.js';

/** What a request asks for, decided from its headers alone (bucket defaults are applied later). */
export type SseRequest =
  | { mode: 'none' }
  | { mode: 'SSE-S3' }
  | { mode: 'SSE-KMS'; keyId?: string; context?: EncryptionContext; bucketKeyEnabled?: boolean }
  | ({ mode: 'SSE-C' } & SseCustomerKey);

/**
 * Which SSE headers an operation takes (S3 API reference, request headers of each operation):
 * - `write`: PutObject, CreateMultipartUpload (POST ?uploads), CopyObject's destination — every mode;
 * - `part`: UploadPart, UploadPartCopy's destination, CompleteMultipartUpload — SSE-C only (the
 *   mode was fixed at CreateMultipartUpload; the SSE-C key is sent again with every part);
 * - `read`: GetObject, HeadObject — SSE-C only ("you'll get an HTTP 400 Bad Request error").
 */
export type SseOperation = 'write' | 'part' | 'read';

const H = {
  sse: 'x-amz-server-side-encryption',
  keyId: 'x-amz-server-side-encryption-aws-kms-key-id',
  context: 'x-amz-server-side-encryption-context',
  bucketKey: 'x-amz-server-side-encryption-bucket-key-enabled',
} as const;

// Amazon S3's messages (InvalidArgument 400): the GET/HEAD one quoted in s3tools/s3cmd#276, the
// SSE-C conflict in aws/aws-sdk-ruby#1302, the unknown method in thoughtbot/paperclip#2243; the
// KMS-parameters one is the text S3 answers a KMS key id sent without aws:kms.
export const SSE_MESSAGES = {
  notSupported: (header: string): string => `${header} header is not supported for this operation.`,
  ssecConflict: 'Server Side Encryption with Customer provided key is incompatible with the encryption method specified',
  unknownMethod: 'The encryption method specified is not supported',
  kmsRequired: 'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
  // s3seal's words (S3 documents the header as a boolean and does not publish its text)
  bucketKeyValue: 'x-amz-server-side-encryption-bucket-key-enabled must be true or false',
  keyIdEmpty: 'x-amz-server-side-encryption-aws-kms-key-id must not be empty',
  keyIdLong: 'x-amz-server-side-encryption-aws-kms-key-id is longer than 2048 characters',
  dsse: 'dual-layer SSE-KMS (aws:kms:dsse) is not implemented by s3seal',
} as const;

// KMS key ids, ARNs and alias names are at most 2048 characters (KMS API reference, KeyId)
const KEY_ID_MAX = 2048;

function parseBucketKeyEnabled(value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new SealError('InvalidArgument', SSE_MESSAGES.bucketKeyValue);
}

/**
 * Parse and validate the SSE headers of one request as Amazon S3 does (issue 7 items 2–3), before
 * anything reaches a keystore or the backend. Errors carry S3's code and message; none quotes a
 * header value. The SSE-C key in the result belongs to the caller, who zeroes it after use.
 */
export function parseSseRequest(req: S3Request, operation: SseOperation): SseRequest {
  const h = req.headers;
  const sse = h[H.sse];
  const kmsHeaders = ([H.keyId, H.context, H.bucketKey] as const).filter((name) => h[name] !== undefined);
  const ssec = hasSseCustomerHeaders(h, 'object');

  if (operation !== 'write') {
    // on reads and parts the mode is the object's or the upload's: only the SSE-C key may be sent
    const refused = sse !== undefined ? H.sse : kmsHeaders[0];
    if (refused !== undefined) throw new SealError('InvalidArgument', SSE_MESSAGES.notSupported(refused));
    const key = parseSseCustomerKey(h, 'object', req.secureTransport);
    return key ? { mode: 'SSE-C', ...key } : { mode: 'none' };
  }

  if (ssec) {
    // over plain HTTP the InvalidRequest comes first (parseSseCustomerKey): a key sent in clear is
    // not looked at further, whatever else the request says
    if (req.secureTransport) {
      if (sse !== undefined) throw new SealError('InvalidArgument', SSE_MESSAGES.ssecConflict);
      if (kmsHeaders.length > 0) throw new SealError('InvalidArgument', SSE_MESSAGES.kmsRequired);
    }
    const key = parseSseCustomerKey(h, 'object', req.secureTransport);
    if (key) return { mode: 'SSE-C', ...key };
  }
  if (sse === undefined || sse === 'AES256') {
    if (kmsHeaders.length > 0) throw new SealError('InvalidArgument', SSE_MESSAGES.kmsRequired);
    return sse === undefined ? { mode: 'none' } : { mode: 'SSE-S3' };
  }
  if (sse === 'aws:kms:dsse') throw new SealError('NotImplemented', SSE_MESSAGES.dsse);
  if (sse !== 'aws:kms') throw new SealError('InvalidArgument', SSE_MESSAGES.unknownMethod);

  const result: { mode: 'SSE-KMS'; keyId?: string; context?: EncryptionContext; bucketKeyEnabled?: boolean } = { mode: 'SSE-KMS' };
  const keyId = h[H.keyId];
  if (keyId !== undefined) {
    if (keyId.trim() === '') throw new SealError('InvalidArgument', SSE_MESSAGES.keyIdEmpty);
    if (keyId.length > KEY_ID_MAX) throw new SealError('InvalidArgument', SSE_MESSAGES.keyIdLong);
    result.keyId = keyId;
  }
  const contextHeader = h[H.context];
  if (contextHeader !== undefined) {
    const context = parseSseContext(contextHeader);
    if (context !== undefined) result.context = context;
  }
  const bucketKey = h[H.bucketKey];
  if (bucketKey !== undefined) result.bucketKeyEnabled = parseBucketKeyEnabled(bucketKey);
  return result;
}
