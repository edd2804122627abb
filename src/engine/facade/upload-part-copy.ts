import { SealError } from '../../errors.js';
import { CapturingResolver } from './capturing-resolver.js';
import type { UploadPartCopyRequest, UploadPartCopyResult } from './copy-object-types.js';
import type { FacadeContext } from './facade-types.js';
import { sseResultOf } from './sse-result.js';
import { conditionsOf } from './conditions-of.js';

/**
 * UploadPartCopy (issue 7 item 4): a range (or all) of a sealed source becomes a part of an s3seal
 * multipart upload. The part key binds the destination upload (FORMAT.md §7.2), so no backend copy
 * can produce it: the source range is decrypted (the read path's checks: allowed-read-keys, SSE-C
 * check value, verified layout) and encrypted as that part, streaming through s3seal. The policy
 * first (GetObject on the source, UploadPart on the destination); the source's CopySourceIf*
 * conditions are checked against the version whose bytes are read (every backend read is pinned to
 * its ETag), before any part byte is sent.
 */
export async function uploadPartCopy(ctx: FacadeContext, req: UploadPartCopyRequest): Promise<UploadPartCopyResult> {
  const src = { bucket: req.source.bucket, key: req.source.key };
  const dst = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'GetObject', src, conditionsOf(undefined, req.source.customerKey));
  await ctx.policy.authorize(req.principal, 'UploadPart', dst, { continuesUpload: true });
  if (req.source.versionId !== undefined) throw new SealError('NotImplemented', 'copying a specific version of an object (x-amz-copy-source ?versionId=) is not supported');
  // x-amz-copy-source-range is resolved against the source's plaintext length (a last byte past it is
  // the door's InvalidArgument, not a 416), so the length comes first: one HEAD, no key
  const range = req.range ? req.range((await ctx.objects.head(src)).plaintextLength) : undefined;
  // a resolved range is strict: a source that shrank in between fails, it is never read short
  const got = await ctx.objects.get(src, ctx.materials.reader(req.principal, req.source.customerKey, { operation: 'UploadPartCopy' }), range);
  try {
    req.sourceCondition?.({ etag: got.etag, ...(got.lastModified !== undefined ? { lastModified: got.lastModified } : {}) });
    const length = got.range ? got.range.end - got.range.start + 1 : got.plaintextLength;
    const keys = new CapturingResolver(ctx.materials.reader(req.principal, req.customerKey, { continuesUpload: true, operation: 'UploadPartCopy' }));
    const etag = await ctx.objects.uploadPart(dst, req.uploadId, req.partNumber, got.stream, length, keys);
    if (keys.envelope === undefined) throw new SealError('UploadTokenInvalid', 'the upload token yielded no envelope');
    return { etag, lastModified: new Date(), ...(got.versionId !== undefined ? { copySourceVersionId: got.versionId } : {}), sse: sseResultOf(keys.envelope, req.customerKey) };
  } finally {
    // consumed by a successful part upload; after any failure the source response must not stay open
    got.stream.destroy();
  }
}
