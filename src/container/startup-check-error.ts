import { S3SealError } from '../errors.js';

/** a doctor-style startup check (`startupChecks`) failed: startContainer refuses to start */
export class StartupCheckError extends S3SealError<'StartupCheckFailed'> {
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super('StartupCheckFailed', message, options);
    this.name = 'StartupCheckError';
  }
}
