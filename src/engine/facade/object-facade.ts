import type { ObjectStore } from '../../backends/object-store.js';
import type { MaterialsManager } from '../materials/materials-manager.js';
import type { SealedObjects } from '../sealed-objects.js';
import { abortMultipartUpload } from './abort-multipart-upload.js';
import { completeMultipartUpload } from './complete-multipart-upload.js';
import { createMultipartUpload } from './create-multipart-upload.js';
import { deleteObject } from './delete-object.js';
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
import { MIN_UNKNOWN_LENGTH_PART } from './put-unknown-length.js';
import { uploadPart } from './upload-part.js';

export interface ObjectFacadeOptions {
  /** part size (bytes, >= 5 MiB) of a PutObject whose length is not known; default 8 MiB */
  unknownLengthPartSize?: number;
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
    this.ctx = { objects, materials, store, policy, unknownLengthPartSize };
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
  deleteObject(req: DeleteObjectRequest): Promise<DeleteObjectResult> {
    return deleteObject(this.ctx, req);
  }
  createMultipartUpload(req: CreateMultipartUploadRequest): Promise<CreateMultipartUploadResult> {
    return createMultipartUpload(this.ctx, req);
  }
  uploadPart(req: UploadPartRequest): Promise<UploadPartResult> {
    return uploadPart(this.ctx, req);
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
}
