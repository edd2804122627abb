import type { SseResult } from './facade-types.js';

/** GetObjectAttributes' attribute names (x-amz-object-attributes). */
export type ObjectAttributeName = 'ETag' | 'Checksum' | 'ObjectParts' | 'StorageClass' | 'ObjectSize';

export interface GetObjectAttributesRequest {
  bucket: string;
  key: string;
  principal: string;
  versionId?: string;
  /** the SSE-C key, required for SSE-C objects as on HEAD; the caller zeroes it */
  customerKey?: Buffer;
  /** ObjectParts paging: parts after this part number, at most maxParts (default 1000) */
  partNumberMarker?: number;
  maxParts?: number;
}

export interface ObjectPartEntry {
  partNumber: number;
  /** plaintext bytes of the part, from the committed layout */
  size: number;
}

export interface ObjectPartsPage {
  totalPartsCount: number;
  partNumberMarker: number;
  nextPartNumberMarker: number;
  maxParts: number;
  isTruncated: boolean;
  parts: ObjectPartEntry[];
}

/**
 * What GetObjectAttributes answers (all of it; the S3 core writes the ones asked for). No checksum:
 * sealed plaintext checksums are not kept yet, so there is none to report (S3 omits Checksum then).
 */
export interface GetObjectAttributesResult {
  etag: string;
  lastModified?: Date;
  versionId?: string;
  /** plaintext bytes */
  objectSize: number;
  storageClass: string;
  /** multipart objects only: their parts as the layout committed them */
  objectParts?: ObjectPartsPage;
  /** the SSE echo (x-amz-server-side-encryption… headers); undefined for a passthrough object */
  sse?: SseResult;
}
