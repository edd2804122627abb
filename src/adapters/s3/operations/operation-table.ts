import type { S3Operation, S3OperationName } from '../s3-operation.js';
import { deleteObjectsOperation } from './delete-objects.js';
import { getObjectAttributesOperation } from './get-object-attributes.js';
import { listObjectVersionsOperation } from './list-object-versions.js';
import { listObjectsOperation } from './list-objects.js';
import { listObjectsV2Operation } from './list-objects-v2.js';
import { deleteObject } from './delete-object.js';
import { getObject } from './get-object.js';
import { headObject } from './head-object.js';
import { putObject } from './put-object.js';

/**
 * Which function serves which S3 operation. An operation without an entry answers NotImplemented
 * (issue 7 item 2): nothing reaches the backend in a way that could store or expose plaintext.
 */
export const OPERATIONS: Partial<Record<S3OperationName, S3Operation>> = {
  DeleteObjects: deleteObjectsOperation,
  GetObjectAttributes: getObjectAttributesOperation,
  ListObjectVersions: listObjectVersionsOperation,
  ListObjects: listObjectsOperation,
  ListObjectsV2: listObjectsV2Operation,
  DeleteObject: deleteObject,
  GetObject: getObject,
  HeadObject: headObject,
  PutObject: putObject,
};
