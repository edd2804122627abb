import { isAbsolute, resolve } from 'node:path';
import { CONFIG_FIELDS, PATH_FIELDS, variableOf, type ConfigField } from './config-fields.js';
import { ConfigError } from './config.js';
import { setAt, type ConfigTree } from './config-tree.js';

/** variables read by loadConfig itself, not mapped onto a field */
export const LOADER_VARIABLES = ['S3SEAL_CONFIG', 'S3SEAL_PROFILE'] as const;

/**
 * `S3SEAL_BACKEND_`, `S3SEAL_KEYSTORES_`, …: a variable under a section's prefix that names no
 * field is a typo, refused at startup; other `S3SEAL_*` variables (the harness's, the demo's
 * `S3SEAL_PORT`) are none of the loader's business.
 */
const SECTION_PREFIXES: readonly string[] = [...new Set([...CONFIG_FIELDS.values()].filter((f) => f.path.length > 1).map((f) => variableOf(f.path.slice(0, 1)) + '_'))];

function parseValue(f: ConfigField, raw: string): unknown {
  switch (f.kind) {
    case 'string':
      return raw;
    case 'number':
      // not a number: left as text, so validation names the field ("Expected number, received string")
      return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'list':
      if (raw.trimStart().startsWith('[')) return parseJson(f, raw);
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'json':
      return parseJson(f, raw);
  }
}

function parseJson(f: ConfigField, raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ConfigError(`s3seal configuration: ${f.variable}: is not valid JSON (${f.path.join('.')} takes ${f.kind === 'list' ? 'a JSON list or comma-separated values' : 'JSON'})`);
  }
}

/**
 * The environment as a configuration layer (docs/CONFIGURATION.md "Environment variables"): each
 * field's variable is `S3SEAL_` + its path, camelCase words upper-cased and joined by `_`
 * (`keystores.vault.address` → `S3SEAL_KEYSTORES_VAULT_ADDRESS`); a secret's `…File` companion thus
 * becomes `<VARIABLE>_FILE`. Numbers and booleans (`true`/`false`) are converted; lists take JSON or
 * comma-separated values; list-of-mapping fields take JSON. An empty variable counts as unset.
 * Relative paths are taken against `cwd`. Returns the layer and, per field path, the variable it
 * came from (for messages).
 */
export function envConfigLayer(env: Readonly<Record<string, string | undefined>>, cwd: string): { layer: ConfigTree; origins: Map<string, string> } {
  const layer: ConfigTree = {};
  const origins = new Map<string, string>();
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('S3SEAL_') || raw === undefined || raw === '' || (LOADER_VARIABLES as readonly string[]).includes(name)) continue;
    const f = CONFIG_FIELDS.get(name);
    if (f === undefined) {
      const prefix = SECTION_PREFIXES.find((p) => name.startsWith(p));
      if (prefix !== undefined) throw new ConfigError(`s3seal configuration: ${name}: names no configuration field (docs/CONFIGURATION.md lists the ${prefix}* variables)`);
      continue;
    }
    const dotted = f.path.join('.');
    let value = parseValue(f, raw);
    if (PATH_FIELDS.includes(dotted) && typeof value === 'string' && !isAbsolute(value)) value = resolve(cwd, value);
    setAt(layer, f.path, value);
    origins.set(dotted, name);
  }
  return { layer, origins };
}
