import { SealError } from '../../errors.js';
import { CapturingResolver } from './capturing-resolver.js';
import { conditionsOf } from './conditions-of.js';
import type { FacadeContext, PutObjectRequest, PutObjectResult } from './facade-types.js';
import { pickContentHeaders } from './pick-content-headers.js';
import { putUnknownLength } from './put-unknown-length.js';
import { putResultOf } from './put-result.js';
import { sseResultOf } from './sse-result.js';

/**
 * PutObject: the policy first (the action with the request's SSE conditions, then the plan: bucket
 * default, floors, encrypt grant), then the key materials the plan names (MaterialsManager.forWrite),
 * then ciphertext and envelope to the backend with the content headers (a body of unknown length:
 * put-unknown-length.ts). The resolver (for SSE-C a
 * copy of the customer key) is disposed whatever happens.
 */
export async function putObject(ctx: FacadeContext, req: PutObjectRequest): Promise<PutObjectResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'PutObject', o, conditionsOf(req.encryption));
  const plan = await ctx.planner.planWrite({ principal: req.principal, object: o, requested: req.encryption, operation: 'PutObject' });
  const keys = new CapturingResolver(await ctx.materials.forWrite(plan, req.principal));
  try {
    if (req.contentLength === undefined) return await putUnknownLength(ctx, req, o, keys, ctx.unknownLengthPartSize);
    const put = await ctx.objects.put(o, req.body, req.contentLength, req.userMetadata ?? {}, keys, pickContentHeaders(req), req.checksums);
    // a successful put generated its DEK through `keys`: no wrap means a broken resolver, not an echo to guess
    if (keys.wrap === undefined) throw new SealError('InvalidArgument', 'the write produced no key wrap');
    return putResultOf(put, sseResultOf(keys.wrap, plan.mode === 'SSE-C' ? plan.customerKey : undefined));
  } finally {
    keys.dispose();
  }
}
