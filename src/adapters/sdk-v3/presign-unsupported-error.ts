import { S3SealError } from '../../errors.js';

/**
 * Thrown to a caller who presigns (`getSignedUrl`) through a sealed client. A presigned URL is
 * used by someone else, later, straight against the URL's host: the SDK door, which encrypts and
 * decrypts inside this process, would never see that request, so a presigned PUT would store
 * plaintext and a presigned GET would return ciphertext. The gateway verifies presigned URLs itself.
 */
export class PresignUnsupportedError extends S3SealError<'S3Seal.PresignUnsupported'> {
  constructor() {
    super(
      'S3Seal.PresignUnsupported',
      'A sealed S3 client cannot presign: a presigned URL is sent straight to the object server, past the in-process encryption. ' +
        'Presign against the s3seal gateway (`s3seal serve`) instead: its URLs are verified and sealed by the gateway.',
    );
    this.name = 'PresignUnsupportedError';
  }
}
