import type { FacadeContext, ListPartsRequest, ListPartsResult } from './facade-types.js';

/** ListParts: the token is authenticated (SealedObjects), no key is used; sizes are the plaintext's. */
export async function listParts(ctx: FacadeContext, req: ListPartsRequest): Promise<ListPartsResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'ListParts', o);
  return { parts: await ctx.objects.listParts(o, req.uploadId) };
}
