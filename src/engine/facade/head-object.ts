import { checkHeadKey } from './check-head-key.js';
import { describeObject } from './describe-object.js';
import type { FacadeContext, HeadObjectRequest, HeadObjectResult } from './facade-types.js';

/**
 * HeadObject: no keystore key is used (DESIGN.md permission matrix); SSE-C keys are checked as S3
 * does (check-head-key.ts). With `checksumMode`, an object that has sealed checksums needs its key
 * too (as AWS asks kms:Decrypt for it): they are opened under the DEK after the MAC verified.
 */
export async function headObject(ctx: FacadeContext, req: HeadObjectRequest): Promise<HeadObjectResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'HeadObject', o);
  const head = await ctx.objects.head(o);
  const checksums = await checkHeadKey(ctx, o, head, req.principal, req.customerKey, { openChecksums: req.checksumMode === true });
  return describeObject(checksums ? { ...head, checksums } : head, req.customerKey);
}
