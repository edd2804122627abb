/**
 * Checks the signatures of a signed `aws-chunked` body (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`,
 * Amazon S3 "sigv4-streaming" and "sigv4-streaming-trailers"). The door that verified the request's
 * own SigV4 signature supplies it: it holds the signing key, the timestamp and the scope, so the S3
 * core parses the framing without ever seeing a SigV4 secret.
 *
 * Each signature chains from the previous one, starting at the request's seed signature; the decoder
 * tracks the chain and hands every link over. A method throws (SealError 'SignatureDoesNotMatch')
 * when the signature is wrong; it must compare in constant time.
 */
export interface ChunkSignatureVerifier {
  /** the signature of the request itself (the Authorization header's): the first chunk chains from it */
  readonly seedSignature: string;
  /**
   * One chunk (the final zero-length one included). The door computes
   * HMAC(key, "AWS4-HMAC-SHA256-PAYLOAD\n" + date + "\n" + scope + "\n" + previous + "\n" + SHA256("") + "\n" + chunkSha256Hex).
   */
  verifyChunk(previousSignature: string, chunkSha256Hex: string, signature: string): void;
  /**
   * The trailer section of a `-TRAILER` variant (`x-amz-trailer-signature`). `trailerSha256Hex` is the
   * SHA-256 of the trailer lines as received, each as "name:value\n". The door computes
   * HMAC(key, "AWS4-HMAC-SHA256-TRAILER\n" + date + "\n" + scope + "\n" + previous + "\n" + trailerSha256Hex).
   */
  verifyTrailer(previousSignature: string, trailerSha256Hex: string, signature: string): void;
}
