import type { EncryptionPlan } from './encryption-plan.js';
import type { WritePlanner, WritePlanRequest } from './write-planner.js';

/**
 * The write planner of an engine built by hand without the policy layer (the container always binds
 * src/policies' one): no bucket configuration and no floors exist here, so a request naming no SSE
 * gets SSE-S3, as AWS does since 2023 (DESIGN.md "Defaults"), and any other request is planned as
 * asked; the KMS alone decides whether the key may be used.
 */
export const requestedAsPlanned: WritePlanner = {
  planWrite(req: WritePlanRequest): Promise<EncryptionPlan> {
    const r = req.requested;
    return Promise.resolve(r.mode === 'none' ? { mode: 'SSE-S3' } : r);
  },
  checkBucketEncryption: () => Promise.resolve(),
};
