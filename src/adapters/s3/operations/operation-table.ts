import type { S3Operation, S3OperationName } from '../s3-operation.js';
import { abortMultipartUpload } from './abort-multipart-upload.js';
import { completeMultipartUpload } from './complete-multipart-upload.js';
import { createBucket } from './create-bucket.js';
import { createMultipartUpload } from './create-multipart-upload.js';
import { deleteBucket } from './delete-bucket.js';
import { deleteObject } from './delete-object.js';
import { getBucketLocation } from './get-bucket-location.js';
import { getObject } from './get-object.js';
import { headBucket } from './head-bucket.js';
import { headObject } from './head-object.js';
import { listBuckets } from './list-buckets.js';
import { listParts } from './list-parts.js';
import { putObject } from './put-object.js';
import { uploadPart } from './upload-part.js';

/**
 * Which function serves which S3 operation. An operation without an entry answers NotImplemented
 * (issue 7 item 2): nothing reaches the backend in a way that could store or expose plaintext.
 */
export const OPERATIONS: Partial<Record<S3OperationName, S3Operation>> = {
  AbortMultipartUpload: abortMultipartUpload,
  CompleteMultipartUpload: completeMultipartUpload,
  CreateBucket: createBucket,
  CreateMultipartUpload: createMultipartUpload,
  DeleteBucket: deleteBucket,
  DeleteObject: deleteObject,
  GetBucketLocation: getBucketLocation,
  GetObject: getObject,
  HeadBucket: headBucket,
  HeadObject: headObject,
  ListBuckets: listBuckets,
  ListParts: listParts,
  PutObject: putObject,
  UploadPart: uploadPart,
};
