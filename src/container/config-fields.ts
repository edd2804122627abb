import { z } from 'zod';
import { ConfigSchema } from './config.js';

/** how an environment variable's text becomes a field's value */
export type FieldKind = 'string' | 'number' | 'boolean' | 'list' | 'json';

/** one settable field of the configuration, with its environment variable */
export interface ConfigField {
  /** e.g. ['keystores', 'vault', 'address'] */
  readonly path: readonly string[];
  /** e.g. S3SEAL_KEYSTORES_VAULT_ADDRESS */
  readonly variable: string;
  readonly kind: FieldKind;
}

/**
 * Fields that hold secrets. Each also takes its value from a file: `<field>File` in the
 * configuration file (`secretAccessKeyFile: /run/secrets/minio`), `<VARIABLE>_FILE` in the
 * environment — the same rule applied to the companion field's name — so no secret has to sit in
 * the file or in the environment. Access key ids are listed too: deployments mount them with the
 * secret they belong to.
 */
export const SECRET_FIELDS: readonly string[] = [
  'backend.accessKeyId',
  'backend.secretAccessKey',
  'keystores.vault.auth.token',
  'keystores.vault.auth.roleId',
  'keystores.vault.auth.secretId',
  'keystores.awskms.accessKeyId',
  'keystores.awskms.secretAccessKey',
  'uploadTokenRoot',
];

/** the companion field naming the file a secret is read from */
export const SECRET_FILE_SUFFIX = 'File';

/**
 * Fields that hold a path on the s3seal host (with the secrets' `…File` companions): a relative
 * path in the configuration file is relative to the file's directory, in a variable to the working
 * directory — so the file works wherever the process is started from.
 */
export const PATH_FIELDS: readonly string[] = [
  'keystores.file.path',
  'keystores.vault.caFile',
  'policy.file',
  'bucketEncryption.stateFile',
  'audit.destination.file',
  'gateway.tls.certFile',
  'gateway.tls.keyFile',
  ...SECRET_FIELDS.map((f) => f + SECRET_FILE_SUFFIX),
];

/** `keystores.vault.address` → `S3SEAL_KEYSTORES_VAULT_ADDRESS`: each segment's camelCase words upper-cased, joined by `_` */
export function variableOf(path: readonly string[]): string {
  return ['S3SEAL', ...path.map((seg) => seg.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())].join('_');
}

function unwrap(t: z.ZodTypeAny): z.ZodTypeAny {
  for (;;) {
    if (t instanceof z.ZodEffects) t = t.innerType() as z.ZodTypeAny;
    else if (t instanceof z.ZodDefault) t = t._def.innerType as z.ZodTypeAny;
    else if (t instanceof z.ZodOptional || t instanceof z.ZodNullable) t = t.unwrap() as z.ZodTypeAny;
    else return t;
  }
}

function kindOf(t: z.ZodTypeAny): FieldKind {
  if (t instanceof z.ZodNumber) return 'number';
  if (t instanceof z.ZodBoolean) return 'boolean';
  if (t instanceof z.ZodArray) return unwrap(t.element as z.ZodTypeAny) instanceof z.ZodString ? 'list' : 'json';
  if (t instanceof z.ZodString || t instanceof z.ZodEnum || t instanceof z.ZodLiteral) return 'string';
  return 'json';
}

function walk(t: z.ZodTypeAny, path: string[], out: Map<string, ConfigField>): void {
  const u = unwrap(t);
  if (u instanceof z.ZodObject) {
    for (const [k, v] of Object.entries(u.shape as Record<string, z.ZodTypeAny>)) walk(v, [...path, k], out);
  } else if (u instanceof z.ZodUnion || u instanceof z.ZodDiscriminatedUnion) {
    // every option's fields: `keystores.vault.auth.token` and `…roleId` both get a variable
    for (const o of u.options as z.ZodTypeAny[]) walk(o, path, out);
  } else {
    add(out, { path, variable: variableOf(path), kind: kindOf(u) });
  }
}

function add(out: Map<string, ConfigField>, f: ConfigField): void {
  const seen = out.get(f.variable);
  if (seen && seen.path.join('.') !== f.path.join('.')) throw new Error(`configuration fields ${seen.path.join('.')} and ${f.path.join('.')} map onto one variable ${f.variable}`);
  out.set(f.variable, f);
}

/** the schema's fields (derived from ConfigSchema, so a new field gets its variable with no list to update), by variable */
export const CONFIG_FIELDS: ReadonlyMap<string, ConfigField> = (() => {
  const out = new Map<string, ConfigField>();
  walk(ConfigSchema, [], out);
  for (const s of SECRET_FIELDS) {
    const path = [...s.split('.').slice(0, -1), s.split('.').at(-1)! + SECRET_FILE_SUFFIX];
    add(out, { path, variable: variableOf(path), kind: 'string' });
  }
  return out;
})();

/** the keys a mapping at `path` of the schema accepts (for "unknown field" messages); [] where there is no mapping */
export function knownKeysAt(path: readonly (string | number)[]): string[] {
  let t = unwrap(ConfigSchema);
  for (const seg of path) {
    if (!(t instanceof z.ZodObject)) return [];
    const next = (t.shape as Record<string, z.ZodTypeAny>)[String(seg)];
    if (next === undefined) return [];
    t = unwrap(next);
  }
  return t instanceof z.ZodObject ? Object.keys(t.shape as Record<string, z.ZodTypeAny>) : [];
}
