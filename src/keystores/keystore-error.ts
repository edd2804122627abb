/**
 * Keystore failures with the codes DESIGN.md lists. `retryable` marks outages (fail closed with a
 * 503-class error after bounded retries). Messages name keys and operations, never key material.
 */
export type KeystoreErrorCode =
  | 'KeyStoreUnavailable'
  | 'KMS.NotFoundException'
  | 'KMS.DisabledException'
  | 'KMS.InvalidCiphertextException'
  | 'AccessDenied'
  | 'KMS.AlreadyExistsException'
  | 'KeyStoreMisconfigured';

const STATUS: Record<KeystoreErrorCode, number> = {
  KeyStoreUnavailable: 503,
  'KMS.NotFoundException': 400,
  'KMS.DisabledException': 400,
  'KMS.InvalidCiphertextException': 403,
  AccessDenied: 403,
  'KMS.AlreadyExistsException': 409,
  KeyStoreMisconfigured: 500,
};

export class KeystoreError extends Error {
  readonly code: KeystoreErrorCode;
  readonly status: number;
  readonly retryable: boolean;

  constructor(code: KeystoreErrorCode, message: string) {
    super(message);
    this.name = 'KeystoreError';
    this.code = code;
    this.status = STATUS[code];
    this.retryable = code === 'KeyStoreUnavailable';
  }
}
