/**
 * An error whose S3 error response carries headers besides the standard ones, e.g. the
 * `Content-Range: bytes *\/length` of a 416 InvalidRange (RFC 9110 §15.5.17). Operations throw it;
 * the core answers with `error`'s shape and adds `headers`.
 */
export class ErrorWithHeaders extends Error {
  constructor(
    readonly error: unknown,
    readonly headers: Readonly<Record<string, string>>,
  ) {
    super(error instanceof Error ? error.message : 'error', { cause: error });
    this.name = 'ErrorWithHeaders';
  }
}
