/**
 * One error base class for every layer (DESIGN.md "Errors", issue 7 item 8): a stable `code`,
 * whether the caller may `retryable`-ly try again (outages), and the `cause` that led to it. Lower
 * layers (format, crypto, keystores, engine, backends, configuration) throw subclasses with their own
 * code sets; how a code looks to an S3 caller (S3 error code, HTTP status, message) is decided only in
 * `src/adapters/s3/` (s3-error-shape.ts), so no layer below the S3 core knows S3's wire shapes.
 * Messages never contain key material: constructors take only descriptive text.
 */
export class S3SealError<C extends string = string> extends Error {
  readonly code: C;
  /** a caller may retry (outages); everything else is final */
  readonly retryable: boolean;

  constructor(code: C, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'S3SealError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

export function isS3SealError(err: unknown): err is S3SealError {
  return err instanceof S3SealError;
}

/** Codes of the engine, format and request layers (keystores have KeystoreErrorCode). */
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
  | 'InvalidRequest'
  | 'InvalidEncryptionAlgorithm'
  | 'InvalidRange'
  | 'InvalidPartNumber'
  | 'AccessDenied'
  // a write refused by an encryption rule of the bucket or a local floor (S3: AccessDenied 403); its
  // message is built from local configuration only, so, unlike AccessDenied's, the caller may read it
  | 'EncryptionPolicyDenied'
  | 'PreconditionFailed'
  | 'MetadataTooLarge'
  | 'EntityTooLarge'
  // request bodies (aws-chunked framing, trailers, chunk signatures, plaintext checksums)
  | 'IncompleteBody'
  | 'InvalidChunkEncoding'
  | 'MalformedTrailer'
  | 'SignatureDoesNotMatch'
  | 'BadDigest'
  | 'InvalidDigest'
  | 'NotImplemented'
  // a request body whose length the request does not state (S3: MissingContentLength 411)
  | 'MissingContentLength'
  // a body whose SHA-256 is not the x-amz-content-sha256 it was signed with
  | 'ContentSha256Mismatch'
  // S3 XML request bodies (CompleteMultipartUpload, CreateBucketConfiguration)
  | 'MalformedXML'
  | 'InvalidPartOrder'
  // the object server could not be reached or failed (5xx): fail closed, retryable
  | 'BackendUnavailable'
  // the bucket encryption configurations (FORMAT.md §13) were tampered with, rolled back, deleted or
  // are malformed: every write of the bucket fails closed until an administrator restores them
  | 'BucketConfigurationInvalid'
  // GetBucketEncryption of a bucket with none set (S3: ServerSideEncryptionConfigurationNotFoundError 404)
  | 'EncryptionConfigurationNotFound'
  // a conditional write lost to concurrent writers again and again (S3: ConditionalRequestConflict 409): retryable
  | 'ConditionalRequestConflict';

export class SealError extends S3SealError<SealErrorCode> {
  constructor(code: SealErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { retryable: code === 'BackendUnavailable' || code === 'ConditionalRequestConflict', cause: options.cause });
    this.name = 'SealError';
  }
}

export function isSealError(err: unknown, code?: SealErrorCode): err is SealError {
  return err instanceof SealError && (code === undefined || err.code === code);
}
