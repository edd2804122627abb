import { SealError } from '../../errors.js';

export type CopyDirective = 'COPY' | 'REPLACE';

// Amazon S3's texts for an unknown directive (InvalidArgument 400).
export const DIRECTIVE_MESSAGES = {
  metadata: 'Unknown metadata directive.',
  tagging: 'Unknown tagging directive.',
} as const;

function directive(value: string | undefined, message: string): CopyDirective {
  if (value === undefined || value === 'COPY') return 'COPY';
  if (value === 'REPLACE') return 'REPLACE';
  throw new SealError('InvalidArgument', message);
}

/** `x-amz-metadata-directive` of CopyObject: COPY (default) or REPLACE, case-sensitive as in S3. */
export function parseMetadataDirective(headers: Readonly<Record<string, string>>): CopyDirective {
  return directive(headers['x-amz-metadata-directive'], DIRECTIVE_MESSAGES.metadata);
}

/** `x-amz-tagging-directive` of CopyObject: COPY (default) or REPLACE. */
export function parseTaggingDirective(headers: Readonly<Record<string, string>>): CopyDirective {
  return directive(headers['x-amz-tagging-directive'], DIRECTIVE_MESSAGES.tagging);
}
