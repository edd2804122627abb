import { createRequire } from 'node:module';

// canonicalize (RFC 8785 by one of its authors) ships CommonJS with an ESM-style `export default`
// typing, which NodeNext resolves to a namespace object; loading it through require gives the function.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (v: unknown) => string | undefined;
import { SealError } from '../errors.js';
import { objectArn, type ObjectId } from './object-id.js';

export type EncryptionContext = Readonly<Record<string, string>>;

/** Keys S3 derives itself; a caller may not set them and they are never stored (DESIGN.md). */
export const DERIVED_CONTEXT_KEYS = ['aws:s3:arn'] as const;

/** RFC 8785 canonical JSON of a string-to-string map (FORMAT.md §5.1, field 0x05). */
export function canonicalContext(ctx: EncryptionContext): string {
  for (const [k, v] of Object.entries(ctx)) {
    if (typeof v !== 'string') throw new SealError('InvalidArgument', `encryption context value for "${k}" must be a string`);
  }
  const out = canonicalize(ctx);
  if (out === undefined) throw new SealError('InvalidArgument', 'encryption context cannot be serialised');
  return out;
}

/**
 * Parse a stored context; refuses anything that is not the canonical form of a non-empty string map.
 * An empty context is stored as no field at all (FORMAT.md §5.1), so "no context" has exactly one
 * encoding and a stored `{}` is malformed.
 */
export function parseStoredContext(s: string): EncryptionContext {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    throw new SealError('EnvelopeMalformed', 'envelope context is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SealError('EnvelopeMalformed', 'envelope context is not an object');
  const ctx = v as Record<string, unknown>;
  if (Object.keys(ctx).length === 0) throw new SealError('EnvelopeMalformed', 'envelope context is empty (an empty context is stored as no field)');
  for (const [k, val] of Object.entries(ctx)) {
    if (typeof val !== 'string') throw new SealError('EnvelopeMalformed', `envelope context value for "${k}" is not a string`);
    if ((DERIVED_CONTEXT_KEYS as readonly string[]).includes(k)) throw new SealError('EnvelopeMalformed', `envelope context stores derived key "${k}"`);
  }
  const typed = ctx as Record<string, string>;
  if (canonicalContext(typed) !== s) throw new SealError('EnvelopeMalformed', 'envelope context is not in canonical form');
  return typed;
}

/**
 * The context a keystore binds: the caller's context plus the derived object ARN, as canonical JSON
 * (FORMAT.md §5.1). A caller-supplied derived key is refused.
 */
export function bindingContext(o: ObjectId, callerContext: EncryptionContext = {}): string {
  for (const k of DERIVED_CONTEXT_KEYS) {
    if (k in callerContext) throw new SealError('InvalidArgument', `encryption context key "${k}" is reserved`);
  }
  return canonicalContext({ ...callerContext, 'aws:s3:arn': objectArn(o) });
}
