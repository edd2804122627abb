import { Transform, type TransformCallback } from 'node:stream';
import { BODY_MAGIC, ENVELOPE_METADATA_KEY, PART_MAGIC, RESERVED_METADATA_PREFIX } from '../crypto/constants.js';
import { decodeEnvelope, type DecodeOptions, type Envelope } from '../crypto/envelope.js';
import { SealError } from '../errors.js';

/**
 * FORMAT.md §11 step 1: find the envelope in an object's user metadata. An object with reserved
 * metadata but no envelope was sealed and stripped: EnvelopeMissing. An object with no s3seal trace
 * at all is plaintext: callers serve it only where passthrough is configured, and then only through
 * PlaintextGuard, which refuses bodies that start with an s3seal magic.
 */
export function findEnvelope(metadata: Readonly<Record<string, string>>, opts?: DecodeOptions): Envelope | undefined {
  let value: string | undefined;
  let reserved = false;
  for (const [name, v] of Object.entries(metadata)) {
    const lower = name.toLowerCase();
    if (lower === ENVELOPE_METADATA_KEY) value = v;
    else if (lower.startsWith(RESERVED_METADATA_PREFIX)) reserved = true;
  }
  if (value !== undefined) return decodeEnvelope(value, opts);
  if (reserved) throw new SealError('EnvelopeMissing', 'object carries s3seal metadata but no envelope');
  return undefined;
}

/** bytes of an s3seal body or part magic */
export const MAGIC_SIZE = 4;

function isSealedMagic(head: Buffer): boolean {
  const m = head.subarray(0, MAGIC_SIZE);
  return m.equals(BODY_MAGIC) || m.equals(PART_MAGIC);
}

/** An object's first bytes (up to 4) that are an s3seal magic mean: sealed, envelope missing. */
export function assertNotSealed(objectStart: Buffer): void {
  if (isSealedMagic(objectStart)) throw new SealError('EnvelopeMissing', 'object body is s3seal ciphertext but its envelope is missing');
}

/**
 * Passes a whole plaintext (passthrough) body only if it does not begin with an s3seal body or part
 * magic. For ranged reads the object's own first bytes are checked instead (assertNotSealed): a
 * range's first bytes say nothing about the object.
 */
export class PlaintextGuard extends Transform {
  private head: Buffer = Buffer.alloc(0);
  private checked = false;

  override _transform(data: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.checked) return cb(null, data);
    this.head = Buffer.concat([this.head, data]);
    if (this.head.length < MAGIC_SIZE) return cb();
    this.checked = true;
    try {
      assertNotSealed(this.head);
    } catch (err) {
      return cb(err as Error);
    }
    cb(null, this.head);
  }

  override _flush(cb: TransformCallback): void {
    if (!this.checked && this.head.length > 0) this.push(this.head);
    cb();
  }
}
