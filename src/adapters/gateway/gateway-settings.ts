import type { S3SealConfig } from '../../container/config.js';

/** what the gateway's request handling reads from the configuration (config `gateway`) */
export type GatewaySettings = Pick<S3SealConfig['gateway'], 'region' | 'baseDomains' | 'trustedProxies'>;
