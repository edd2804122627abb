import { createHash, timingSafeEqual, type Hash } from 'node:crypto';
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { SealError } from '../../errors.js';
import { chainStreams } from '../../engine/chain-streams.js';
import { AwsChunkedDecoder } from './aws-chunked-decoder.js';
import { awsChunkedOptions } from './aws-chunked-options.js';
import type { BodyChecksums } from '../../engine/body-checksums.js';
import { bodyChecksumsOf } from './body-checksums-of.js';
import { PlaintextChecksums } from './plaintext-checksums.js';
import type { S3Request } from './s3-request.js';

const DECIMAL = /^[0-9]{1,16}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The object bytes of a request, ready for the facade: the plaintext stream (aws-chunked framing
 * decoded), its length, and its `checksums` — which the engine verifies after the last plaintext
 * byte and before it seals the final chunk (DESIGN.md "A body is never committed to the backend
 * before it is verified": Content-MD5, x-amz-checksum-* as header or trailer) and seals into the
 * envelope (FORMAT.md §5.7). The signed payload hash is checked in the stream itself, before it ends.
 * A mismatch fails the write and nothing is stored.
 */
export interface RequestBody {
  body: Readable;
  /** plaintext bytes: x-amz-decoded-content-length for aws-chunked bodies, else Content-Length */
  length: number;
  /** undefined: the request carries no checksum at all */
  checksums: BodyChecksums | undefined;
}

/** SHA-256 of the bytes as they arrived, against the hex x-amz-content-sha256 the request was signed with. */
class PayloadHash extends Transform {
  private readonly hash: Hash = createHash('sha256');
  constructor(private readonly expected: Buffer) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    // the whole payload has passed: a mismatch fails the stream before it ends, so the final
    // ciphertext chunk is never sealed
    const ok = timingSafeEqual(this.hash.digest(), this.expected);
    cb(ok ? null : new SealError('ContentSha256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed."));
  }
}

/** Content-Length as S3 requires it on a write without aws-chunked framing. */
function contentLength(headers: Readonly<Record<string, string>>): number {
  const v = headers['content-length'];
  if (v === undefined) throw new SealError('MissingContentLength', 'You must provide the Content-Length HTTP header.');
  if (!DECIMAL.test(v.trim()) || !Number.isSafeInteger(Number(v.trim()))) throw new SealError('InvalidArgument', 'Content-Length is not a valid length');
  return Number(v.trim());
}

/**
 * Reads the request's body headers (malformed values are refused here, before any body byte or key)
 * and builds the decoding pipeline: raw body → [payload hash] → [aws-chunked decoder] → checksum tap.
 * Every stage's error reaches the returned stream, so the engine's pipeline fails with it.
 */
export function requestBody(req: S3Request): RequestBody {
  const h = req.headers;
  const chunked = awsChunkedOptions(h, req.chunkSignatureVerifier);
  const checksums = PlaintextChecksums.fromHeaders(h);
  const length = chunked ? chunked.decodedLength : contentLength(h);
  const sha = h['x-amz-content-sha256'];
  const stages: Transform[] = [];
  if (!chunked && req.payloadHashTrusted !== true && sha !== undefined && SHA256_HEX.test(sha)) stages.push(new PayloadHash(Buffer.from(sha, 'hex')));
  const decoder = chunked ? new AwsChunkedDecoder(chunked) : undefined;
  if (decoder) stages.push(decoder);
  if (checksums.active) stages.push(checksums.tap());
  const source = req.body ?? Readable.from([]);
  let body: Readable;
  if (stages.length === 0) body = source;
  else {
    // every stage is destroyed with the first error, so the last one carries it to the engine
    body = chainStreams(source, ...stages);
  }
  return { body, length, checksums: bodyChecksumsOf(checksums, () => decoder?.trailers) };
}

/**
 * A small request document (CompleteMultipartUpload, CreateBucketConfiguration) read whole, at most
 * `limit` bytes (longer: MalformedXML, read no further); aws-chunked framing decoded, a hex
 * x-amz-content-sha256 and Content-MD5 checked. Its x-amz-checksum-* headers are not the document's: on CompleteMultipartUpload they are
 * the object's full checksum (another operation's business), so only Content-MD5 is verified here.
 */
export async function readSmallBody(req: S3Request, limit: number): Promise<Buffer> {
  if (req.body === undefined) return Buffer.alloc(0);
  const chunked = awsChunkedOptions(req.headers, req.chunkSignatureVerifier);
  const md5Only = req.headers['content-md5'] !== undefined ? PlaintextChecksums.fromHeaders({ 'content-md5': req.headers['content-md5'] }) : undefined;
  const source = chunked ? (pipeline(req.body, new AwsChunkedDecoder({ ...chunked, trailerNames: chunked.trailerNames ?? [] }), () => undefined) as unknown as Readable) : req.body;
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of source as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      source.destroy();
      throw new SealError('MalformedXML', `the request document is longer than ${limit} bytes`);
    }
    chunks.push(c);
  }
  const doc = Buffer.concat(chunks);
  // the signed payload hash of a plain body: the part list of a Complete is what the caller signed
  const sha = req.headers['x-amz-content-sha256'];
  if (!chunked && req.payloadHashTrusted !== true && sha !== undefined && SHA256_HEX.test(sha) && !timingSafeEqual(createHash('sha256').update(doc).digest(), Buffer.from(sha, 'hex'))) {
    throw new SealError('ContentSha256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  if (md5Only) {
    md5Only.update(doc);
    await md5Only.verify();
  }
  return doc;
}
