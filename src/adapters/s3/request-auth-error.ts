import { S3SealError } from '../../errors.js';

/**
 * Why a door refused to authenticate a request (SigV4, Amazon S3 "Authenticating requests"). The
 * door throws these; s3-error-shape.ts alone turns each into S3's code, status and text. Messages
 * name the problem (a field, a region), never a secret, a signature or a string-to-sign.
 */
export type RequestAuthErrorCode =
  // the access key id is not in the policy document
  | 'InvalidAccessKeyId'
  // the signature (header, query or chunk) is not the one the secret makes
  | 'SignatureDoesNotMatch'
  // a presigned URL past X-Amz-Date + X-Amz-Expires
  | 'RequestExpired'
  // a presigned URL dated further in the future than the allowed skew
  | 'RequestNotYetValid'
  // a header-signed request dated more than the allowed skew from the gateway's clock
  | 'RequestTimeTooSkewed'
  // an Authorization header that does not parse, or names another region or service
  | 'AuthorizationHeaderMalformed'
  // presigned-URL parameters missing, malformed or out of range (X-Amz-Expires over 7 days)
  | 'AuthorizationQueryParametersError'
  // an x-amz-* header the signature does not cover
  | 'HeadersNotSigned'
  // no signature at all (anonymous requests are not served)
  | 'MissingAuthentication'
  // neither x-amz-date nor Date
  | 'MissingDate'
  // SigV2, SigV4a or another scheme
  | 'UnsupportedAuthorization';

export class RequestAuthError extends S3SealError<RequestAuthErrorCode> {
  constructor(code: RequestAuthErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'RequestAuthError';
  }
}
