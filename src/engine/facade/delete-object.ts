import type { DeleteObjectRequest, DeleteObjectResult, FacadeContext } from './facade-types.js';

/** DeleteObject: the policy, then straight to the backend — deleting uses no key (DESIGN.md permission matrix). */
export async function deleteObject(ctx: FacadeContext, req: DeleteObjectRequest): Promise<DeleteObjectResult> {
  await ctx.policy.authorize(req.principal, 'DeleteObject', { bucket: req.bucket, key: req.key });
  return ctx.store.delete(req.bucket, req.key);
}
