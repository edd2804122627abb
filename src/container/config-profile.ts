import { ConfigError } from './config.js';
import { isPlainObject, mergeConfigLayers, type ConfigTree } from './config-tree.js';

/** which profile, and what chose it (for the message when it does not exist) */
export interface ProfileChoice {
  name: string;
  /** `S3SEAL_PROFILE`, `NODE_ENV` or loadConfig's `profile` option */
  by: string;
}

/**
 * The file's base (every top-level field but `profiles`) with the chosen profile merged over it
 * (mergeConfigLayers). A profile chosen but not in the file is an error listing the ones it has —
 * also when NODE_ENV chose it, once the file has profiles: starting a production process on the
 * base alone because NODE_ENV said `prod` is the mistake this refuses. NODE_ENV with a file
 * without profiles chooses nothing.
 */
export function applyProfile(file: ConfigTree, choice: ProfileChoice | undefined, path: string | undefined): { tree: ConfigTree; profile: string | undefined } {
  const { profiles, ...base } = file;
  if (profiles !== undefined && !(isPlainObject(profiles) && Object.values(profiles).every((p) => isPlainObject(p) || p === null))) {
    throw new ConfigError(`s3seal configuration file ${path ?? ''}: profiles: must map each profile name to a mapping of fields`);
  }
  const known = profiles !== undefined ? Object.keys(profiles) : [];
  if (choice === undefined || (choice.by === 'NODE_ENV' && known.length === 0)) return { tree: base, profile: undefined };
  if (!known.includes(choice.name)) {
    const where = path !== undefined ? ` in ${path}` : ' (no configuration file: S3SEAL_CONFIG is not set)';
    const list = known.length > 0 ? `known profiles: ${known.join(', ')}` : 'the file defines no profiles';
    throw new ConfigError(`s3seal configuration: ${choice.by}=${choice.name}: no such profile${where}; ${list}`);
  }
  const over = profiles![choice.name];
  return { tree: isPlainObject(over) ? mergeConfigLayers(base, over) : base, profile: choice.name };
}
