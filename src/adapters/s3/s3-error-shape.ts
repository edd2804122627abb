import { SealError, S3SealError, type SealErrorCode } from '../../errors.js';
import { KeystoreError, type KeystoreErrorCode } from '../../keystores/keystore-error.js';
import { BackendRequestError } from '../../backends/backend-request-error.js';
import { RequestAuthError, type RequestAuthErrorCode } from './request-auth-error.js';

/** How an error looks on the S3 wire: the `<Code>`, the HTTP status and the `<Message>`. */
export interface S3ErrorShape {
  code: string;
  status: number;
  message: string;
}

interface Mapping {
  code: string;
  status: number;
  /** S3's fixed text for this code; absent = the error's own message (written as S3's, key-free) */
  message?: string;
}

// Fixed texts are Amazon S3's descriptions from "Error responses → List of error codes"
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
const INTERNAL: Mapping = { code: 'InternalError', status: 500, message: 'We encountered an internal error. Please try again.' };
const UNAVAILABLE: Mapping = { code: 'ServiceUnavailable', status: 503, message: 'Service is unable to handle request.' };
const ACCESS_DENIED: Mapping = { code: 'AccessDenied', status: 403, message: 'Access Denied' };
const NO_SUCH_UPLOAD: Mapping = {
  code: 'NoSuchUpload',
  status: 404,
  message: 'The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed.',
};

// Integrity failures are a 500 to S3 callers: the stored object is corrupt, the request itself was
// fine. The specific code stays in `code` and in logs; the wire gets S3's generic text, so nothing
// about the format or the stored bytes leaks through an error body.
const SEAL: Record<SealErrorCode, Mapping> = {
  EnvelopeMissing: INTERNAL,
  EnvelopeMalformed: INTERNAL,
  EnvelopeAuthFailed: INTERNAL,
  UnsupportedFormatVersion: INTERNAL,
  BodyMalformed: INTERNAL,
  BodyAuthFailed: INTERNAL,
  KeyCommitmentMismatch: INTERNAL,
  BodyTruncated: INTERNAL,
  BodyTrailingData: INTERNAL,
  LayoutMismatch: INTERNAL,
  MultipartIncomplete: INTERNAL,
  UploadTokenInvalid: NO_SUCH_UPLOAD,
  PartLengthMismatch: { code: 'IncompleteBody', status: 400, message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.' },
  InvalidArgument: { code: 'InvalidArgument', status: 400 },
  InvalidRequest: { code: 'InvalidRequest', status: 400 },
  // S3 "List of error codes": InvalidEncryptionAlgorithmError, 400 (an SSE-C algorithm other than AES256)
  InvalidEncryptionAlgorithm: { code: 'InvalidEncryptionAlgorithmError', status: 400, message: 'The Encryption request you specified is not valid. Supported value: AES256.' },
  InvalidRange: { code: 'InvalidRange', status: 416, message: 'The requested range is not satisfiable' },
  // a GET/HEAD `partNumber` the object does not have (a single-part object has part 1 only)
  InvalidPartNumber: { code: 'InvalidPartNumber', status: 416, message: 'The requested partnumber is not satisfiable' },
  // S3's own text only: the message inside (which key, which configuration) is for logs, never for
  // a caller who was just refused — and part of it may come from an attacker-written envelope field
  AccessDenied: ACCESS_DENIED,
  // S3 refuses a blocked encryption type with AccessDenied 403; the message says which rule (local configuration, never an envelope's text)
  EncryptionPolicyDenied: { code: 'AccessDenied', status: 403 },
  PreconditionFailed: { code: 'PreconditionFailed', status: 412, message: 'At least one of the pre-conditions you specified did not hold' },
  MetadataTooLarge: { code: 'MetadataTooLarge', status: 400, message: 'Your metadata headers exceed the maximum allowed metadata size.' },
  EntityTooLarge: { code: 'EntityTooLarge', status: 400, message: 'Your proposed upload exceeds the maximum allowed object size.' },
  NotImplemented: { code: 'NotImplemented', status: 501 },
  MissingContentLength: { code: 'MissingContentLength', status: 411, message: 'You must provide the Content-Length HTTP header.' },
  ContentSha256Mismatch: { code: 'XAmzContentSHA256Mismatch', status: 400, message: "The provided 'x-amz-content-sha256' header does not match what was computed." },
  MalformedXML: { code: 'MalformedXML', status: 400, message: 'The XML you provided was not well-formed or did not validate against our published schema.' },
  InvalidPartOrder: { code: 'InvalidPartOrder', status: 400, message: 'The list of parts was not in ascending order. The parts list must be specified in order by part number.' },
  // request bodies: aws-chunked framing and trailers, chunk signatures, plaintext checksums
  IncompleteBody: { code: 'IncompleteBody', status: 400, message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.' },
  InvalidChunkEncoding: { code: 'InvalidRequest', status: 400 },
  MalformedTrailer: { code: 'MalformedTrailerError', status: 400, message: 'The request contained trailing data that was not well-formed or did not conform to our published schema.' },
  SignatureDoesNotMatch: { code: 'SignatureDoesNotMatch', status: 403, message: 'The request signature we calculated does not match the signature you provided.' },
  // the message names the algorithm whose digest did not match (S3's own wording)
  BadDigest: { code: 'BadDigest', status: 400 },
  InvalidDigest: { code: 'InvalidDigest', status: 400, message: 'The Content-MD5 you specified is not valid.' },
  BackendUnavailable: UNAVAILABLE,
  // 503 with the error's own message (which bucket, what failed — no key material): the request was
  // fine, the service cannot serve it until an administrator restores the configuration. Not
  // retryable in s3seal's sense (it does not heal by itself); SDKs still retry a 503 a few times,
  // which also rides out the moment between the reserved bucket's creation and its first document.
  BucketConfigurationInvalid: { code: 'ServiceUnavailable', status: 503 },
  EncryptionConfigurationNotFound: { code: 'ServerSideEncryptionConfigurationNotFoundError', status: 404, message: 'The server side encryption configuration was not found' },
  ConditionalRequestConflict: { code: 'ConditionalRequestConflict', status: 409, message: 'A conflicting operation occurred. If using PutObject you can retry the request.' },
};

// S3 reports SSE-KMS key problems with the KMS exception name prefixed by "KMS." and 400 (S3
// "List of error codes": KMS.DisabledException, KMS.NotFoundException, … all 400 Bad Request);
// a KMS that cannot open the stored key for this caller is, to the S3 caller, a denial.
const KEYSTORE: Record<KeystoreErrorCode, Mapping> = {
  'KMS.NotFoundException': { code: 'KMS.NotFoundException', status: 400 },
  'KMS.DisabledException': { code: 'KMS.DisabledException', status: 400 },
  // a wrapped key that does not open under its key and context is a corrupt or swapped envelope
  // (integrity), not a refusal of this caller: a generic 500, like every integrity failure
  'KMS.InvalidCiphertextException': INTERNAL,
  AccessDenied: ACCESS_DENIED,
  // only key management (not an S3 operation) creates keys; 409 as for any name conflict
  'KMS.AlreadyExistsException': { code: 'KMS.AlreadyExistsException', status: 409 },
  KeyStoreUnavailable: UNAVAILABLE,
  KeyStoreMisconfigured: INTERNAL,
};

// SigV4 failures as Amazon S3 answers them ("List of error codes"; expired and not-yet-valid presigned
// URLs and unsigned x-amz-* headers are AccessDenied with S3's own texts). Malformed-header and
// query-parameter errors carry the door's message (which field, which region: no secret).
const AUTH: Record<RequestAuthErrorCode, Mapping> = {
  InvalidAccessKeyId: { code: 'InvalidAccessKeyId', status: 403, message: 'The AWS Access Key Id you provided does not exist in our records.' },
  SignatureDoesNotMatch: { code: 'SignatureDoesNotMatch', status: 403, message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' },
  RequestExpired: { code: 'AccessDenied', status: 403, message: 'Request has expired' },
  RequestNotYetValid: { code: 'AccessDenied', status: 403, message: 'Request is not valid yet' },
  RequestTimeTooSkewed: { code: 'RequestTimeTooSkewed', status: 403, message: 'The difference between the request time and the current time is too large.' },
  AuthorizationHeaderMalformed: { code: 'AuthorizationHeaderMalformed', status: 400 },
  AuthorizationQueryParametersError: { code: 'AuthorizationQueryParametersError', status: 400 },
  HeadersNotSigned: { code: 'AccessDenied', status: 403, message: 'There were headers present in the request which were not signed' },
  MissingAuthentication: ACCESS_DENIED,
  MissingDate: { code: 'AccessDenied', status: 403, message: 'AWS authentication requires a valid Date or x-amz-date header' },
  UnsupportedAuthorization: { code: 'InvalidRequest', status: 400, message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.' },
};

// The backend's 4xx answers keep its S3 code and status, with S3's fixed text for the code: the
// backend's own message never reaches the caller (it may quote keys or values). A HEAD 404 has no
// body, so the SDK names it "NotFound": for an object that is NoSuchKey (bucket HEADs have no body).
const BACKEND: Readonly<Record<string, Mapping>> = {
  NotFound: { code: 'NoSuchKey', status: 404, message: 'The specified key does not exist.' },
  NoSuchKey: { code: 'NoSuchKey', status: 404, message: 'The specified key does not exist.' },
  NoSuchBucket: { code: 'NoSuchBucket', status: 404, message: 'The specified bucket does not exist' },
  NoSuchUpload: NO_SUCH_UPLOAD,
  PreconditionFailed: { code: 'PreconditionFailed', status: 412, message: 'At least one of the pre-conditions you specified did not hold' },
  BucketAlreadyOwnedByYou: { code: 'BucketAlreadyOwnedByYou', status: 409, message: 'Your previous request to create the named bucket succeeded and you already own it.' },
  BucketAlreadyExists: { code: 'BucketAlreadyExists', status: 409, message: 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.' },
  BucketNotEmpty: { code: 'BucketNotEmpty', status: 409, message: 'The bucket you tried to delete is not empty' },
  InvalidBucketName: { code: 'InvalidBucketName', status: 400, message: 'The specified bucket is not valid.' },
  AccessDenied: ACCESS_DENIED,
  InvalidPart: { code: 'InvalidPart', status: 400, message: 'One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part\'s entity tag.' },
  InvalidPartOrder: { code: 'InvalidPartOrder', status: 400, message: 'The list of parts was not in ascending order. The parts list must be specified in order by part number.' },
  EntityTooSmall: { code: 'EntityTooSmall', status: 400, message: 'Your proposed upload is smaller than the minimum allowed object size.' },
  InvalidRange: { code: 'InvalidRange', status: 416, message: 'The requested range is not satisfiable' },
  EncryptionConfigurationNotFound: { code: 'ServerSideEncryptionConfigurationNotFoundError', status: 404, message: 'The server side encryption configuration was not found' },
  ConditionalRequestConflict: { code: 'ConditionalRequestConflict', status: 409, message: 'A conflicting operation occurred. If using PutObject you can retry the request.' },
};

/** A code the table does not know keeps its code and status, with a generic text. */
function backendShape(err: BackendRequestError): S3ErrorShape {
  const known = Object.hasOwn(BACKEND, err.s3Code) ? BACKEND[err.s3Code] : undefined;
  if (known) return { code: known.code, status: known.status, message: known.message! };
  const status = err.status >= 400 && err.status < 500 ? err.status : 400;
  return { code: err.s3Code, status, message: 'The object server refused the request.' };
}

function shape(m: Mapping, err: Error): S3ErrorShape {
  return { code: m.code, status: m.status, message: m.message ?? err.message };
}

/**
 * Any thrown value → the S3 error a caller sees (DESIGN.md "Errors"). Only s3seal's own typed
 * errors are trusted to carry a caller-facing message; anything else (a bug, a library's error,
 * a non-Error) becomes InternalError with S3's generic text, so no foreign message — which might
 * quote a header or a buffer — reaches the wire.
 */
export function s3ErrorShape(err: unknown): S3ErrorShape {
  if (err instanceof SealError) return shape(SEAL[err.code], err);
  if (err instanceof KeystoreError) return shape(KEYSTORE[err.code], err);
  if (err instanceof RequestAuthError) return shape(AUTH[err.code], err);
  if (err instanceof BackendRequestError) return backendShape(err);
  if (err instanceof S3SealError) return shape(err.retryable ? UNAVAILABLE : INTERNAL, err);
  return { code: INTERNAL.code, status: INTERNAL.status, message: INTERNAL.message! };
}
