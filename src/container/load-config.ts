import { dirname, resolve } from 'node:path';
import type { ZodIssue } from 'zod';
import { knownKeysAt } from './config-fields.js';
import { ConfigError, ConfigSchema, type S3SealConfig } from './config.js';
import { applyProfile, type ProfileChoice } from './config-profile.js';
import { configLabel, rememberConfigSource } from './config-source.js';
import { mergeConfigLayers, resolvePathFields, type ConfigTree } from './config-tree.js';
import { envConfigLayer } from './env-config-layer.js';
import { readConfigFile } from './read-config-file.js';
import { readSecretFiles } from './secret-files.js';

export interface LoadConfigOptions {
  /** the environment to read (default `process.env`): tests pass their own instead of changing the process's */
  env?: Readonly<Record<string, string | undefined>>;
  /** what relative paths in variables (and `file`) are relative to (default `process.cwd()`) */
  cwd?: string;
  /** the configuration file (default `S3SEAL_CONFIG`; none: the environment alone) */
  file?: string;
  /** the profile (default `S3SEAL_PROFILE`, else `NODE_ENV`) */
  profile?: string;
}

function set(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function choose(opts: LoadConfigOptions, env: Readonly<Record<string, string | undefined>>): ProfileChoice | undefined {
  const o = set(opts.profile);
  if (o !== undefined) return { name: o, by: 'profile option' };
  const p = set(env['S3SEAL_PROFILE']);
  if (p !== undefined) return { name: p, by: 'S3SEAL_PROFILE' };
  const n = set(env['NODE_ENV']);
  return n !== undefined ? { name: n, by: 'NODE_ENV' } : undefined;
}

/** one issue as one line: the field, where it came from when a variable set it, what is wrong */
function describeIssue(i: ZodIssue, origins: Map<string, string>): string {
  const dotted = i.path.join('.');
  if (i.code === 'unrecognized_keys') {
    const key = i.keys[0]!;
    const known = knownKeysAt(i.path).join(', ');
    const what = dotted === 'keystores' ? 'unknown keystore' : 'unknown field';
    return `${[...i.path, key].join('.')}: ${what} (known: ${known})`;
  }
  const from = origins.get(dotted);
  return `${dotted || '(root)'}${from !== undefined ? ` (${from})` : ''}: ${i.message}`;
}

/**
 * The configuration of this process (docs/CONFIGURATION.md): the file `S3SEAL_CONFIG` names (JSON
 * or YAML; relative paths in it relative to its directory), its base merged with the profile
 * `S3SEAL_PROFILE` (else `NODE_ENV`) chooses, the `S3SEAL_*` variables over that, secrets read from
 * their `…File` / `…_FILE` files — validated and resolved (every default applied) once, here.
 * Every mistake is one ConfigError naming the field and the profile:
 * `s3seal configuration (profile staging): keystores.vault.address: Required`. The result is a
 * plain configuration: `createContainer(loadConfig())`, `getS3SealPlugin(loadConfig())`.
 */
export function loadConfig(opts: LoadConfigOptions = {}): S3SealConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const named = set(opts.file) ?? set(env['S3SEAL_CONFIG']);
  const file = named !== undefined ? resolve(cwd, named) : undefined;
  const fileTree: ConfigTree = file !== undefined ? readConfigFile(file, opts.file !== undefined ? 'file option' : 'S3SEAL_CONFIG') : {};
  const { tree, profile } = applyProfile(fileTree, choose(opts, env), file);
  const label = configLabel({ profile, file });
  const { layer, origins } = envConfigLayer(env, cwd);
  const merged = mergeConfigLayers(file !== undefined ? resolvePathFields(tree, dirname(file)) : tree, layer);
  const withSecrets = readSecretFiles(merged, label, (dotted) => (origins.has(dotted) ? `${dotted} (${origins.get(dotted)!})` : dotted));
  const r = ConfigSchema.safeParse(withSecrets);
  if (!r.success) throw new ConfigError(`${label}: ${describeIssue(r.error.issues[0]!, origins)}`);
  rememberConfigSource(r.data, { profile, file });
  return r.data;
}
