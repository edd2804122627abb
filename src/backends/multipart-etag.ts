/** A multipart ETag (`"<hex>-<parts>"`) as S3, MinIO and SeaweedFS report it. */
const MULTIPART_ETAG = /-[0-9]+"?$/;

/**
 * Whether an ETag is a multipart one. The listing (engine/listed-sizes.ts) takes a plain ETag in an
 * encrypted-only prefix as "single-part, size by formula"; the backend copy (s3-object-store.ts)
 * keeps a `-N` ETag on every copy of such an object, so that criterion stays true. One definition
 * serves both.
 */
export function isMultipartEtag(etag: string): boolean {
  return MULTIPART_ETAG.test(etag);
}
