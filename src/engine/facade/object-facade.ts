import type { ObjectStore } from '../../backends/object-store.js';
import type { MaterialsManager } from '../materials/materials-manager.js';
import type { SealedObjects } from '../sealed-objects.js';
import { requestedAsPlanned } from '../materials/requested-as-planned.js';
import type { WritePlanner } from '../materials/write-planner.js';
import type { BucketEncryption, BucketEncryptionSettings } from './bucket-encryption.js';
import { abortMultipartUpload } from './abort-multipart-upload.js';
import { deleteBucketEncryption, getBucketEncryption, putBucketEncryption, type BucketEncryptionRequest, type PutBucketEncryptionRequest } from './bucket-encryption-operations.js';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from './bucket-operations.js';
import type { BucketInfo } from '../../backends/object-store.js';
import { completeMultipartUpload } from './complete-multipart-upload.js';
import { copyObject } from './copy-object.js';
import type { CopyObjectRequest, CopyObjectResult, UploadPartCopyRequest, UploadPartCopyResult } from './copy-object-types.js';
import { createMultipartUpload } from './create-multipart-upload.js';
import { deleteObject } from './delete-object.js';
import { deleteObjects } from './delete-objects.js';
import type { DeleteObjectsRequest, DeleteObjectsResult } from './delete-objects-types.js';
import { getObjectAttributes } from './get-object-attributes.js';
import { listObjectVersions } from './list-object-versions.js';
import { listObjects } from './list-objects.js';
import type { ListObjectsRequest, ListObjectsResult, ListObjectVersionsRequest, ListObjectVersionsResult } from './list-types.js';
import type { GetObjectAttributesRequest, GetObjectAttributesResult } from './object-attributes-types.js';
import { ListedSizes } from '../listed-sizes.js';
import type {
  AbortMultipartUploadRequest,
  CompleteMultipartUploadRequest,
  CompleteMultipartUploadResult,
  CreateMultipartUploadRequest,
  CreateMultipartUploadResult,
  DeleteObjectRequest,
  DeleteObjectResult,
  FacadeContext,
  GetObjectRequest,
  GetObjectResult,
  HeadObjectRequest,
  HeadObjectResult,
  ListPartsRequest,
  ListPartsResult,
  PutObjectRequest,
  PutObjectResult,
  UploadPartRequest,
  UploadPartResult,
} from './facade-types.js';
import { getObject } from './get-object.js';
import { headObject } from './head-object.js';
import { listParts } from './list-parts.js';
import { allowAllActions, type ObjectActionPolicy } from './object-action-policy.js';
import { putObject } from './put-object.js';
import { refusingReservedBucket } from './reserved-bucket-guard.js';
import { MIN_UNKNOWN_LENGTH_PART } from './put-unknown-length.js';
import { uploadPart } from './upload-part.js';
import { updateObjectEncryption, type UpdateObjectEncryptionRequest, type UpdateObjectEncryptionResult } from './update-object-encryption.js';
import { uploadPartCopy } from './upload-part-copy.js';

export interface ObjectFacadeOptions {
  /** part size (bytes, >= 5 MiB) of a PutObject whose length is not known; default 8 MiB */
  unknownLengthPartSize?: number;
  /** plaintext sizes of listed objects (the container binds one from config `listing`); default: HEAD everything, 8 at once */
  sizes?: ListedSizes;
  /** the policy layer's write half (the container binds src/policies' one); default: no bucket defaults, no floors */
  planner?: WritePlanner;
  /** bucket encryption configurations (the container binds the reserved-bucket store); default: none, their operations NotImplemented */
  bucketEncryption?: BucketEncryptionSettings;
}

const DEFAULT_UNKNOWN_LENGTH_PART = 8 * 1024 * 1024;

/**
 * The engine facade (DESIGN.md "Architecture"; issue 7 item 1): the one way doors reach objects.
 * Request objects in, result objects out; each method asks the action policy first, and key
 * materials come only from the MaterialsManager — from the plan on write, from the envelope on read.
 * Each operation lives in its own file as a function over a FacadeContext; this class binds them.
 */
export class ObjectFacade {
  private readonly ctx: FacadeContext;

  constructor(objects: SealedObjects, materials: MaterialsManager, store: ObjectStore, policy: ObjectActionPolicy = allowAllActions, opts: ObjectFacadeOptions = {}) {
    const unknownLengthPartSize = opts.unknownLengthPartSize ?? DEFAULT_UNKNOWN_LENGTH_PART;
    if (!Number.isSafeInteger(unknownLengthPartSize) || unknownLengthPartSize < MIN_UNKNOWN_LENGTH_PART) throw new RangeError(`unknownLengthPartSize must be an integer >= ${MIN_UNKNOWN_LENGTH_PART}`);
    this.ctx = {
      objects,
      materials,
      store,
      // the reserved bucket is no door's: refused before the policy is even asked
      policy: opts.bucketEncryption !== undefined ? refusingReservedBucket(policy, opts.bucketEncryption.reservedBucket) : policy,
      planner: opts.planner ?? requestedAsPlanned,
      unknownLengthPartSize,
      sizes: opts.sizes ?? new ListedSizes(store),
      ...(opts.bucketEncryption !== undefined ? { bucketEncryption: opts.bucketEncryption } : {}),
    };
  }

  putObject(req: PutObjectRequest): Promise<PutObjectResult> {
    return putObject(this.ctx, req);
  }
  getObject(req: GetObjectRequest): Promise<GetObjectResult> {
    return getObject(this.ctx, req);
  }
  headObject(req: HeadObjectRequest): Promise<HeadObjectResult> {
    return headObject(this.ctx, req);
  }
  copyObject(req: CopyObjectRequest): Promise<CopyObjectResult> {
    return copyObject(this.ctx, req);
  }
  deleteObject(req: DeleteObjectRequest): Promise<DeleteObjectResult> {
    return deleteObject(this.ctx, req);
  }
  createMultipartUpload(req: CreateMultipartUploadRequest): Promise<CreateMultipartUploadResult> {
    return createMultipartUpload(this.ctx, req);
  }
  uploadPart(req: UploadPartRequest): Promise<UploadPartResult> {
    return uploadPart(this.ctx, req);
  }
  uploadPartCopy(req: UploadPartCopyRequest): Promise<UploadPartCopyResult> {
    return uploadPartCopy(this.ctx, req);
  }
  completeMultipartUpload(req: CompleteMultipartUploadRequest): Promise<CompleteMultipartUploadResult> {
    return completeMultipartUpload(this.ctx, req);
  }
  abortMultipartUpload(req: AbortMultipartUploadRequest): Promise<void> {
    return abortMultipartUpload(this.ctx, req);
  }
  listParts(req: ListPartsRequest): Promise<ListPartsResult> {
    return listParts(this.ctx, req);
  }
  listObjects(req: ListObjectsRequest): Promise<ListObjectsResult> {
    return listObjects(this.ctx, req);
  }
  listObjectVersions(req: ListObjectVersionsRequest): Promise<ListObjectVersionsResult> {
    return listObjectVersions(this.ctx, req);
  }
  deleteObjects(req: DeleteObjectsRequest): Promise<DeleteObjectsResult> {
    return deleteObjects(this.ctx, req);
  }
  getObjectAttributes(req: GetObjectAttributesRequest): Promise<GetObjectAttributesResult> {
    return getObjectAttributes(this.ctx, req);
  }
  updateObjectEncryption(req: UpdateObjectEncryptionRequest): Promise<UpdateObjectEncryptionResult> {
    return updateObjectEncryption(this.ctx, req);
  }
  createBucket(req: { bucket: string; principal: string; location?: string }): Promise<void> {
    return createBucket(this.ctx, req);
  }
  deleteBucket(req: { bucket: string; principal: string }): Promise<void> {
    return deleteBucket(this.ctx, req);
  }
  headBucket(req: { bucket: string; principal: string }): Promise<{ region?: string }> {
    return headBucket(this.ctx, req);
  }
  listBuckets(req: { principal: string }): Promise<BucketInfo[]> {
    return listBuckets(this.ctx, req);
  }
  getBucketLocation(req: { bucket: string; principal: string }): Promise<string> {
    return getBucketLocation(this.ctx, req);
  }
  putBucketEncryption(req: PutBucketEncryptionRequest): Promise<void> {
    return putBucketEncryption(this.ctx, req);
  }
  getBucketEncryption(req: BucketEncryptionRequest): Promise<BucketEncryption | undefined> {
    return getBucketEncryption(this.ctx, req);
  }
  deleteBucketEncryption(req: BucketEncryptionRequest): Promise<void> {
    return deleteBucketEncryption(this.ctx, req);
  }
}
