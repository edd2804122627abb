import { SealError } from '../../errors.js';
import { CapturingResolver } from './capturing-resolver.js';
import { conditionsOf } from './conditions-of.js';
import type { CreateMultipartUploadRequest, CreateMultipartUploadResult, FacadeContext } from './facade-types.js';
import { pickContentHeaders } from './pick-content-headers.js';
import { sseResultOf } from './sse-result.js';

/** CreateMultipartUpload: as PutObject, the upload's key from the plan; content headers stored with the upload. */
export async function createMultipartUpload(ctx: FacadeContext, req: CreateMultipartUploadRequest): Promise<CreateMultipartUploadResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'CreateMultipartUpload', o, conditionsOf(req.encryption));
  const plan = await ctx.planner.planWrite({ principal: req.principal, object: o, requested: req.encryption, operation: 'CreateMultipartUpload' });
  const keys = new CapturingResolver(await ctx.materials.forWrite(plan, req.principal));
  try {
    const uploadId = await ctx.objects.createMultipart(o, req.userMetadata ?? {}, keys, pickContentHeaders(req));
    if (keys.wrap === undefined) throw new SealError('InvalidArgument', 'the upload produced no key wrap');
    return { uploadId, sse: sseResultOf(keys.wrap, plan.mode === 'SSE-C' ? plan.customerKey : undefined) };
  } finally {
    keys.dispose();
  }
}
