import { SealError } from '../../errors.js';
import { plaintextPartsOf } from '../object-reader.js';
import { checkHeadKey } from './check-head-key.js';
import type { FacadeContext } from './facade-types.js';
import type { GetObjectAttributesRequest, GetObjectAttributesResult, ObjectPartsPage } from './object-attributes-types.js';
import { sseResultOf } from './sse-result.js';

const DEFAULT_MAX_PARTS = 1000;

/**
 * GetObjectAttributes from one HEAD: ObjectSize is the plaintext size, ETag the backend's, ObjectParts
 * (multipart objects only) the plaintext parts the committed layout states — the layout is checked
 * against the stored size, and its lengths are authenticated with the envelope on every read. An SSE-C
 * object needs its key, as on HEAD. Checksum is never answered: sealed plaintext checksums are not
 * stored yet, and a ciphertext checksum of the backend's must never reach the caller.
 */
export async function getObjectAttributes(ctx: FacadeContext, req: GetObjectAttributesRequest): Promise<GetObjectAttributesResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'GetObjectAttributes', o);
  const head = await ctx.objects.head(o, req.versionId !== undefined ? { versionId: req.versionId } : {});
  await checkHeadKey(ctx, o, head, req.principal, req.customerKey);
  const parts = head.envelope ? plaintextPartsOf(head.envelope, head.storedSize) : undefined;
  return {
    etag: head.etag,
    ...(head.lastModified !== undefined ? { lastModified: head.lastModified } : {}),
    ...(head.versionId !== undefined ? { versionId: head.versionId } : {}),
    objectSize: head.plaintextLength,
    storageClass: head.storageClass ?? 'STANDARD',
    ...(parts ? { objectParts: partsPage(parts, req.partNumberMarker ?? 0, req.maxParts ?? DEFAULT_MAX_PARTS) } : {}),
    ...(head.envelope ? { sse: sseResultOf(head.envelope, req.customerKey) } : {}),
  };
}

function partsPage(parts: { partNumber: number; plaintextLength: number }[], marker: number, maxParts: number): ObjectPartsPage {
  if (!Number.isSafeInteger(marker) || marker < 0) throw new SealError('InvalidArgument', 'Part number marker must be a non-negative integer');
  if (!Number.isSafeInteger(maxParts) || maxParts < 0) throw new SealError('InvalidArgument', 'Max parts must be a non-negative integer');
  const after = parts.filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  return {
    totalPartsCount: parts.length,
    partNumberMarker: marker,
    nextPartNumberMarker: page.length > 0 ? page[page.length - 1]!.partNumber : marker,
    maxParts,
    isTruncated: after.length > page.length,
    parts: page.map((p) => ({ partNumber: p.partNumber, size: p.plaintextLength })),
  };
}
