import type { KMSClient } from '@aws-sdk/client-kms';

/**
 * Every command a KMS client sends, in order (e.g. `DecryptCommand`): a middleware on the client's
 * own stack, so tests count what the container's client really asks of the KMS.
 */
export function kmsCallLog(client: KMSClient): string[] {
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      calls.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countKmsCalls' },
  );
  return calls;
}
