import { S3SealError } from '../errors.js';

/**
 * Keystore failures with the codes DESIGN.md lists. `retryable` marks outages (fail closed with a
 * 503-class error after bounded retries). Messages name keys and operations, never key material.
 * How a code looks to an S3 caller is decided in src/adapters/s3/s3-error-shape.ts, not here.
 */
export type KeystoreErrorCode =
  | 'KeyStoreUnavailable'
  | 'KMS.NotFoundException'
  | 'KMS.DisabledException'
  | 'KMS.InvalidCiphertextException'
  | 'AccessDenied'
  | 'KMS.AlreadyExistsException'
  | 'KeyStoreMisconfigured';

export class KeystoreError extends S3SealError<KeystoreErrorCode> {
  constructor(code: KeystoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { retryable: code === 'KeyStoreUnavailable', cause: options.cause });
    this.name = 'KeystoreError';
  }
}
