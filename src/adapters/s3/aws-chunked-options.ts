import { SealError } from '../../errors.js';
import { AWS_CHUNKED_VARIANTS, type AwsChunkedOptions, type AwsChunkedVariant } from './aws-chunked-decoder.js';
import type { ChunkSignatureVerifier } from './chunk-signature-verifier.js';

const DECIMAL = /^[0-9]{1,16}$/;

/**
 * What the request headers say about an aws-chunked body: undefined when the body is not aws-chunked
 * (a plain body, or `UNSIGNED-PAYLOAD` / a hex payload hash), else the decoder's options. Headers are
 * lower-case (S3Request). `x-amz-content-sha256` decides, as on S3; a `STREAMING-*` value this core
 * does not read (SigV4a's ECDSA variants) is refused rather than stored framed.
 */
export function awsChunkedOptions(headers: Readonly<Record<string, string>>, verifier?: ChunkSignatureVerifier): AwsChunkedOptions | undefined {
  const sha = headers['x-amz-content-sha256'];
  const encodings = (headers['content-encoding'] ?? '').split(',').map((e) => e.trim().toLowerCase());
  const chunkedEncoding = encodings.includes('aws-chunked');
  if (sha === undefined || !sha.startsWith('STREAMING-')) {
    if (chunkedEncoding) throw new SealError('InvalidRequest', 'Content-Encoding aws-chunked needs a STREAMING-* x-amz-content-sha256');
    return undefined;
  }
  if (!(AWS_CHUNKED_VARIANTS as readonly string[]).includes(sha)) throw new SealError('InvalidRequest', `x-amz-content-sha256 ${sha.slice(0, 64)} is not supported`);
  const decoded = headers['x-amz-decoded-content-length'];
  if (decoded === undefined) throw new SealError('InvalidRequest', 'an aws-chunked body needs x-amz-decoded-content-length');
  if (!DECIMAL.test(decoded) || !Number.isSafeInteger(Number(decoded))) throw new SealError('InvalidArgument', 'x-amz-decoded-content-length is not a valid length');
  const trailer = headers['x-amz-trailer'];
  const trailerNames = trailer === undefined ? [] : trailer.split(',').map((n) => n.trim().toLowerCase());
  if (trailerNames.some((n) => n === '')) throw new SealError('InvalidRequest', 'x-amz-trailer holds an empty name');
  return {
    variant: sha as AwsChunkedVariant,
    decodedLength: Number(decoded),
    trailerNames,
    ...(verifier ? { verifier } : {}),
  };
}
