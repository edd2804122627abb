import { readFileSync } from 'node:fs';
import { SECRET_FIELDS, SECRET_FILE_SUFFIX } from './config-fields.js';
import { ConfigError } from './config.js';
import { getAt, isPlainObject, type ConfigTree } from './config-tree.js';

/** `backend.secretAccessKeyFile (S3SEAL_BACKEND_SECRET_ACCESS_KEY_FILE)`: a field and the variable it came from */
export type FieldNamer = (dotted: string) => string;

/**
 * Replaces every secret's `…File` companion by the file's content, one trailing newline trimmed
 * (`echo secret > file` and Kubernetes secrets end in one). An unreadable file fails with the field
 * (and variable) and path, never with content. Setting a secret and its file in one layer is
 * refused: which one was meant cannot be guessed.
 */
export function readSecretFiles(tree: ConfigTree, label: string, name: FieldNamer): ConfigTree {
  const out = structuredClone(tree);
  for (const secret of SECRET_FIELDS) {
    const path = secret.split('.');
    const field = path.at(-1)!;
    const parent = getAt(out, path.slice(0, -1));
    if (!isPlainObject(parent)) continue;
    const fileKey = field + SECRET_FILE_SUFFIX;
    const file = parent[fileKey];
    if (file === undefined) continue;
    const dotted = secret + SECRET_FILE_SUFFIX;
    if (parent[field] !== undefined) throw new ConfigError(`${label}: ${name(secret)} and ${name(dotted)}: set one of them, not both`);
    if (typeof file !== 'string' || file === '') throw new ConfigError(`${label}: ${name(dotted)}: must be the path of a file`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`${label}: ${name(dotted)}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    parent[field] = text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
    delete parent[fileKey];
  }
  return out;
}
