import { isAbsolute, resolve } from 'node:path';
import { PATH_FIELDS, SECRET_FIELDS, SECRET_FILE_SUFFIX } from './config-fields.js';

/** a configuration (or a layer of one) before validation: what a file or the environment gives */
export type ConfigTree = Record<string, unknown>;

export function isPlainObject(v: unknown): v is ConfigTree {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

export function getAt(tree: ConfigTree, path: readonly string[]): unknown {
  let v: unknown = tree;
  for (const seg of path) {
    if (!isPlainObject(v)) return undefined;
    v = v[seg];
  }
  return v;
}

/** sets a leaf, creating the mappings above it */
export function setAt(tree: ConfigTree, path: readonly string[], value: unknown): void {
  let o = tree;
  for (const seg of path.slice(0, -1)) {
    const next = o[seg];
    if (isPlainObject(next)) o = next;
    else o = o[seg] = {};
  }
  o[path.at(-1)!] = value;
}

/**
 * A secret and its `…File` companion are one setting: a layer that sets either replaces both, so a
 * profile's `secretAccessKeyFile` wins over the base's `secretAccessKey` (and an environment
 * variable over either).
 */
function dropCompanion(out: ConfigTree, full: string, key: string): void {
  if (SECRET_FIELDS.includes(full)) delete out[key + SECRET_FILE_SUFFIX];
  else if (key.endsWith(SECRET_FILE_SUFFIX) && SECRET_FIELDS.includes(full.slice(0, -SECRET_FILE_SUFFIX.length))) delete out[key.slice(0, -SECRET_FILE_SUFFIX.length)];
}

/**
 * `over` laid over `base`: mappings merge key by key, anything else (scalars, lists) replaces;
 * `null` removes the field (a profile's `keystores: { file: null }` drops the base's file
 * keystore). A mapping whose `method` changes (keystores.vault.auth: token → approle) is replaced
 * whole, since the two methods share no field.
 */
export function mergeConfigLayers(base: ConfigTree, over: ConfigTree, path: readonly string[] = []): ConfigTree {
  const out: ConfigTree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    dropCompanion(out, [...path, k].join('.'), k);
    const prev = out[k];
    if (v === null) delete out[k];
    else if (isPlainObject(v) && isPlainObject(prev) && (v['method'] === undefined || v['method'] === prev['method'])) out[k] = mergeConfigLayers(prev, v, [...path, k]);
    else out[k] = v;
  }
  return out;
}

/** the layer with every relative path field (PATH_FIELDS) made absolute against `dir` */
export function resolvePathFields(layer: ConfigTree, dir: string): ConfigTree {
  const out = structuredClone(layer);
  for (const f of PATH_FIELDS) {
    const path = f.split('.');
    const v = getAt(out, path);
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) setAt(out, path, resolve(dir, v));
  }
  return out;
}
