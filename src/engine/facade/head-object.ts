import { checkHeadKey } from './check-head-key.js';
import { describeObject } from './describe-object.js';
import type { FacadeContext, HeadObjectRequest, HeadObjectResult } from './facade-types.js';

/** HeadObject: no keystore key is used (DESIGN.md permission matrix); SSE-C keys are checked as S3 does (check-head-key.ts). */
export async function headObject(ctx: FacadeContext, req: HeadObjectRequest): Promise<HeadObjectResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'HeadObject', o);
  const head = await ctx.objects.head(o);
  await checkHeadKey(ctx, o, head, req.principal, req.customerKey);
  return describeObject(head, req.customerKey);
}
