import { describeObject } from './describe-object.js';
import type { FacadeContext, GetObjectRequest, GetObjectResult } from './facade-types.js';
import { resolveRangeRequest } from './resolve-range-request.js';

/**
 * GetObject, whole or ranged: the policy first; the key comes from the envelope alone, through the
 * MaterialsManager's reader (allowed-read-keys check before any unwrap; an SSE-C resolver is disposed
 * after each use), so the caller never says how the object was written. The range is resolved
 * against the plaintext length before any key is recovered.
 *
 * Backend requests: a whole read is one GET (its response carries the envelope, size and ETag; part
 * header reads of a multipart object are pinned to that ETag); a ranged read is still HEAD + GET,
 * since the ciphertext range depends on the envelope and the stored size.
 */
export async function getObject(ctx: FacadeContext, req: GetObjectRequest): Promise<GetObjectResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'GetObject', o);
  const reader = ctx.materials.reader(req.principal, req.customerKey);
  const spec = req.range;
  // S3 returns no checksum for a range (it covers the whole object, not the bytes served)
  const got = await ctx.objects.get(o, reader, spec ? (length) => resolveRangeRequest(spec, length) : undefined, { checksums: req.checksumMode === true && !spec });
  const described = describeObject(got, req.customerKey);
  if (!got.range) return { ...described, body: got.stream };
  return {
    ...described,
    contentLength: got.range.end - got.range.start + 1,
    contentRange: { start: got.range.start, end: got.range.end, total: got.plaintextLength },
    body: got.stream,
  };
}
