import { S3SealError } from '../errors.js';

/**
 * A policy document that cannot be used (issue 8: "validated with errors naming the line and field").
 * One message, for the first mistake in the file: `policy.yaml:12: statements[1].actions[0]: unknown
 * action "s3:GetObjects"`. Thrown at startup (the process refuses to run on a bad document) and logged
 * on a reload (the old document stays). Never retryable: the file has to be fixed.
 */
export class PolicyDocumentError extends S3SealError<'InvalidPolicyDocument'> {
  /** the file name the message names */
  readonly source: string;
  /** 1-based line of the mistake, when the mistake has a place in the file */
  readonly line: number | undefined;
  /** the field path (`statements[1].actions[0]`), '' for the document itself */
  readonly field: string;
  /** the mistake itself, without source/line/field */
  readonly detail: string;

  constructor(source: string, line: number | undefined, field: string, detail: string, options: { cause?: unknown } = {}) {
    super('InvalidPolicyDocument', `${source}${line !== undefined ? `:${line}` : ''}: ${field !== '' ? `${field}: ` : ''}${detail}`, options);
    this.name = 'PolicyDocumentError';
    this.source = source;
    this.line = line;
    this.field = field;
    this.detail = detail;
  }
}
