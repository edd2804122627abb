import { createHash, timingSafeEqual } from 'node:crypto';
import { SealError } from '../../errors.js';
import type { ChunkSignatureVerifier } from '../s3/chunk-signature-verifier.js';
import { hmac } from './signing-key.js';

const EMPTY_SHA256 = createHash('sha256').digest('hex');
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The chunk signatures of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]` body (Amazon S3
 * "sigv4-streaming"): each chains from the previous, the first from the request's own (seed)
 * signature, all with the request's signing key, timestamp and scope. The S3 core's aws-chunked
 * decoder calls it for every chunk and for the trailer; it never sees the key.
 */
export class SigV4ChunkVerifier implements ChunkSignatureVerifier {
  constructor(
    readonly seedSignature: string,
    private readonly key: Buffer,
    private readonly amzDate: string,
    private readonly scope: string,
  ) {}

  verifyChunk(previousSignature: string, chunkSha256Hex: string, signature: string): void {
    this.check(`AWS4-HMAC-SHA256-PAYLOAD\n${this.amzDate}\n${this.scope}\n${previousSignature}\n${EMPTY_SHA256}\n${chunkSha256Hex}`, signature);
  }

  verifyTrailer(previousSignature: string, trailerSha256Hex: string, signature: string): void {
    this.check(`AWS4-HMAC-SHA256-TRAILER\n${this.amzDate}\n${this.scope}\n${previousSignature}\n${trailerSha256Hex}`, signature);
  }

  private check(stringToSign: string, signature: string): void {
    const expected = hmac(this.key, stringToSign);
    const given = HEX64.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(32);
    // both 32 bytes: the comparison takes the same time whatever the given signature is
    if (!timingSafeEqual(expected, given) || !HEX64.test(signature)) {
      throw new SealError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    }
  }
}
