import { ContainerModule } from 'inversify';
import pino from 'pino';
import { GatewayMetrics } from '../../adapters/gateway/gateway-metrics.js';
import { S3Gateway } from '../../adapters/gateway/s3-gateway.js';
import { PolicyAccessKeys } from '../../policies/access-key-lookup.js';
import { ConfigError, type S3SealConfig } from '../config.js';
import { bindService, getService, TOKENS } from '../tokens.js';

/**
 * The gateway door (src/adapters/gateway; DESIGN.md "Doors" 3): its access keys — the policy
 * document's, reloaded with it — and its request listener over the S3 core. Bindings are lazy: a
 * container for the SDK plugin never builds them. Without a policy document there is no one the
 * gateway could authenticate, so asking for it is a configuration error.
 */
export function gatewayModule(config: Pick<S3SealConfig, 'gateway' | 'policy'>): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bindService(bind, TOKENS.AccessKeyLookup).toDynamicValue((ctx) => {
      if (config.policy === undefined) throw new ConfigError('the gateway authenticates requests with the access keys of a policy document: set configuration field policy.file');
      return new PolicyAccessKeys(getService(ctx, TOKENS.PolicySource));
    });
    bindService(bind, TOKENS.S3Gateway).toDynamicValue((ctx) => {
      const cache = getService(ctx, TOKENS.BucketKeyCache);
      return new S3Gateway({
        core: getService(ctx, TOKENS.S3Core),
        keys: getService(ctx, TOKENS.AccessKeyLookup),
        settings: config.gateway,
        log: pino({ base: { log: 's3seal.gateway' } }, pino.destination({ fd: 2, sync: false })),
        ...(config.gateway.metrics ? { metrics: new GatewayMetrics(() => cache.stats) } : {}),
      });
    });
  });
}
