import type { SealedPutResult } from '../sealed-objects.js';
import type { PutObjectResult, SseResult } from './facade-types.js';
import { objectChecksumsOf } from './object-checksums.js';

/** a PutObject's result from what SealedObjects wrote: ETag, version, SSE echo, and the checksums sealed with it */
export function putResultOf(put: SealedPutResult, sse: SseResult): PutObjectResult {
  const checksums = put.checksums ? objectChecksumsOf(put.checksums) : undefined;
  return { etag: put.etag, ...(put.versionId !== undefined ? { versionId: put.versionId } : {}), sse, ...(checksums ? { checksums } : {}) };
}
