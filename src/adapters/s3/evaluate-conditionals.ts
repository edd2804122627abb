import { SealError } from '../../errors.js';
import type { Conditionals, EntityTags } from './parse-conditionals.js';

/** The current object's validators, as the backend reports them (DESIGN.md: ETag = the backend's). */
export interface ObjectValidators {
  etag: string;
  lastModified: Date;
}

/**
 * - `read`: GetObject / HeadObject (failures: 304 for If-None-Match / If-Modified-Since, else 412);
 * - `write`: PutObject / CompleteMultipartUpload conditional writes (If-Match, If-None-Match: *);
 * - `copy-source`: CopyObject / UploadPartCopy `x-amz-copy-source-if-*` (every failure is 412).
 */
export type ConditionalKind = 'read' | 'write' | 'copy-source';

export type ConditionalOutcome = 'pass' | 'not-modified' | 'precondition-failed' | 'no-such-key';

function bare(etag: string): string {
  const t = etag.startsWith('W/') ? etag.slice(2) : etag;
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** RFC 9110 §8.8.3.2: strong comparison for If-Match, weak for If-None-Match. */
function matches(tags: EntityTags, etag: string, strong: boolean): boolean {
  if (tags === '*') return true;
  const current = bare(etag);
  const currentWeak = etag.startsWith('W/');
  return tags.some((t) => t.value === current && (!strong || (!t.weak && !currentWeak)));
}

// HTTP dates have one-second resolution: Last-Modified is compared as the client saw it
const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/**
 * Evaluate conditions in RFC 9110 §13.2.2's order, which is how S3 documents the combinations
 * (GetObject: If-Match true + If-Unmodified-Since false → 200; If-None-Match false +
 * If-Modified-Since true → 304; CopyObject: the same pairs → copy / 412):
 * 1. If-Match present: no match → 412; else, If-Unmodified-Since: modified after it → 412;
 * 2. If-None-Match present: a match → 304 on reads, 412 otherwise; else, on reads and copy sources,
 *    If-Modified-Since: not modified since → 304 on reads, 412 on copy sources.
 * `current` undefined = no such object: reads and copy sources answer NoSuchKey 404, as does a
 * write with If-Match (PutObject API reference); If-None-Match: * then passes. S3 implements only
 * `*` for If-None-Match on writes: any other value is NotImplemented 501.
 */
export function evaluateConditionals(c: Conditionals, current: ObjectValidators | undefined, kind: ConditionalKind): ConditionalOutcome {
  if (kind === 'write' && c.ifNoneMatch !== undefined && c.ifNoneMatch !== '*') {
    throw new SealError('NotImplemented', 'A header you provided implies functionality that is not implemented');
  }
  if (current === undefined) return kind === 'write' && c.ifMatch === undefined ? 'pass' : 'no-such-key';
  const dated = kind !== 'write'; // S3 conditional writes take If-Match / If-None-Match only
  if (c.ifMatch !== undefined) {
    if (!matches(c.ifMatch, current.etag, true)) return 'precondition-failed';
  } else if (dated && c.ifUnmodifiedSince !== undefined && seconds(current.lastModified) > seconds(c.ifUnmodifiedSince)) {
    return 'precondition-failed';
  }
  if (c.ifNoneMatch !== undefined) {
    if (matches(c.ifNoneMatch, current.etag, false)) return kind === 'read' ? 'not-modified' : 'precondition-failed';
  } else if (dated && c.ifModifiedSince !== undefined && seconds(current.lastModified) <= seconds(c.ifModifiedSince)) {
    return kind === 'read' ? 'not-modified' : 'precondition-failed';
  }
  return 'pass';
}
