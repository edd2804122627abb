import { SealError } from '../../errors.js';
import type { ObjectActionPolicy } from './object-action-policy.js';

/**
 * The action policy with the reserved bucket of the bucket encryption configurations taken out of
 * every door's reach (DESIGN.md "Bucket encryption configuration"): every facade operation asks the
 * policy first with the bucket it touches (a copy asks for its source too), so refusing that bucket
 * here refuses every object, list and bucket operation on it, whatever the policy answers.
 * Only the settings store reaches it, through the backend port.
 */
export function refusingReservedBucket(policy: ObjectActionPolicy, reservedBucket: string): ObjectActionPolicy {
  return {
    // the policy is asked first, so its refusal (audited by the policy layer) is the one a caller
    // gets; whatever it answers, the reserved bucket is then refused
    authorize: (principal, action, object, conditions) =>
      policy.authorize(principal, action, object, conditions).then(() => {
        if (object.bucket === reservedBucket) throw new SealError('AccessDenied', `"${reservedBucket}" is s3seal's reserved bucket: ${action} refused`);
      }),
  };
}
