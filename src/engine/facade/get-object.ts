import { SealError } from '../../errors.js';
import { describeObject } from './describe-object.js';
import type { FacadeContext, GetObjectRequest, GetObjectResult } from './facade-types.js';
import { conditionsOf } from './conditions-of.js';

/**
 * GetObject, whole, ranged or one part (`partNumber`: the part's plaintext, its Content-Range
 * within the whole object, and the part count for a multipart object): the policy first; the key comes from the envelope alone, through the
 * MaterialsManager's reader (allowed-read-keys check before any unwrap; an SSE-C resolver is disposed
 * after each use), so the caller never says how the object was written. The range is resolved
 * against the plaintext length before any key is recovered.
 *
 * Backend requests: one GET for a whole read and for a range or part of a single-part object (its
 * answer carries the envelope, ETag and stored size; SealedObjects.get). A range or part of a
 * multipart object is one GET too once this instance has seen the object's layout; the first read
 * also reads its part headers.
 */
export async function getObject(ctx: FacadeContext, req: GetObjectRequest): Promise<GetObjectResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'GetObject', o, conditionsOf(undefined, req.customerKey));
  if (req.range !== undefined && req.partNumber !== undefined) throw new SealError('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  const reader = ctx.materials.reader(req.principal, req.customerKey, { operation: 'GetObject' });
  const selection = req.range !== undefined ? { range: req.range } : req.partNumber !== undefined ? { partNumber: req.partNumber } : undefined;
  // S3 returns no checksum for a range or a part (the sealed ones cover the whole object)
  const got = await ctx.objects.get(o, reader, selection, { checksums: req.checksumMode === true && selection === undefined });
  const described = { ...describeObject(got, req.customerKey), ...(got.partsCount !== undefined ? { partsCount: got.partsCount } : {}) };
  // an empty part has no byte to name in a Content-Range: its length (0) says it all
  if (!got.range) return { ...described, ...(req.partNumber !== undefined ? { contentLength: 0 } : {}), body: got.stream };
  return {
    ...described,
    contentLength: got.range.end - got.range.start + 1,
    contentRange: { start: got.range.start, end: got.range.end, total: got.plaintextLength },
    body: got.stream,
  };
}
