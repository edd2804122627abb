import type { ContentHeaders } from '../../backends/object-store.js';
import type { RequestedEncryption } from '../materials/write-planner.js';
import type { UserMetadata } from '../metadata-budget.js';
import type { SseResult } from './facade-types.js';

/** The copy source: the object read, and the SSE-C key it needs (x-amz-copy-source-server-side-encryption-customer-*). */
export interface CopySourceRequest {
  bucket: string;
  key: string;
  /** a version of the source (x-amz-copy-source `?versionId=`): not supported yet, refused with NotImplemented */
  versionId?: string;
  /** the source's SSE-C key (required for an SSE-C source, refused for others); the caller zeroes it */
  customerKey?: Buffer;
}

/** What the source is known by when its CopySourceIf* conditions are evaluated (the backend's ETag, as everywhere). */
export interface CopySourceValidators {
  etag: string;
  lastModified?: Date;
}

/**
 * The door's `x-amz-copy-source-if-*` conditions, evaluated against the source exactly as it was
 * read (before any key is used or anything written): it throws (SealError PreconditionFailed) to stop
 * the copy. The S3 core owns the evaluation rules (evaluate-conditionals.ts); the engine pins the
 * copy to the ETag the conditions were evaluated against, so nothing changes in between unseen.
 */
export type CopySourceCondition = (source: CopySourceValidators) => void;

export interface CopyObjectRequest extends ContentHeaders {
  principal: string;
  source: CopySourceRequest;
  sourceCondition?: CopySourceCondition;
  /** the destination */
  bucket: string;
  key: string;
  /** what the destination's SSE headers asked for ('none': the bucket default applies) */
  encryption: RequestedEncryption;
  /**
   * the request named the destination's encryption (SSE headers): a copy of an object onto itself
   * then changes its encryption attributes, which S3 accepts (key rotation by copy-to-self)
   */
  encryptionRequested: boolean;
  /**
   * x-amz-metadata-directive: COPY keeps the source's user metadata and content headers (those
   * given here are ignored, as on S3); REPLACE stores `userMetadata` and the content headers given
   * here instead (none given = none kept)
   */
  metadataDirective: 'COPY' | 'REPLACE';
  userMetadata?: UserMetadata;
}

export interface CopyObjectResult {
  /** the backend's ETag of the copy */
  etag: string;
  lastModified?: Date;
  versionId?: string;
  /** the version of the source that was copied, where the backend is versioned */
  copySourceVersionId?: string;
  /** the destination's encryption, for S3's echo headers */
  sse: SseResult;
}

/** A plaintext range of the source, resolved against its plaintext length by the door (x-amz-copy-source-range). */
export type CopySourceRange = (sourceLength: number) => { start: number; end: number };

export interface UploadPartCopyRequest {
  principal: string;
  source: CopySourceRequest;
  sourceCondition?: CopySourceCondition;
  /** absent: the whole source */
  range?: CopySourceRange;
  /** the destination upload: bucket, key, the s3seal upload token, part number, and its SSE-C key if it is an SSE-C upload */
  bucket: string;
  key: string;
  uploadId: string;
  partNumber: number;
  customerKey?: Buffer;
}

export interface UploadPartCopyResult {
  /** the backend's ETag of the part */
  etag: string;
  lastModified: Date;
  copySourceVersionId?: string;
  /** the destination upload's encryption (echoed on UploadPartCopy as on UploadPart) */
  sse: SseResult;
}
