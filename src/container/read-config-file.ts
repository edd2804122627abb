import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './config.js';
import { isPlainObject, type ConfigTree } from './config-tree.js';

function errno(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/**
 * The configuration file, JSON or YAML (JSON is YAML 1.2, so one parser reads both and places a
 * syntax error on its line). `source` names what pointed at it (S3SEAL_CONFIG, or loadConfig's
 * `file` option) for the message when it cannot be read. Its content never enters a message.
 */
export function readConfigFile(path: string, source: string): ConfigTree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`s3seal configuration: ${source}: cannot read ${path} (${errno(err)})`, { cause: err });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = Math.max(1, lines.linePos(syntax.pos[0]).line);
    // yaml's message quotes the offending text: keep its first sentence only, the line says where
    throw new ConfigError(`s3seal configuration file ${path}:${line}: ${syntax.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'not valid YAML or JSON'}`);
  }
  const data = doc.toJS() as unknown;
  if (data === null || data === undefined) return {};
  if (!isPlainObject(data)) throw new ConfigError(`s3seal configuration file ${path}: must be a mapping of fields (docs/CONFIGURATION.md)`);
  return data;
}
