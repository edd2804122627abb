import { inspect } from 'node:util';

const REDACTED = '[access key secret]';

/**
 * A gateway access key's secret, read from its `secretFile`. It prints as a placeholder wherever it
 * ends up — JSON (a logged policy document), `util.inspect` (console.log, a test failure's diff),
 * string concatenation — so a secret cannot reach a log by accident; `bytes()` is the one way to the
 * value (SigV4 signing-key derivation).
 */
export class AccessKeySecret {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  /** the secret as the client holds it (UTF-8 bytes of the secret access key) */
  bytes(): Buffer {
    return this.#bytes;
  }

  get length(): number {
    return this.#bytes.length;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
