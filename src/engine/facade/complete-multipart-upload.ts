import { SealError } from '../../errors.js';
import { CapturingResolver } from './capturing-resolver.js';
import type { CompleteMultipartUploadRequest, CompleteMultipartUploadResult, FacadeContext } from './facade-types.js';
import { sseResultOf } from './sse-result.js';

/**
 * CompleteMultipartUpload: the DEK (from the token's envelope, through the reader) commits the part
 * layout, so an SSE-C upload needs its key here too (S3 does not ask for it at Complete: a deviation
 * the S3 core documents).
 */
export async function completeMultipartUpload(ctx: FacadeContext, req: CompleteMultipartUploadRequest): Promise<CompleteMultipartUploadResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'CompleteMultipartUpload', o, { continuesUpload: true });
  const keys = new CapturingResolver(ctx.materials.reader(req.principal, req.customerKey, { continuesUpload: true, operation: 'CompleteMultipartUpload' }));
  const done = await ctx.objects.completeMultipart(o, req.uploadId, [...req.parts], keys);
  if (keys.envelope === undefined) throw new SealError('UploadTokenInvalid', 'the upload token yielded no envelope');
  return { etag: done.etag, ...(done.versionId !== undefined ? { versionId: done.versionId } : {}), sse: sseResultOf(keys.envelope, req.customerKey) };
}
