/**
 * Every failure s3seal raises carries a stable code. Codes that a caller of S3 can see map to the
 * S3 error code and HTTP status that Amazon S3 uses for the same situation (see DESIGN.md, "Errors").
 * Messages never contain key material: constructors take only descriptive text.
 */
export type SealErrorCode =
  // format / integrity (a stored object is not what s3seal wrote): never served as bytes
  | 'EnvelopeMissing'
  | 'EnvelopeMalformed'
  | 'EnvelopeAuthFailed'
  | 'UnsupportedFormatVersion'
  | 'BodyMalformed'
  | 'BodyAuthFailed'
  | 'KeyCommitmentMismatch'
  | 'BodyTruncated'
  | 'BodyTrailingData'
  | 'LayoutMismatch'
  | 'MultipartIncomplete'
  | 'UploadTokenInvalid'
  | 'PartLengthMismatch'
  // caller errors
  | 'InvalidArgument'
  | 'InvalidRange'
  | 'AccessDenied'
  | 'MetadataTooLarge'
  | 'EntityTooLarge'
  | 'InvalidRequest'
  // request bodies (aws-chunked framing, trailers, chunk signatures, plaintext checksums)
  | 'IncompleteBody'
  | 'InvalidChunkEncoding'
  | 'MalformedTrailer'
  | 'SignatureDoesNotMatch'
  | 'BadDigest'
  | 'InvalidDigest'
  // the object server could not be reached or failed (5xx): fail closed, retryable
  | 'BackendUnavailable';

interface S3Shape {
  s3Code: string;
  status: number;
}

// Integrity failures are reported to S3 callers as a 500-class internal error: the stored object is
// corrupt, the request itself was fine. The specific code stays in logs and in `code`.
const S3_SHAPES: Record<SealErrorCode, S3Shape> = {
  EnvelopeMissing: { s3Code: 'InternalError', status: 500 },
  EnvelopeMalformed: { s3Code: 'InternalError', status: 500 },
  EnvelopeAuthFailed: { s3Code: 'InternalError', status: 500 },
  UnsupportedFormatVersion: { s3Code: 'InternalError', status: 500 },
  BodyMalformed: { s3Code: 'InternalError', status: 500 },
  BodyAuthFailed: { s3Code: 'InternalError', status: 500 },
  KeyCommitmentMismatch: { s3Code: 'InternalError', status: 500 },
  BodyTruncated: { s3Code: 'InternalError', status: 500 },
  BodyTrailingData: { s3Code: 'InternalError', status: 500 },
  LayoutMismatch: { s3Code: 'InternalError', status: 500 },
  MultipartIncomplete: { s3Code: 'InternalError', status: 500 },
  UploadTokenInvalid: { s3Code: 'NoSuchUpload', status: 404 },
  PartLengthMismatch: { s3Code: 'IncompleteBody', status: 400 },
  InvalidArgument: { s3Code: 'InvalidArgument', status: 400 },
  InvalidRange: { s3Code: 'InvalidRange', status: 416 },
  AccessDenied: { s3Code: 'AccessDenied', status: 403 },
  MetadataTooLarge: { s3Code: 'MetadataTooLarge', status: 400 },
  EntityTooLarge: { s3Code: 'EntityTooLarge', status: 400 },
  InvalidRequest: { s3Code: 'InvalidRequest', status: 400 },
  IncompleteBody: { s3Code: 'IncompleteBody', status: 400 },
  InvalidChunkEncoding: { s3Code: 'InvalidRequest', status: 400 },
  MalformedTrailer: { s3Code: 'MalformedTrailerError', status: 400 },
  SignatureDoesNotMatch: { s3Code: 'SignatureDoesNotMatch', status: 403 },
  BadDigest: { s3Code: 'BadDigest', status: 400 },
  InvalidDigest: { s3Code: 'InvalidDigest', status: 400 },
  BackendUnavailable: { s3Code: 'ServiceUnavailable', status: 503 },
};

export class SealError extends Error {
  readonly code: SealErrorCode;
  readonly s3Code: string;
  readonly status: number;
  /** a caller may retry (outages); everything else is final */
  readonly retryable: boolean;

  constructor(code: SealErrorCode, message: string) {
    super(message);
    this.name = 'SealError';
    this.code = code;
    this.s3Code = S3_SHAPES[code].s3Code;
    this.status = S3_SHAPES[code].status;
    this.retryable = code === 'BackendUnavailable';
  }
}

export function isSealError(err: unknown, code?: SealErrorCode): err is SealError {
  return err instanceof SealError && (code === undefined || err.code === code);
}
