import type { Readable } from 'node:stream';
import type { ChunkSignatureVerifier } from './chunk-signature-verifier.js';

/**
 * What every door hands the S3 core (DESIGN.md "Doors"): one S3 request at the HTTP level, already
 * authenticated by the door. Header names are lower-case; a repeated header is joined with ", " as
 * HTTP does. `bucket` and `key` are decoded from the path (path-style or virtual-host, the door's
 * business); `query` holds decoded query parameters (a parameter without a value maps to "").
 */
export interface S3Request {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  bucket?: string;
  key?: string;
  query: Readonly<Record<string, string>>;
  headers: Readonly<Record<string, string>>;
  /** the request body as it arrived (still aws-chunked framed when `content-encoding` says so) */
  body?: Readable;
  /** whether the caller's transport was TLS (SSE-C keys are refused over plain HTTP where this is false) */
  secureTransport: boolean;
  /** the authenticated principal the door established (the process, a gateway access key's principal) */
  principal: string;
  /**
   * checks the chunk signatures of a signed aws-chunked body (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD*`):
   * the door that verified the request's SigV4 signature supplies it; without one such a body is refused
   */
  chunkSignatureVerifier?: ChunkSignatureVerifier;
  /**
   * The door vouches for a hex `x-amz-content-sha256` itself (the SDK plugin: its own SDK computed it
   * over the body it hands over), so the core does not hash the body again. Otherwise (a gateway: the
   * hash arrives before the body) the core verifies it before the final chunk is committed.
   */
  payloadHashTrusted?: boolean;
}
