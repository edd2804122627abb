import { SealError } from '../errors.js';

/** Big-endian fixed-width integers and length-prefixed strings used by every s3seal structure (FORMAT.md §1). */
export function u16(n: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(n);
  return b;
}

export function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n);
  return b;
}

export function u64(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`u64 out of range: ${n}`);
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** lp(x) = u16 length ‖ bytes (FORMAT.md §1). Strings are UTF-8. */
export function lp(x: string | Uint8Array): Buffer {
  const bytes = typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  if (bytes.length > 0xffff) throw new RangeError('lp: value longer than 65535 bytes');
  return Buffer.concat([u16(bytes.length), bytes]);
}

export function readU64(buf: Buffer, offset: number): number {
  const v = buf.readBigUInt64BE(offset);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new SealError('BodyMalformed', 'length field exceeds 2^53-1');
  return Number(v);
}

/** base64url without padding: header-safe and compact (FORMAT.md §5.2). */
export function toB64u(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
}

const B64U = /^[A-Za-z0-9_-]*$/;

/** Strict base64url decode: rejects padding, other alphabets, and non-canonical trailing bits. */
export function fromB64uStrict(s: string): Buffer | undefined {
  if (!B64U.test(s) || s.length % 4 === 1) return undefined;
  const out = Buffer.from(s, 'base64url');
  if (out.toString('base64url') !== s) return undefined;
  return out;
}

/** A cursor that never reads past the end: every read checks bounds before slicing. */
export class Reader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly onError: (msg: string) => SealError,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  bytes(n: number): Buffer {
    if (n > this.remaining) throw this.onError(`truncated: wanted ${n} bytes, ${this.remaining} left`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u8(): number {
    return this.bytes(1)[0]!;
  }

  u16(): number {
    return this.bytes(2).readUInt16BE(0);
  }

  u32(): number {
    return this.bytes(4).readUInt32BE(0);
  }

  u64(): number {
    const b = this.bytes(8);
    const v = b.readBigUInt64BE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.onError('u64 field exceeds 2^53-1');
    return Number(v);
  }

  end(): void {
    if (this.remaining !== 0) throw this.onError(`${this.remaining} unexpected trailing bytes`);
  }
}
