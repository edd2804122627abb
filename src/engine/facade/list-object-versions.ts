import type { ListedVersion } from '../../backends/object-listing.js';
import type { FacadeContext } from './facade-types.js';
import { withPlaintextSizes } from './list-objects.js';
import type { ListObjectVersionsRequest, ListObjectVersionsResult } from './list-types.js';

/**
 * ListObjectVersions with plaintext sizes: as listObjects, each version sized by ListedSizes (a HEAD
 * asks for that very version, so the (key, ETag) cache and the answer belong to it). Delete markers
 * have no size and cost nothing.
 */
export async function listObjectVersions(ctx: FacadeContext, req: ListObjectVersionsRequest): Promise<ListObjectVersionsResult> {
  await ctx.policy.authorize(req.principal, 'ListBucketVersions', { bucket: req.bucket, key: req.prefix ?? '' });
  const page = await ctx.store.listObjectVersions(req.bucket, {
    ...(req.prefix !== undefined ? { prefix: req.prefix } : {}),
    ...(req.delimiter !== undefined ? { delimiter: req.delimiter } : {}),
    ...(req.maxKeys !== undefined ? { maxKeys: req.maxKeys } : {}),
    ...(req.keyMarker !== undefined ? { keyMarker: req.keyMarker } : {}),
    ...(req.versionIdMarker !== undefined ? { versionIdMarker: req.versionIdMarker } : {}),
  });
  const versions = page.entries.filter((e): e is { kind: 'version' } & ListedVersion => e.kind === 'version');
  const sized = new Map((await withPlaintextSizes(ctx, req.bucket, versions)).map((v) => [v.versionId + '\0' + v.key, v]));
  const entries: ListObjectVersionsResult['entries'] = [];
  for (const e of page.entries) {
    if (e.kind === 'deleteMarker') entries.push(e);
    else {
      const v = sized.get(e.versionId + '\0' + e.key);
      if (v) entries.push(v);
    }
  }
  return {
    entries,
    commonPrefixes: page.commonPrefixes,
    isTruncated: page.isTruncated,
    ...(page.nextKeyMarker !== undefined ? { nextKeyMarker: page.nextKeyMarker } : {}),
    ...(page.nextVersionIdMarker !== undefined ? { nextVersionIdMarker: page.nextVersionIdMarker } : {}),
  };
}
