import type { DeleteFailure } from '../../backends/object-listing.js';
import { BackendRequestError } from '../../backends/backend-request-error.js';
import { S3SealError, SealError } from '../../errors.js';
import type { DeleteObjectFailure, DeleteObjectsRequest, DeleteObjectsResult } from './delete-objects-types.js';
import type { FacadeContext } from './facade-types.js';

/**
 * DeleteObjects: the policy is asked for 'DeleteObject' on every key (a refusal is that key's error,
 * as S3 reports a denied key inside DeleteResult instead of failing the request); the allowed keys go
 * to the backend in one batch. No key material is involved (DESIGN.md permission matrix).
 */
export async function deleteObjects(ctx: FacadeContext, req: DeleteObjectsRequest): Promise<DeleteObjectsResult> {
  const allowed: { key: string; versionId?: string }[] = [];
  const errors: DeleteObjectFailure[] = [];
  const decisions = await Promise.allSettled(req.objects.map((o) => ctx.policy.authorize(req.principal, o.versionId !== undefined ? 'DeleteObjectVersion' : 'DeleteObject', { bucket: req.bucket, key: o.key })));
  for (const [i, o] of req.objects.entries()) {
    const d = decisions[i]!;
    if (d.status === 'fulfilled') allowed.push(o);
    // only a typed refusal is a per-key answer; anything else (a policy outage, a bug) fails the request
    else if (d.reason instanceof S3SealError && !d.reason.retryable) errors.push({ ...o, error: d.reason as S3SealError });
    else throw d.reason;
  }
  const outcome = await ctx.store.deleteObjects(req.bucket, allowed);
  return { deleted: outcome.deleted, errors: [...errors, ...outcome.errors.map(backendFailure)] };
}

/**
 * A key the backend refused, as a typed error: throttling and server errors are retryable outages;
 * any other code is kept as the backend's S3 code (BackendRequestError: the code, never the backend's
 * message), so the caller sees AccessDenied, NoSuchVersion… as S3 would report them.
 */
function backendFailure(f: DeleteFailure): DeleteObjectFailure {
  const at = { key: f.key, ...(f.versionId !== undefined ? { versionId: f.versionId } : {}) };
  if (f.code === 'InternalError' || f.code === 'ServiceUnavailable' || f.code === 'SlowDown') {
    return { ...at, error: new SealError('BackendUnavailable', `the object server failed to delete a key (${f.code})`) };
  }
  return { ...at, error: new BackendRequestError(f.code, f.code === 'AccessDenied' ? 403 : 400, 'DeleteObjects') };
}
