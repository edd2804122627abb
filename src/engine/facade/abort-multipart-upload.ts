import type { AbortMultipartUploadRequest, FacadeContext } from './facade-types.js';

/** AbortMultipartUpload: the token is authenticated (SealedObjects), no key is used. */
export async function abortMultipartUpload(ctx: FacadeContext, req: AbortMultipartUploadRequest): Promise<void> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'AbortMultipartUpload', o);
  await ctx.objects.abortMultipart(o, req.uploadId);
}
