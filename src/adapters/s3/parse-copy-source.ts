import { SealError } from '../../errors.js';

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

// Amazon S3's text for a copy source without bucket and key (InvalidArgument 400); the others are s3seal's.
export const COPY_SOURCE_MESSAGES = {
  shape: 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
  encoding: 'x-amz-copy-source is not correctly URL-encoded',
  version: 'x-amz-copy-source: the only query parameter allowed is a non-empty versionId',
  tooLong: 'x-amz-copy-source is too long',
} as const;

// bucket (63) + "/" + key (1,024 UTF-8 bytes, each at most "%XX" x 4 when encoded) + version id, with room
const COPY_SOURCE_MAX = 8192;
const KEY_MAX_BYTES = 1024;

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new SealError('InvalidArgument', COPY_SOURCE_MESSAGES.encoding);
  }
}

/**
 * `x-amz-copy-source` (CopyObject, UploadPartCopy): the URL-encoded `bucket/key`, optionally with a
 * leading slash and `?versionId=…` (CopyObject API reference). The query is split off before
 * decoding, so a key containing "?" is sent as %3F; the first "/" after decoding separates the
 * bucket from the key (bucket names contain no "/"). Anything else → InvalidArgument 400.
 */
export function parseCopySource(header: string): CopySource {
  if (header.length > COPY_SOURCE_MAX) throw new SealError('InvalidArgument', COPY_SOURCE_MESSAGES.tooLong);
  const q = header.indexOf('?');
  const path = decode(q === -1 ? header : header.slice(0, q));
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  const slash = trimmed.indexOf('/');
  if (slash <= 0 || slash === trimmed.length - 1) throw new SealError('InvalidArgument', COPY_SOURCE_MESSAGES.shape);
  const bucket = trimmed.slice(0, slash);
  const key = trimmed.slice(slash + 1);
  // KeyTooLongError would be S3's code; a source that long cannot exist, so the argument is invalid
  if (Buffer.byteLength(key, 'utf8') > KEY_MAX_BYTES) throw new SealError('InvalidArgument', COPY_SOURCE_MESSAGES.tooLong);
  const source: CopySource = { bucket, key };
  if (q !== -1) {
    const query = header.slice(q + 1);
    if (!query.startsWith('versionId=')) throw new SealError('InvalidArgument', COPY_SOURCE_MESSAGES.version);
    const versionId = decode(query.slice('versionId='.length));
    if (versionId === '' || versionId.includes('&')) throw new SealError('InvalidArgument', COPY_SOURCE_MESSAGES.version);
    source.versionId = versionId;
  }
  return source;
}
