import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError, resolveConfig, type S3SealConfig } from '../container/config.js';

/**
 * The configuration `s3seal serve --config FILE` runs on: a JSON or YAML file (JSON is YAML 1.2),
 * validated by resolveConfig. One function, so the profile-aware loader (loadConfig) can replace it
 * without touching the command.
 */
export function readServeConfig(path: string): S3SealConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the configuration file ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`);
  }
  try {
    return resolveConfig(raw);
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`);
  }
}
