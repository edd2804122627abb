import type { S3SealError } from '../../errors.js';

export interface DeleteObjectsRequest {
  bucket: string;
  principal: string;
  /** at most 1000 (the S3 core refuses more, as S3 does) */
  objects: readonly { key: string; versionId?: string }[];
}

export interface DeletedObjectEntry {
  key: string;
  versionId?: string;
  deleteMarker?: boolean;
  deleteMarkerVersionId?: string;
}

/** A key that was not deleted: the typed error says why (the S3 core maps it to S3's Code and Message). */
export interface DeleteObjectFailure {
  key: string;
  versionId?: string;
  error: S3SealError;
}

/** Every key's outcome, as S3's DeleteResult reports it (quiet mode is the S3 core's business). */
export interface DeleteObjectsResult {
  deleted: DeletedObjectEntry[];
  errors: DeleteObjectFailure[];
}
