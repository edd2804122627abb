import { checkHeadKey } from './check-head-key.js';
import { describeObject } from './describe-object.js';
import type { FacadeContext, HeadObjectRequest, HeadObjectResult } from './facade-types.js';
import { conditionsOf } from './conditions-of.js';

/**
 * HeadObject: no keystore key is used (DESIGN.md permission matrix); SSE-C keys are checked as S3
 * does (check-head-key.ts). With `checksumMode`, an object that has sealed checksums needs its key
 * too (as AWS asks kms:Decrypt for it): they are opened under the DEK after the MAC verified (whole
 * objects only, as for GET). With `partNumber`, the part is described (length, Content-Range, part
 * count) from the committed layout, or InvalidPartNumber (416).
 */
export async function headObject(ctx: FacadeContext, req: HeadObjectRequest): Promise<HeadObjectResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'HeadObject', o, conditionsOf(undefined, req.customerKey));
  const head = await ctx.objects.head(o, req.partNumber !== undefined ? { partNumber: req.partNumber } : {});
  const checksums = await checkHeadKey(ctx, o, head, req.principal, req.customerKey, { openChecksums: req.checksumMode === true && req.partNumber === undefined });
  const described = describeObject(checksums ? { ...head, checksums } : head, req.customerKey);
  if (req.partNumber === undefined) return described;
  const partsCount = head.partsCount !== undefined ? { partsCount: head.partsCount } : {};
  // a part: its length, and where it lies in the object (S3 answers 206 with a Content-Range); an empty part has no range
  if (!head.range) return { ...described, ...partsCount, contentLength: 0 };
  return { ...described, ...partsCount, contentLength: head.range.end - head.range.start + 1, contentRange: { ...head.range, total: head.plaintextLength } };
}
