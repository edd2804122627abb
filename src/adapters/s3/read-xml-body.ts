import { createHash, timingSafeEqual } from 'node:crypto';
import { SealError } from '../../errors.js';
import { AwsChunkedDecoder } from './aws-chunked-decoder.js';
import { awsChunkedOptions } from './aws-chunked-options.js';
import { CHECKSUM_ALGORITHMS, checksumHeader } from './checksum-algorithms.js';
import { PlaintextChecksums } from './plaintext-checksums.js';
import type { S3Request } from './s3-request.js';

export interface ReadXmlBodyOptions {
  /** bytes accepted; a longer body is refused as it streams */
  limit: number;
  /** S3 requires Content-MD5 or an x-amz-checksum-* for this operation (DeleteObjects, PutBucketLifecycle…) */
  integrityRequired?: boolean;
}

/** whether the request carries a digest of its body: Content-MD5, an x-amz-checksum-* header, or one announced as a trailer */
function hasBodyDigest(headers: Readonly<Record<string, string>>): boolean {
  if (headers['content-md5'] !== undefined) return true;
  if (CHECKSUM_ALGORITHMS.some((a) => headers[checksumHeader(a)] !== undefined)) return true;
  return (headers['x-amz-trailer'] ?? '').split(',').some((n) => n.trim().toLowerCase().startsWith('x-amz-checksum-'));
}

/**
 * The whole body of a request that carries an S3 XML document, bounded, aws-chunked framing removed,
 * and its Content-MD5 / x-amz-checksum-* verified (BadDigest on a mismatch) before anything parses it.
 * Unlike readSmallBody (request-body.ts, whose CompleteMultipartUpload checksums describe the object,
 * not the document), every digest here is of the document itself: DeleteObjects requires one.
 */
export async function readXmlBody(req: S3Request, opts: ReadXmlBodyOptions): Promise<Buffer> {
  const checksums = PlaintextChecksums.fromHeaders(req.headers);
  if (opts.integrityRequired && !hasBodyDigest(req.headers)) throw new SealError('InvalidRequest', 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*');
  const chunked = awsChunkedOptions(req.headers, req.chunkSignatureVerifier);
  if (!req.body) {
    await checksums.verify();
    return Buffer.alloc(0);
  }
  const decoder = chunked ? new AwsChunkedDecoder(chunked) : undefined;
  const source = decoder ? req.body.pipe(decoder) : req.body;
  if (decoder) req.body.on('error', (err) => decoder.destroy(err));
  const pieces: Buffer[] = [];
  let length = 0;
  try {
    for await (const piece of source) {
      const b = piece as Buffer;
      length += b.length;
      if (length > opts.limit) throw new SealError('MalformedXML', `request body over ${opts.limit} bytes`);
      checksums.update(b);
      pieces.push(b);
    }
  } catch (err) {
    req.body.destroy();
    throw err;
  }
  await checksums.verify(decoder?.trailers);
  const doc = Buffer.concat(pieces);
  // the signed payload hash of a plain body (as readSmallBody checks it): which keys to delete is what the caller signed
  const sha = req.headers['x-amz-content-sha256'];
  if (!chunked && req.payloadHashTrusted !== true && sha !== undefined && /^[0-9a-f]{64}$/.test(sha) && !timingSafeEqual(createHash('sha256').update(doc).digest(), Buffer.from(sha, 'hex'))) {
    throw new SealError('ContentSha256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return doc;
}
