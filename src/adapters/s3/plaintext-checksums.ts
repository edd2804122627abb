import { timingSafeEqual } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { SealError } from '../../errors.js';
import { CHECKSUM_ALGORITHMS, checksumHeader, DIGEST_SIZE, newDigester, type ChecksumAlgorithm, type Digester } from './checksum-algorithms.js';

/** What was computed over the plaintext, base64 as S3 writes it (sealed into the envelope later). */
export interface PlaintextDigests {
  contentMd5?: string;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

/** Where the caller's value for the flexible checksum comes from. */
type Expected = { from: 'header'; value: Buffer } | { from: 'trailer' } | { from: 'none' };

export interface PlaintextChecksumsOptions {
  /** compute the MD5 even without Content-MD5 (the optional plaintext-MD5 ETag of SSE-S3 objects) */
  md5?: boolean;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** base64 that decodes to exactly `size` bytes and is written canonically; undefined otherwise */
function decodeDigest(text: string, size: number): Buffer | undefined {
  if (!BASE64.test(text) || text.length % 4 !== 0) return undefined;
  const b = Buffer.from(text, 'base64');
  if (b.length !== size || b.toString('base64') !== text) return undefined;
  return b;
}

function invalidValue(name: string): SealError {
  return new SealError('InvalidRequest', `Value for ${name} header is invalid.`);
}

function algorithmOf(name: string): ChecksumAlgorithm | undefined {
  return CHECKSUM_ALGORITHMS.find((a) => checksumHeader(a) === name);
}

/**
 * The plaintext checksums of one request body (DESIGN.md "Sizes … checksums"): `Content-MD5` and one
 * `x-amz-checksum-{crc32,crc32c,crc64nvme,sha1,sha256}` sent as a header or announced as a trailer
 * (`x-amz-trailer`), or only named by `x-amz-sdk-checksum-algorithm`. Malformed values are refused
 * when the request arrives (fromHeaders), before any body byte; the digests are computed while the
 * body streams (update / tap) and compared once it ended (verify).
 *
 * "A body is never committed to the backend before it is verified": pass `() => checksums.verify(…)`
 * as the encrypting stream's `beforeFinal`. It runs after the last plaintext byte and before the
 * final ciphertext chunk is sealed; a mismatch fails the stream, the final chunk is never emitted, and
 * the backend never receives a complete object or part.
 */
export class PlaintextChecksums {
  private readonly md5: Digester | undefined;
  private readonly flexible: Digester | undefined;
  private result: Promise<PlaintextDigests> | undefined;

  private constructor(
    private readonly contentMd5: Buffer | undefined,
    md5: boolean,
    readonly algorithm: ChecksumAlgorithm | undefined,
    private readonly expected: Expected,
  ) {
    this.md5 = contentMd5 !== undefined || md5 ? newDigester('MD5') : undefined;
    this.flexible = algorithm ? newDigester(algorithm) : undefined;
  }

  /** Reads and validates the request's checksum headers (lower-case names, as in S3Request). */
  static fromHeaders(headers: Readonly<Record<string, string>>, opts: PlaintextChecksumsOptions = {}): PlaintextChecksums {
    const md5Header = headers['content-md5'];
    let contentMd5: Buffer | undefined;
    if (md5Header !== undefined) {
      contentMd5 = decodeDigest(md5Header.trim(), DIGEST_SIZE.MD5);
      if (!contentMd5) throw new SealError('InvalidDigest', 'The Content-MD5 you specified is not valid.');
    }
    const found: { alg: ChecksumAlgorithm; expected: Expected }[] = [];
    for (const alg of CHECKSUM_ALGORITHMS) {
      const name = checksumHeader(alg);
      const value = headers[name];
      if (value === undefined) continue;
      const digest = decodeDigest(value.trim(), DIGEST_SIZE[alg]);
      if (!digest) throw invalidValue(name);
      found.push({ alg, expected: { from: 'header', value: digest } });
    }
    const trailer = headers['x-amz-trailer'];
    for (const raw of trailer === undefined ? [] : trailer.split(',')) {
      const name = raw.trim().toLowerCase();
      const alg = algorithmOf(name);
      if (!alg) throw new SealError('InvalidRequest', `The value specified in the x-amz-trailer header is not supported: ${name.slice(0, 64)}`);
      found.push({ alg, expected: { from: 'trailer' } });
    }
    if (found.length > 1) throw new SealError('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
    const sdkAlg = headers['x-amz-sdk-checksum-algorithm'];
    let algorithm = found[0]?.alg;
    if (sdkAlg !== undefined) {
      const named = CHECKSUM_ALGORITHMS.find((a) => a === sdkAlg.trim().toUpperCase());
      if (!named || (algorithm !== undefined && named !== algorithm)) throw invalidValue('x-amz-sdk-checksum-algorithm');
      algorithm = named;
    }
    return new PlaintextChecksums(contentMd5, opts.md5 === true, algorithm, found[0]?.expected ?? { from: 'none' });
  }

  /**
   * The values the request's headers carried (before any body byte): what a writer can seal into
   * the envelope that goes up with the body. A trailer's value, or one only computed, is not here.
   */
  declared(): PlaintextDigests {
    const out: PlaintextDigests = {};
    if (this.contentMd5) out.contentMd5 = this.contentMd5.toString('base64');
    if (this.algorithm && this.expected.from === 'header') out.checksum = { algorithm: this.algorithm, value: this.expected.value.toString('base64') };
    return out;
  }

  /** whether the MD5 of the body is computed (Content-MD5 was sent, or the md5 option asked for it) */
  get computesMd5(): boolean {
    return this.md5 !== undefined;
  }

  /** whether there is anything to compute (a body without checksums needs no tap) */
  get active(): boolean {
    return this.md5 !== undefined || this.flexible !== undefined;
  }

  /** Feed plaintext bytes in order; synchronous, keeps no reference to `data`. */
  update(data: Uint8Array): void {
    if (this.result) throw new Error('PlaintextChecksums: update after verify');
    this.md5?.update(data);
    this.flexible?.update(data);
  }

  /** A pass-through stage that feeds every byte through update() on its way (chunks pass unchanged). */
  tap(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) => {
        try {
          this.update(chunk);
          cb(null, chunk);
        } catch (err) {
          cb(err as Error);
        }
      },
    });
  }

  /**
   * Once the body ended: compares the digests with what the caller sent, throwing BadDigest on a
   * mismatch, and returns them. `trailers` are the decoded aws-chunked trailers (AwsChunkedDecoder
   * .trailers) when the checksum was announced as one. Computed once; later calls return the same.
   */
  verify(trailers?: ReadonlyMap<string, string>): Promise<PlaintextDigests> {
    this.result ??= this.compute(trailers);
    return this.result;
  }

  private async compute(trailers: ReadonlyMap<string, string> | undefined): Promise<PlaintextDigests> {
    const out: PlaintextDigests = {};
    if (this.md5) {
      const md5 = Buffer.from(await this.md5.digest());
      if (this.contentMd5 && !timingSafeEqual(md5, this.contentMd5)) throw new SealError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
      out.contentMd5 = md5.toString('base64');
    }
    if (this.flexible && this.algorithm) {
      const alg = this.algorithm;
      const value = Buffer.from(await this.flexible.digest());
      const sent = this.sentValue(alg, trailers);
      if (sent && !timingSafeEqual(value, sent)) throw new SealError('BadDigest', `The ${alg} you specified did not match the calculated checksum.`);
      out.checksum = { algorithm: alg, value: value.toString('base64') };
    }
    return out;
  }

  private sentValue(alg: ChecksumAlgorithm, trailers: ReadonlyMap<string, string> | undefined): Buffer | undefined {
    const e = this.expected;
    if (e.from === 'header') return e.value;
    if (e.from === 'none') return undefined;
    const name = checksumHeader(alg);
    const text = trailers?.get(name);
    if (text === undefined) throw new SealError('MalformedTrailer', `The request contained trailing data that was not well-formed: trailer ${name} is missing`);
    const value = decodeDigest(text, DIGEST_SIZE[alg]);
    if (!value) throw invalidValue(name);
    return value;
  }
}
