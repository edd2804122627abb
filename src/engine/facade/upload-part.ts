import { SealError } from '../../errors.js';
import { CapturingResolver } from './capturing-resolver.js';
import type { FacadeContext, UploadPartRequest, UploadPartResult } from './facade-types.js';
import { sseResultOf } from './sse-result.js';
import { objectChecksumsOf } from './object-checksums.js';
import { checksumHook } from '../body-checksums.js';

/**
 * UploadPart: the upload's key from the envelope in the upload token, through the reader (an SSE-C
 * upload's parts must carry its key: a wrong one fails the check value, none is InvalidRequest).
 * The part's checksums (`checksums`) are verified before its final chunk and returned for the echo.
 */
export async function uploadPart(ctx: FacadeContext, req: UploadPartRequest): Promise<UploadPartResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'UploadPart', o, { continuesUpload: true });
  const keys = new CapturingResolver(ctx.materials.reader(req.principal, req.customerKey, { continuesUpload: true, operation: 'UploadPart' }));
  // the part's checksums are verified before its final chunk (a mismatch stores no complete part) and echoed, not sealed
  const hook = checksumHook(req.checksums);
  const etag = await ctx.objects.uploadPart(o, req.uploadId, req.partNumber, req.body, req.contentLength, keys, hook.beforeFinal);
  if (keys.envelope === undefined) throw new SealError('UploadTokenInvalid', 'the upload token yielded no envelope');
  const verified = hook.verified();
  const checksums = verified ? objectChecksumsOf(verified) : undefined;
  return { etag, sse: sseResultOf(keys.envelope, req.customerKey), ...(checksums ? { checksums } : {}) };
}
