/**
 * The Content-Encoding an object keeps once its aws-chunked framing is decoded: S3 drops the
 * `aws-chunked` token (it describes the request body, not the object) and keeps the rest in order;
 * undefined when nothing is left, so no empty header is stored. SDK v3 appends it to the caller's
 * own encoding ("gzip,aws-chunked").
 */
export function storedContentEncoding(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const kept = header
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e.toLowerCase() !== 'aws-chunked');
  return kept.length > 0 ? kept.join(',') : undefined;
}
