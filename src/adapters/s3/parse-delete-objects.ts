import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SealError } from '../../errors.js';

/** S3 deletes at most 1000 keys per DeleteObjects request. */
export const MAX_DELETE_KEYS = 1000;

export interface DeleteObjectsBody {
  quiet: boolean;
  objects: { key: string; versionId?: string }[];
}

// Keys are text exactly as sent: no number parsing ("007" stays "007"), no trimming (" a " is a key),
// entities decoded (&amp;); elements and attributes outside the schema are ignored, as S3 does.
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, processEntities: true, isArray: (name) => name === 'Object' });

function malformed(why: string): SealError {
  return new SealError('MalformedXML', `DeleteObjects body: ${why}`);
}

function text(v: unknown, what: string): string {
  if (v === undefined) throw malformed(`${what} missing`);
  if (typeof v === 'string') return v;
  // an element holding only whitespace-separated children, or a repeated element: not S3's schema
  throw malformed(`${what} is not text`);
}

/**
 * The `<Delete>` document of DeleteObjects (S3 API reference): `<Quiet>` (optional, true/false) and
 * 1…1000 `<Object>` with a `<Key>` and an optional `<VersionId>`. A DOCTYPE is refused outright, so no
 * entity definition can expand; anything else off the schema is MalformedXML.
 */
export function parseDeleteObjects(body: Buffer): DeleteObjectsBody {
  const xml = body.toString('utf8');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw malformed('DOCTYPE not allowed');
  if (XMLValidator.validate(xml) !== true) throw malformed('not well-formed');
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch {
    // the validator and the parser disagree on some inputs (a malformed declaration, found by the fuzzer)
    throw malformed('not well-formed');
  }
  const del = doc['Delete'];
  if (del === undefined || del === null || typeof del !== 'object' || Array.isArray(del)) throw malformed('no Delete element');
  const d = del as Record<string, unknown>;
  let quiet = false;
  if (d['Quiet'] !== undefined) {
    const q = text(d['Quiet'], 'Quiet').trim().toLowerCase();
    if (q !== 'true' && q !== 'false') throw malformed('Quiet is not a boolean');
    quiet = q === 'true';
  }
  const list = (d['Object'] ?? []) as unknown[];
  if (list.length === 0) throw malformed('no Object');
  if (list.length > MAX_DELETE_KEYS) throw malformed(`more than ${MAX_DELETE_KEYS} objects`);
  const objects = list.map((o) => {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw malformed('Object has no Key');
    const e = o as Record<string, unknown>;
    const key = text(e['Key'], 'Key');
    if (key === '') throw malformed('empty Key');
    // S3's per-object conditions (ETag, LastModifiedTime, Size): not implemented, refused rather than ignored
    const condition = ['ETag', 'LastModifiedTime', 'Size'].find((n) => e[n] !== undefined);
    if (condition !== undefined) throw new SealError('NotImplemented', `A header you provided implies functionality that is not implemented: Delete/Object/${condition}`);
    const versionId = e['VersionId'] === undefined ? undefined : text(e['VersionId'], 'VersionId');
    return { key, ...(versionId !== undefined && versionId !== '' ? { versionId } : {}) };
  });
  return { quiet, objects };
}
