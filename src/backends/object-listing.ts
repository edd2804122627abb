/**
 * What the backend port returns for LIST and DeleteObjects (issue 7 item 6). Keys, prefixes and
 * markers are always decoded: a driver that asks its backend for `encoding-type=url` (so keys with
 * characters XML 1.0 cannot carry survive the trip) decodes them before they leave it. Sizes are the
 * backend's (ciphertext) sizes; the engine turns them into plaintext sizes.
 */

export interface ListedOwner {
  id?: string;
  displayName?: string;
}

/** One object of a ListObjects / ListObjectsV2 page, as the backend stores it. */
export interface ListedObject {
  key: string;
  /** the stored (ciphertext) size */
  size: number;
  etag: string;
  lastModified?: Date;
  storageClass?: string;
  owner?: ListedOwner;
}

/** One object version of a ListObjectVersions page. */
export interface ListedVersion extends ListedObject {
  versionId: string;
  isLatest: boolean;
}

export interface ListedDeleteMarker {
  key: string;
  versionId: string;
  isLatest: boolean;
  lastModified?: Date;
  owner?: ListedOwner;
}

/** What every list request shares (S3's names, decoded). */
export interface ListQuery {
  prefix?: string;
  delimiter?: string;
  /** 0..1000; absent: the backend's default (1000) */
  maxKeys?: number;
}

export interface ListV1Query extends ListQuery {
  marker?: string;
}

export interface ListV2Query extends ListQuery {
  continuationToken?: string;
  startAfter?: string;
  fetchOwner?: boolean;
}

export interface ListVersionsQuery extends ListQuery {
  keyMarker?: string;
  versionIdMarker?: string;
}

export interface ListPage {
  objects: ListedObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** v1: the backend's NextMarker (S3 sends it only with a delimiter) */
  nextMarker?: string;
  /** v2: the opaque token of the next page, passed through unchanged */
  nextContinuationToken?: string;
}

export interface ListVersionsPage {
  /** versions and delete markers in the backend's order (by key, newest first within a key) */
  entries: (({ kind: 'version' } & ListedVersion) | ({ kind: 'deleteMarker' } & ListedDeleteMarker))[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

export interface ObjectToDelete {
  key: string;
  versionId?: string;
}

export interface DeletedEntry {
  key: string;
  versionId?: string;
  deleteMarker?: boolean;
  deleteMarkerVersionId?: string;
}

/** A key the backend refused to delete, with the backend's S3 code and message. */
export interface DeleteFailure {
  key: string;
  versionId?: string;
  code: string;
  message: string;
}

export interface DeleteObjectsOutcome {
  deleted: DeletedEntry[];
  errors: DeleteFailure[];
}
