import type { ListedObject } from '../../backends/object-listing.js';
import type { FacadeContext } from './facade-types.js';
import type { ListedObjectEntry, ListObjectsRequest, ListObjectsResult } from './list-types.js';

/**
 * ListObjects (v1) and ListObjectsV2 with plaintext sizes: one backend page, then each entry's
 * plaintext size from ListedSizes (the formula in encrypted-only prefixes, HEAD + cache elsewhere).
 * Listing uses no key; the policy is asked for 'ListBucket' on the bucket and prefix first. Paging is
 * the backend's (markers and tokens pass through), so a page never holds more than `maxKeys` entries;
 * an entry whose object is found deleted by its HEAD is left out of the page.
 */
export async function listObjects(ctx: FacadeContext, req: ListObjectsRequest): Promise<ListObjectsResult> {
  await ctx.policy.authorize(req.principal, 'ListBucket', { bucket: req.bucket, key: req.prefix ?? '' });
  const query = {
    ...(req.prefix !== undefined ? { prefix: req.prefix } : {}),
    ...(req.delimiter !== undefined ? { delimiter: req.delimiter } : {}),
    ...(req.maxKeys !== undefined ? { maxKeys: req.maxKeys } : {}),
  };
  const page =
    req.api === 'v1'
      ? await ctx.store.listObjects(req.bucket, { ...query, ...(req.marker !== undefined ? { marker: req.marker } : {}) })
      : await ctx.store.listObjectsV2(req.bucket, {
          ...query,
          ...(req.continuationToken !== undefined ? { continuationToken: req.continuationToken } : {}),
          ...(req.startAfter !== undefined ? { startAfter: req.startAfter } : {}),
          ...(req.fetchOwner ? { fetchOwner: true } : {}),
        });
  return {
    objects: await withPlaintextSizes(ctx, req.bucket, page.objects),
    commonPrefixes: page.commonPrefixes,
    isTruncated: page.isTruncated,
    ...(page.nextMarker !== undefined ? { nextMarker: page.nextMarker } : {}),
    ...(page.nextContinuationToken !== undefined ? { nextContinuationToken: page.nextContinuationToken } : {}),
  };
}

/** the listed objects with plaintext sizes (versions too: `versionId` makes each HEAD ask for that version) */
export async function withPlaintextSizes<T extends ListedObject & { versionId?: string }>(ctx: FacadeContext, bucket: string, objects: readonly T[]): Promise<(T & ListedObjectEntry)[]> {
  const sized = await ctx.sizes.sizes(bucket, objects);
  const out: (T & ListedObjectEntry)[] = [];
  for (const [i, o] of objects.entries()) {
    const s = sized[i];
    if (s === undefined) continue;
    out.push({ ...o, size: s.size, etag: s.etag, ...(s.lastModified ? { lastModified: s.lastModified } : {}) });
  }
  return out;
}
