import { loadConfig } from '../container/load-config.js';
import type { S3SealConfig } from '../container/config.js';

/**
 * The configuration `s3seal serve --config FILE` runs on: loadConfig with that file — its profile
 * (S3SEAL_PROFILE, else NODE_ENV), the S3SEAL_* variables over it, secrets from their files
 * (docs/CONFIGURATION.md) — so the gateway is configured exactly as a service using the library is.
 */
export function readServeConfig(path: string): S3SealConfig {
  return loadConfig({ file: path });
}
