import { SealError } from '../../errors.js';
import { CapturingResolver } from './capturing-resolver.js';
import type { FacadeContext, UploadPartRequest, UploadPartResult } from './facade-types.js';
import { sseResultOf } from './sse-result.js';

/**
 * UploadPart: the upload's key from the envelope in the upload token, through the reader (an SSE-C
 * upload's parts must carry its key: a wrong one fails the check value, none is InvalidRequest).
 */
export async function uploadPart(ctx: FacadeContext, req: UploadPartRequest): Promise<UploadPartResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'UploadPart', o);
  const keys = new CapturingResolver(ctx.materials.reader(req.principal, req.customerKey));
  const etag = await ctx.objects.uploadPart(o, req.uploadId, req.partNumber, req.body, req.contentLength, keys, req.beforeFinal ? { beforeFinal: req.beforeFinal } : {});
  if (keys.envelope === undefined) throw new SealError('UploadTokenInvalid', 'the upload token yielded no envelope');
  return { etag, sse: sseResultOf(keys.envelope, req.customerKey) };
}
