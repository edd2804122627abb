import type { ObjectHead } from '../sealed-objects.js';
import type { HeadObjectResult } from './facade-types.js';
import { objectChecksumsOf } from './object-checksums.js';
import { sseResultOf } from './sse-result.js';

/** the result fields HEAD and GET share, from what SealedObjects read (never the envelope itself) */
export function describeObject(h: ObjectHead, customerKey: Buffer | undefined): HeadObjectResult {
  const checksums = h.checksums ? objectChecksumsOf(h.checksums) : undefined;
  return {
    etag: h.etag,
    ...(h.versionId !== undefined ? { versionId: h.versionId } : {}),
    ...(h.lastModified !== undefined ? { lastModified: h.lastModified } : {}),
    contentLength: h.plaintextLength,
    userMetadata: h.userMetadata,
    ...h.headers,
    ...(h.envelope ? { sse: sseResultOf(h.envelope, customerKey) } : {}),
    ...(checksums ? { checksums } : {}),
  };
}
