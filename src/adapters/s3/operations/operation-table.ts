import type { S3Operation, S3OperationName } from '../s3-operation.js';
import { abortMultipartUpload } from './abort-multipart-upload.js';
import { completeMultipartUpload } from './complete-multipart-upload.js';
import { copyObject } from './copy-object.js';
import { createBucket } from './create-bucket.js';
import { createMultipartUpload } from './create-multipart-upload.js';
import { deleteBucket } from './delete-bucket.js';
import { deleteBucketEncryption } from './delete-bucket-encryption.js';
import { deleteObject } from './delete-object.js';
import { deleteObjects } from './delete-objects.js';
import { getBucketEncryption } from './get-bucket-encryption.js';
import { getBucketLocation } from './get-bucket-location.js';
import { getObject } from './get-object.js';
import { getObjectAttributes } from './get-object-attributes.js';
import { headBucket } from './head-bucket.js';
import { headObject } from './head-object.js';
import { listBuckets } from './list-buckets.js';
import { listObjectVersions } from './list-object-versions.js';
import { listObjects } from './list-objects.js';
import { listObjectsV2 } from './list-objects-v2.js';
import { listParts } from './list-parts.js';
import { putBucketEncryption } from './put-bucket-encryption.js';
import { putObject } from './put-object.js';
import { updateObjectEncryption } from './update-object-encryption.js';
import { uploadPart } from './upload-part.js';
import { uploadPartCopy } from './upload-part-copy.js';

/**
 * Which function serves which S3 operation. An operation without an entry answers NotImplemented
 * (issue 7 item 2): nothing reaches the backend in a way that could store or expose plaintext.
 */
export const OPERATIONS: Partial<Record<S3OperationName, S3Operation>> = {
  AbortMultipartUpload: abortMultipartUpload,
  CompleteMultipartUpload: completeMultipartUpload,
  CopyObject: copyObject,
  CreateBucket: createBucket,
  CreateMultipartUpload: createMultipartUpload,
  DeleteBucket: deleteBucket,
  DeleteBucketEncryption: deleteBucketEncryption,
  DeleteObject: deleteObject,
  DeleteObjects: deleteObjects,
  GetBucketEncryption: getBucketEncryption,
  GetBucketLocation: getBucketLocation,
  GetObject: getObject,
  GetObjectAttributes: getObjectAttributes,
  HeadBucket: headBucket,
  HeadObject: headObject,
  ListBuckets: listBuckets,
  ListObjectVersions: listObjectVersions,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListParts: listParts,
  PutBucketEncryption: putBucketEncryption,
  PutObject: putObject,
  UpdateObjectEncryption: updateObjectEncryption,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
};
