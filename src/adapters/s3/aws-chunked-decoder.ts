import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { SealError } from '../../errors.js';
import type { ChunkSignatureVerifier } from './chunk-signature-verifier.js';

/** The `x-amz-content-sha256` values that announce an aws-chunked body this decoder reads. */
export const AWS_CHUNKED_VARIANTS = ['STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'] as const;
export type AwsChunkedVariant = (typeof AWS_CHUNKED_VARIANTS)[number];

export interface AwsChunkedOptions {
  variant: AwsChunkedVariant;
  /** `x-amz-decoded-content-length`: the decoded body must be exactly this long */
  decodedLength: number;
  /** the lower-case names `x-amz-trailer` announced: exactly these trailers must arrive, once each */
  trailerNames?: readonly string[];
  /** required for the signed variants: without it a signed body is refused (its signatures would go unchecked) */
  verifier?: ChunkSignatureVerifier;
  highWaterMark?: number;
}

/**
 * The longest chunk-header or trailer line accepted, CRLF included. The longest legitimate one is a
 * signed chunk header (16 hex digits + ";chunk-signature=" + 64 hex ≈ 100 bytes) or a SHA-256 trailer;
 * a longer line is refused as soon as it passes this, so a line never costs more memory than this.
 */
export const MAX_LINE = 1024;
const MAX_HEX_DIGITS = 16;
const SIG_LINE = /^([0-9a-fA-F]{1,16});chunk-signature=([0-9a-f]{64})$/;
const HEX_LINE = /^[0-9a-fA-F]{1,16}$/;
const TRAILER_SIGNATURE = 'x-amz-trailer-signature';
const CR = 0x0d;
const LF = 0x0a;

type State = 'header' | 'data' | 'dataEnd' | 'trailer' | 'done';

function framing(message: string): SealError {
  return new SealError('InvalidChunkEncoding', `invalid aws-chunked body: ${message}`);
}

function trailerError(message: string): SealError {
  return new SealError('MalformedTrailer', `The request contained trailing data that was not well-formed: ${message}`);
}

function incomplete(): SealError {
  return new SealError('IncompleteBody', 'You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header');
}

/**
 * Decodes an `aws-chunked` request body (`Content-Encoding: aws-chunked`) into the object's bytes:
 *
 *   unsigned (what SDK v3 sends for streams):  hex-size CRLF data CRLF … 0 CRLF trailer-lines CRLF
 *   signed:   hex-size;chunk-signature=SIG CRLF data CRLF … 0;chunk-signature=SIG CRLF [trailers + x-amz-trailer-signature] CRLF
 *
 * Fail closed: any deviation is a typed SealError (InvalidChunkEncoding, IncompleteBody,
 * MalformedTrailer, or the verifier's SignatureDoesNotMatch) the moment the byte that shows it arrives;
 * the stream then errors and never ends cleanly, so an encrypting stream downstream never emits its
 * final chunk. Memory is bounded whatever the input: one line buffer of MAX_LINE bytes; chunk data is
 * passed on as it arrives (copied, so a producer may reuse its buffers once its write callback fired).
 *
 * Once the stream ended, `trailers` holds the trailer values (lower-case names), e.g. the
 * `x-amz-checksum-crc32` that PlaintextChecksums compares against.
 */
export class AwsChunkedDecoder extends Transform {
  readonly variant: AwsChunkedVariant;
  private readonly signed: boolean;
  private readonly decodedLength: number;
  private readonly announced: ReadonlySet<string>;
  private readonly verifier: ChunkSignatureVerifier | undefined;
  private readonly received = new Map<string, string>();

  private state: State = 'header';
  private readonly line = Buffer.alloc(MAX_LINE);
  private lineLen = 0;
  private decoded = 0;
  /** bytes of the current chunk still to come */
  private chunkLeft = 0;
  /** bytes of the CRLF after chunk data already seen */
  private crlfSeen = 0;
  private chunkSignature = '';
  private previousSignature = '';
  private chunkHash: Hash | undefined;
  private trailerLines: string[] = [];
  private trailerSigned = false;
  /** trailer section seen nothing yet (the SDK ends an unsigned body without trailers right after "0\r\n") */
  private trailerEmpty = true;

  constructor(opts: AwsChunkedOptions) {
    super({ readableHighWaterMark: opts.highWaterMark ?? 256 * 1024, writableHighWaterMark: opts.highWaterMark ?? 256 * 1024 });
    if (!(AWS_CHUNKED_VARIANTS as readonly string[]).includes(opts.variant)) throw new SealError('InvalidArgument', 'unsupported x-amz-content-sha256 for an aws-chunked body');
    if (!Number.isSafeInteger(opts.decodedLength) || opts.decodedLength < 0) throw new SealError('InvalidArgument', 'invalid x-amz-decoded-content-length');
    this.variant = opts.variant;
    this.signed = opts.variant !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
    this.decodedLength = opts.decodedLength;
    const names = (opts.trailerNames ?? []).map((n) => n.trim().toLowerCase());
    this.announced = new Set(names);
    if (this.announced.size !== names.length) throw trailerError('a trailer is announced twice in x-amz-trailer');
    if (this.announced.has(TRAILER_SIGNATURE)) throw trailerError(`${TRAILER_SIGNATURE} cannot be announced`);
    if (opts.variant === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' && names.length > 0) throw trailerError('STREAMING-AWS4-HMAC-SHA256-PAYLOAD carries no trailers');
    if (this.signed) {
      // refusing beats accepting signatures nobody checks: the door that verified the request must verify its chunks
      if (!opts.verifier) throw new SealError('AccessDenied', 'signed aws-chunked bodies need a chunk-signature verifier, which this door does not provide');
      this.verifier = opts.verifier;
      this.previousSignature = opts.verifier.seedSignature;
    }
  }

  /** the trailer values that arrived (lower-case names); complete once the stream ended */
  get trailers(): ReadonlyMap<string, string> {
    return this.received;
  }

  override _transform(data: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.consume(data);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    if (this.state === 'done') return cb();
    if (this.state === 'trailer' && !this.signed && this.announced.size === 0 && this.trailerEmpty && this.lineLen === 0) {
      // SDK v3's encoder without a checksum ends with "0\r\n" and no empty line: nothing is missing
      this.state = 'done';
      return cb();
    }
    cb(this.state === 'trailer' ? trailerError('the body ended inside the trailer section') : incomplete());
  }

  private consume(data: Buffer): void {
    let off = 0;
    while (off < data.length) {
      switch (this.state) {
        case 'header':
        case 'trailer': {
          const nl = data.indexOf(LF, off);
          const end = nl === -1 ? data.length : nl + 1;
          if (this.lineLen + (end - off) > MAX_LINE) throw this.state === 'header' ? framing('chunk header line too long') : trailerError('trailer line too long');
          data.copy(this.line, this.lineLen, off, end);
          this.lineLen += end - off;
          off = end;
          if (nl !== -1) this.onLine();
          break;
        }
        case 'data': {
          const n = Math.min(this.chunkLeft, data.length - off);
          const piece = data.subarray(off, off + n);
          this.chunkHash?.update(piece);
          // a copy: the producer may overwrite `data` once our callback fired, while this waits downstream
          this.push(Buffer.from(piece));
          this.chunkLeft -= n;
          off += n;
          if (this.chunkLeft === 0) this.state = 'dataEnd';
          break;
        }
        case 'dataEnd': {
          const want = this.crlfSeen === 0 ? CR : LF;
          if (data[off] !== want) throw framing('chunk data is not followed by CRLF');
          off++;
          if (++this.crlfSeen === 2) {
            this.crlfSeen = 0;
            this.endChunk();
            this.state = 'header';
          }
          break;
        }
        case 'done':
          throw framing('data after the end of the body');
      }
    }
  }

  /** the line buffer holds one complete line ending in LF */
  private onLine(): void {
    const len = this.lineLen;
    this.lineLen = 0;
    if (len < 2 || this.line[len - 2] !== CR) throw this.state === 'header' ? framing('line does not end in CRLF') : trailerError('line does not end in CRLF');
    const text = this.line.toString('latin1', 0, len - 2);
    this.line.fill(0, 0, len);
    if (this.state === 'header') this.onHeader(text);
    else this.onTrailer(text);
  }

  private onHeader(text: string): void {
    let hex: string;
    if (this.signed) {
      const m = SIG_LINE.exec(text);
      if (!m) throw framing('chunk header is not hex-size;chunk-signature=signature');
      hex = m[1]!;
      this.chunkSignature = m[2]!;
    } else {
      if (!HEX_LINE.test(text)) throw framing('chunk header is not a hexadecimal size');
      hex = text;
    }
    if (hex.length > MAX_HEX_DIGITS) throw framing('chunk size too long');
    const size = Number.parseInt(hex, 16);
    if (!Number.isSafeInteger(size) || size > this.decodedLength - this.decoded) throw framing('chunk runs past x-amz-decoded-content-length');
    if (size === 0) {
      if (this.decoded !== this.decodedLength) throw incomplete();
      if (this.signed) {
        this.chunkHash = createHash('sha256');
        this.endChunk();
      }
      this.state = 'trailer';
      return;
    }
    this.decoded += size;
    this.chunkLeft = size;
    if (this.signed) this.chunkHash = createHash('sha256');
    this.state = 'data';
  }

  /** a chunk's data and CRLF are complete: check its signature (signed variants) */
  private endChunk(): void {
    if (!this.signed || !this.chunkHash) return;
    const digest = this.chunkHash.digest('hex');
    this.chunkHash = undefined;
    this.verifier!.verifyChunk(this.previousSignature, digest, this.chunkSignature);
    this.previousSignature = this.chunkSignature;
  }

  private onTrailer(text: string): void {
    if (text === '') {
      this.finishTrailers();
      return;
    }
    this.trailerEmpty = false;
    if (this.trailerSigned) throw trailerError(`nothing may follow ${TRAILER_SIGNATURE}`);
    const colon = text.indexOf(':');
    if (colon <= 0) throw trailerError('a trailer line is not name:value');
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (value === '') throw trailerError(`trailer ${name} has no value`);
    if (name === TRAILER_SIGNATURE && this.variant === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER') {
      const hash = createHash('sha256');
      for (const l of this.trailerLines) hash.update(l, 'latin1');
      this.verifier!.verifyTrailer(this.previousSignature, hash.digest('hex'), value);
      this.trailerSigned = true;
      return;
    }
    if (!this.announced.has(name)) throw trailerError(`trailer ${name} was not announced in x-amz-trailer`);
    if (this.received.has(name)) throw trailerError(`trailer ${name} arrived twice`);
    this.received.set(name, value);
    this.trailerLines.push(`${name}:${value}\n`);
  }

  private finishTrailers(): void {
    for (const name of this.announced) if (!this.received.has(name)) throw trailerError(`announced trailer ${name} is missing`);
    if (this.variant === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' && !this.trailerSigned) throw trailerError(`${TRAILER_SIGNATURE} is missing`);
    this.state = 'done';
  }
}
