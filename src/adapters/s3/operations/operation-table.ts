import type { S3Operation, S3OperationName } from '../s3-operation.js';

/**
 * Which function serves which S3 operation. An operation without an entry answers NotImplemented
 * (issue 7 item 2): nothing reaches the backend in a way that could store or expose plaintext.
 */
export const OPERATIONS: Partial<Record<S3OperationName, S3Operation>> = {};
