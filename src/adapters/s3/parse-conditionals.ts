/**
 * The conditional headers of a request, parsed (RFC 9110 §13.1). Entity tags are kept opaque and
 * normalised to their bare value (no `W/`, no quotes): S3 ETags are quoted hex, and clients send
 * them quoted or not. `'*'` is the any-representation wildcard of If-Match / If-None-Match.
 */
export interface Conditionals {
  ifMatch?: EntityTags;
  ifNoneMatch?: EntityTags;
  ifModifiedSince?: Date;
  ifUnmodifiedSince?: Date;
}

export type EntityTags = '*' | readonly EntityTag[];

export interface EntityTag {
  value: string;
  weak: boolean;
}

/** The object's own conditions, or CopyObject / UploadPartCopy's `x-amz-copy-source-if-*`. */
export type ConditionalHeaderSet = 'object' | 'copy-source';

const NAMES: Record<ConditionalHeaderSet, Record<keyof Conditionals, string>> = {
  object: { ifMatch: 'if-match', ifNoneMatch: 'if-none-match', ifModifiedSince: 'if-modified-since', ifUnmodifiedSince: 'if-unmodified-since' },
  'copy-source': {
    ifMatch: 'x-amz-copy-source-if-match',
    ifNoneMatch: 'x-amz-copy-source-if-none-match',
    ifModifiedSince: 'x-amz-copy-source-if-modified-since',
    ifUnmodifiedSince: 'x-amz-copy-source-if-unmodified-since',
  },
};

/** Bounds: a header beyond them is treated as one opaque tag / an invalid date, never scanned further. */
export const ETAG_HEADER_MAX = 8192;
const MAX_TAGS = 256;
const DATE_MAX = 64;

/** Split an entity-tag list; commas inside a quoted tag belong to the tag. */
function parseEntityTags(header: string): EntityTags {
  const trimmed = header.trim();
  if (trimmed === '*') return '*';
  if (header.length > ETAG_HEADER_MAX) return [{ value: trimmed, weak: false }];
  const tags: EntityTag[] = [];
  let i = 0;
  while (i < header.length && tags.length < MAX_TAGS) {
    while (i < header.length && (header[i] === ' ' || header[i] === '\t' || header[i] === ',')) i++;
    if (i >= header.length) break;
    let weak = false;
    if (header.startsWith('W/"', i)) {
      weak = true;
      i += 2;
    }
    let value: string;
    if (header[i] === '"') {
      const close = header.indexOf('"', i + 1);
      const end = close === -1 ? header.length : close;
      value = header.slice(i + 1, end);
      i = end + 1;
    } else {
      const comma = header.indexOf(',', i);
      const end = comma === -1 ? header.length : comma;
      value = header.slice(i, end).trim();
      i = end;
    }
    tags.push({ value, weak });
  }
  return tags;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// RFC 9110 §5.6.7 HTTP-date: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must accept
const IMF = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850 = /^[A-Za-z]{6,9}, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME = /^[A-Za-z]{3} ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;
// ISO 8601 / RFC 3339 in UTC: what some S3 clients send and S3 accepts
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;

function utc(year: number, month: string | number, day: number, h: number, m: number, s: number): Date | undefined {
  const mon = typeof month === 'number' ? month - 1 : MONTHS.indexOf(month.toLowerCase());
  if (mon < 0 || mon > 11 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return undefined;
  const t = Date.UTC(year, mon, day, h, m, Math.min(s, 59));
  const d = new Date(t);
  // Date.UTC rolls 31 Feb over into March: such a date is invalid, not a different day
  return d.getUTCDate() === day ? d : undefined;
}

/** An HTTP-date, or undefined when the value is not one (RFC 9110 §13.1.3: such a condition is ignored). */
export function parseHttpDate(value: string): Date | undefined {
  const v = value.trim();
  if (v.length > DATE_MAX) return undefined;
  let m = IMF.exec(v);
  if (m) return utc(Number(m[3]), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850.exec(v);
  if (m) {
    const yy = Number(m[3]);
    return utc(yy < 70 ? 2000 + yy : 1900 + yy, m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = ASCTIME.exec(v);
  if (m) return utc(Number(m[6]), m[1]!, Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5]));
  m = ISO.exec(v);
  if (m) return utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return undefined;
}

/**
 * Read one set of conditional headers. Never throws: S3, like RFC 9110, ignores a date condition
 * whose value is not a valid date, and an entity tag is opaque.
 */
export function parseConditionals(headers: Readonly<Record<string, string>>, set: ConditionalHeaderSet): Conditionals {
  const n = NAMES[set];
  const c: Conditionals = {};
  const ifMatch = headers[n.ifMatch];
  if (ifMatch !== undefined) c.ifMatch = parseEntityTags(ifMatch);
  const ifNoneMatch = headers[n.ifNoneMatch];
  if (ifNoneMatch !== undefined) c.ifNoneMatch = parseEntityTags(ifNoneMatch);
  const ims = headers[n.ifModifiedSince];
  const imsDate = ims === undefined ? undefined : parseHttpDate(ims);
  if (imsDate) c.ifModifiedSince = imsDate;
  const ius = headers[n.ifUnmodifiedSince];
  const iusDate = ius === undefined ? undefined : parseHttpDate(ius);
  if (iusDate) c.ifUnmodifiedSince = iusDate;
  return c;
}
