/**
 * One SDK attempt for one command, on a client whose standard retry strategy stays on for everything
 * else (DESIGN.md "Retries"). CreateKey, CreateAlias and RotateKeyOnDemand are not idempotent: a
 * timeout after KMS applied them, retried blindly, makes an orphan key or spends a second of the ten
 * on-demand rotations a key is allowed. The keystore re-reads state instead of repeating them.
 *
 * How: a middleware inside the SDK's retry loop (finalizeRequest, low priority: it runs once per
 * attempt) wraps whatever the first attempt throws into an error the retry strategy classifies as a
 * client error, which it never retries. The original error rides along as `sdkError` — not as
 * `cause`, which the SDK's classifier inspects (and would retry on).
 */

type Next = (args: unknown) => Promise<unknown>;

/** the one overload of MiddlewareStack.add used here (@smithy/types is not a direct dependency) */
interface FinalizeStack {
  add(middleware: (next: Next) => Next, options: { step: 'finalizeRequest'; priority: 'low'; name: string; override: boolean }): void;
}

export class NotRetriedError extends Error {
  constructor(readonly sdkError: unknown) {
    super('first attempt failed; not retried (not idempotent)');
    this.name = 'S3SealNotRetried';
  }
}

/** the error the SDK raised, with the single-attempt wrapper removed */
export function unwrapNotRetried(err: unknown): unknown {
  return err instanceof NotRetriedError ? err.sdkError : err;
}

export function singleAttempt<C extends { readonly middlewareStack: object }>(command: C): C {
  (command.middlewareStack as FinalizeStack).add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        throw new NotRetriedError(err);
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 's3sealSingleAttempt', override: true },
  );
  return command;
}
