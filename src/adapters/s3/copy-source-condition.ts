import type { CopySourceCondition } from '../../engine/facade/copy-object-types.js';
import { SealError } from '../../errors.js';
import { evaluateConditionals } from './evaluate-conditionals.js';
import { parseConditionals } from './parse-conditionals.js';

/**
 * CopyObject / UploadPartCopy's `x-amz-copy-source-if-{match,none-match,modified-since,unmodified-since}`
 * as the check the engine runs on the source it read (every failure is 412 PreconditionFailed, as
 * on S3; the combinations as evaluate-conditionals.ts documents them). undefined = no such headers.
 */
export function copySourceCondition(headers: Readonly<Record<string, string>>): CopySourceCondition | undefined {
  const c = parseConditionals(headers, 'copy-source');
  if (c.ifMatch === undefined && c.ifNoneMatch === undefined && c.ifModifiedSince === undefined && c.ifUnmodifiedSince === undefined) return undefined;
  return (source) => {
    // S3 always reports Last-Modified; without one only the entity-tag conditions can fail
    const lastModified = source.lastModified ?? new Date(Number.NaN);
    if (evaluateConditionals(c, { etag: source.etag, lastModified }, 'copy-source') !== 'pass') {
      throw new SealError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    }
  };
}
