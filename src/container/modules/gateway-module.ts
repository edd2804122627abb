import { ContainerModule } from 'inversify';
import pino from 'pino';
import { GatewayMetrics } from '../../adapters/gateway/gateway-metrics.js';
import { S3Gateway } from '../../adapters/gateway/s3-gateway.js';
import { S3SealError } from '../../errors.js';
import { PolicyAccessKeys } from '../../policies/access-key-lookup.js';
import { ConfigError, type S3SealConfig } from '../config.js';
import { bindService, getService, TOKENS } from '../tokens.js';
import { sharedFor } from './shared-for.js';

/**
 * The gateway door (src/adapters/gateway; DESIGN.md "Doors" 3): its access keys — the policy
 * document's, reloaded with it — and its request listener over the S3 core. Bindings are lazy: a
 * container for the SDK plugin never builds them. Without a policy document there is no one the
 * gateway could authenticate, so asking for it is a configuration error.
 */
/** how long one readiness answer is reused (ms) */
const READINESS_REUSE_MS = 2_000;


/** how long a readiness check may take before it counts as unreachable */
const READY_TIMEOUT_MS = 3_000;

/**
 * Whether a dependency answers: any answer counts, a refusal too (404 for a reserved bucket not made
 * yet, a key the caller may not describe); an outage (a retryable error), a failure that is not
 * s3seal's own, or no answer within READY_TIMEOUT_MS does not.
 */
async function answers(call: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS);
  });
  try {
    return (await Promise.race([call().then(() => 'ok' as const), timeout])) === 'ok';
  } catch (err) {
    return err instanceof S3SealError && !err.retryable;
  } finally {
    clearTimeout(timer);
  }
}

export function gatewayModule(config: Pick<S3SealConfig, 'gateway' | 'policy' | 'bucketEncryption' | 'sseS3Key'>): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bindService(bind, TOKENS.AccessKeyLookup).toDynamicValue((ctx) => {
      if (config.policy === undefined) throw new ConfigError('the gateway authenticates requests with the access keys of a policy document: set configuration field policy.file');
      return new PolicyAccessKeys(getService(ctx, TOKENS.PolicySource));
    });
    bindService(bind, TOKENS.S3Gateway).toDynamicValue((ctx) => {
      const cache = getService(ctx, TOKENS.BucketKeyCache);
      const store = getService(ctx, TOKENS.ObjectStore);
      const registry = getService(ctx, TOKENS.KeystoreRegistry);
      return new S3Gateway({
        core: getService(ctx, TOKENS.S3Core),
        keys: getService(ctx, TOKENS.AccessKeyLookup),
        settings: config.gateway,
        log: pino({ base: { log: 's3seal.gateway' } }, pino.destination({ fd: 2, sync: false })),
        ...(config.gateway.metrics ? { metrics: new GatewayMetrics(() => cache.stats) } : {}),
        // unauthenticated: one probe at a time, its answer reused for a few seconds, so that anyone
        // able to reach the port cannot drive backend and KMS traffic (cost, quota, audit volume)
        readiness: sharedFor(READINESS_REUSE_MS, async () => {
          const [backend, keystore] = await Promise.all([
            answers(() => store.headBucket(config.bucketEncryption.reservedBucket)),
            answers(() => {
              const k = registry.lookup(config.sseS3Key);
              return k.keystore.describeKey(k.name);
            }),
          ]);
          return { backend, keystore };
        }),
      });
    });
  });
}
