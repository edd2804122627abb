import type { S3Operation, S3OperationName } from '../s3-operation.js';
import { deleteObject } from './delete-object.js';
import { getObject } from './get-object.js';
import { headObject } from './head-object.js';
import { putObject } from './put-object.js';

/**
 * Which function serves which S3 operation. An operation without an entry answers NotImplemented
 * (issue 7 item 2): nothing reaches the backend in a way that could store or expose plaintext.
 */
export const OPERATIONS: Partial<Record<S3OperationName, S3Operation>> = {
  DeleteObject: deleteObject,
  GetObject: getObject,
  HeadObject: headObject,
  PutObject: putObject,
};
