import { S3SealError } from '../errors.js';

/** An S3 error code as the backend may report it: a short identifier, nothing that could carry data. */
const CODE = /^[A-Za-z][A-Za-z0-9.]{0,63}$/;

/**
 * The object server refused a request with a 4xx answer a caller can cause (NoSuchKey, NoSuchBucket,
 * PreconditionFailed, NoSuchUpload, BucketNotEmpty…). It keeps S3's code and HTTP status so the S3
 * core can answer as S3 would, but never the backend's message or any other text of its answer: the
 * message is generic, since an answer may quote a key, a header or a value. A code that is not a
 * plain identifier is kept as "InvalidRequest".
 */
export class BackendRequestError extends S3SealError<'BackendRequestError'> {
  /** the backend's S3 error code (e.g. "NoSuchKey"; "NotFound" for a bodiless HEAD 404) */
  readonly s3Code: string;
  /** the backend's HTTP status (400..499) */
  readonly status: number;

  constructor(s3Code: string, status: number, operation: string) {
    const code = CODE.test(s3Code) ? s3Code : 'InvalidRequest';
    super('BackendRequestError', `the object server refused ${operation}: ${code} (${status})`);
    this.name = 'BackendRequestError';
    this.s3Code = code;
    this.status = status;
  }
}
