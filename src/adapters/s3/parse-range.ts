/**
 * One byte range of a `Range` header (RFC 9110 §14.1.2): `bytes=first-last`, `bytes=first-`
 * (to the end) or `bytes=-n` (the last n bytes). Offsets above 2^53 − 1 are clamped to it: they
 * are beyond any object, and the numeric meaning is preserved for resolveRange.
 */
export type RangeSpec = { kind: 'from'; first: number; last?: number } | { kind: 'suffix'; length: number };

/** Longest Range header looked at; a longer one is ignored like any other malformed value. */
export const RANGE_HEADER_MAX = 256;

const SINGLE = /^bytes[ \t]*=[ \t]*(?:(\d+)[ \t]*-[ \t]*(\d*)|-[ \t]*(\d+))[ \t]*$/i;

function offset(digits: string): number {
  // more than 15 digits can exceed 2^53: any such offset is past the end of any object
  return digits.length > 15 ? Number.MAX_SAFE_INTEGER : Math.min(Number(digits), Number.MAX_SAFE_INTEGER);
}

/**
 * Parse a Range header as Amazon S3 applies it. undefined means "serve the whole object" — no
 * header, or a header S3 ignores: a syntactically invalid one (RFC 9110 §14.2: a server MAY ignore
 * Range; `bytes=5-2` is invalid, not unsatisfiable), another unit, or several ranges (S3 "doesn't
 * support retrieving multiple ranges of data per GET request" — GetObject API reference — and
 * answers such a request with the whole object and 200, as observed in awslabs/aws-c-s3#257 and
 * basho/riak_cs#304). Never throws: whether a valid range is satisfiable is resolveRange's question.
 */
export function parseRange(header: string | undefined): RangeSpec | undefined {
  if (header === undefined || header.length > RANGE_HEADER_MAX) return undefined;
  const m = SINGLE.exec(header);
  if (!m) return undefined;
  const [, first, last, suffix] = m;
  if (suffix !== undefined) return { kind: 'suffix', length: offset(suffix) };
  const f = offset(first!);
  if (last === undefined || last === '') return { kind: 'from', first: f };
  const l = offset(last);
  if (l < f) return undefined;
  return { kind: 'from', first: f, last: l };
}
