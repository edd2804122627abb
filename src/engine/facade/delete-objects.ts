import type { DeleteFailure } from '../../backends/object-listing.js';
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
  const decisions = await Promise.allSettled(req.objects.map((o) => ctx.policy.authorize(req.principal, 'DeleteObject', { bucket: req.bucket, key: o.key })));
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
 * A key the backend refused, as a typed error: S3's codes a caller can act on keep their meaning
 * (AccessDenied, InvalidArgument); throttling and server errors are retryable; anything else is the
 * backend's failure, reported as an internal error (its message stays in logs, not on the wire).
 */
function backendFailure(f: DeleteFailure): DeleteObjectFailure {
  const at = { key: f.key, ...(f.versionId !== undefined ? { versionId: f.versionId } : {}) };
  const what = `the object server refused to delete it (${f.code})`;
  switch (f.code) {
    case 'AccessDenied':
      return { ...at, error: new SealError('AccessDenied', what) };
    case 'InvalidArgument':
      return { ...at, error: new SealError('InvalidArgument', f.message || 'Invalid argument') };
    case 'InternalError':
    case 'ServiceUnavailable':
    case 'SlowDown':
      return { ...at, error: new SealError('BackendUnavailable', what) };
    default:
      return { ...at, error: new S3SealError('BackendRefused', what) };
  }
}
