import type { ListedOwner } from '../../backends/object-listing.js';

export type { ListedOwner };

/** What every list request shares (S3's parameters, decoded; the S3 core parses and validates them). */
export interface ListRequestBase {
  bucket: string;
  principal: string;
  prefix?: string;
  delimiter?: string;
  /** 0..1000; absent: 1000 */
  maxKeys?: number;
}

/** ListObjects (v1: `marker`) or ListObjectsV2 (`continuationToken`, `startAfter`, `fetchOwner`). */
export type ListObjectsRequest = ListRequestBase & ({ api: 'v1'; marker?: string } | { api: 'v2'; continuationToken?: string; startAfter?: string; fetchOwner?: boolean });

/** One listed object: the plaintext size, the backend's ETag (DESIGN.md "ETag = the backend's ETag everywhere"). */
export interface ListedObjectEntry {
  key: string;
  /** plaintext bytes (engine/listed-sizes.ts says how it is known) */
  size: number;
  etag: string;
  lastModified?: Date;
  storageClass?: string;
  /** v1 always, v2 with fetchOwner, as the backend reported it */
  owner?: ListedOwner;
}

export interface ListObjectsResult {
  objects: ListedObjectEntry[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** v1: NextMarker (the backend's; S3 gives one only with a delimiter) */
  nextMarker?: string;
  /** v2: the next page's token (the backend's, opaque) */
  nextContinuationToken?: string;
}

export interface ListObjectVersionsRequest extends ListRequestBase {
  keyMarker?: string;
  versionIdMarker?: string;
}

export interface ListedVersionEntry extends ListedObjectEntry {
  versionId: string;
  isLatest: boolean;
}

export interface ListedDeleteMarkerEntry {
  key: string;
  versionId: string;
  isLatest: boolean;
  lastModified?: Date;
  owner?: ListedOwner;
}

export interface ListObjectVersionsResult {
  /** versions and delete markers in S3's order (by key, newest first within a key) */
  entries: (({ kind: 'version' } & ListedVersionEntry) | ({ kind: 'deleteMarker' } & ListedDeleteMarkerEntry))[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}
