import type { DeleteMarkerEntry, ObjectVersion, Owner, _Object } from '@aws-sdk/client-s3';
import { SealError } from '../errors.js';
import type { ListedDeleteMarker, ListedObject, ListedOwner, ListedVersion, ListQuery, ListVersionsPage } from './object-listing.js';

/** SDK list answers → the port's shapes (S3ObjectStore's list methods). */

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new SealError('BodyMalformed', `backend list response lacks ${what}`);
  return v;
}

export type Decoder = (s: string) => string;

/**
 * S3's `encoding-type=url` form-encodes (a space may come back as `+`, a `+` as `%2B`), so `+` is a
 * space before percent-decoding. Identity when the answer was not encoded.
 */
export function urlDecoder(encodingType: string | undefined): Decoder {
  if (encodingType !== 'url') return (s) => s;
  return (s) => decodeURIComponent(s.replace(/\+/g, ' '));
}

/** the request fields every list shares; the backend is always asked for url-encoded keys */
export function listQueryInput(q: ListQuery): { Prefix?: string; Delimiter?: string; MaxKeys?: number; EncodingType: 'url' } {
  return {
    ...(q.prefix !== undefined ? { Prefix: q.prefix } : {}),
    ...(q.delimiter !== undefined ? { Delimiter: q.delimiter } : {}),
    ...(q.maxKeys !== undefined ? { MaxKeys: q.maxKeys } : {}),
    EncodingType: 'url',
  };
}

function owner(o: Owner | undefined): { owner?: ListedOwner } {
  if (!o) return {};
  return { owner: { ...(o.ID !== undefined ? { id: o.ID } : {}), ...(o.DisplayName !== undefined ? { displayName: o.DisplayName } : {}) } };
}

export function listedObject(o: _Object, d: Decoder): ListedObject {
  return {
    key: d(need(o.Key, 'Key')),
    size: need(o.Size, 'Size'),
    etag: need(o.ETag, 'ETag'),
    ...(o.LastModified ? { lastModified: o.LastModified } : {}),
    ...(o.StorageClass !== undefined ? { storageClass: o.StorageClass } : {}),
    ...owner(o.Owner),
  };
}

export function listedVersion(v: ObjectVersion, d: Decoder): ListedVersion {
  return {
    key: d(need(v.Key, 'Key')),
    size: need(v.Size, 'Size'),
    etag: need(v.ETag, 'ETag'),
    // an unversioned bucket lists its objects with version "null", as S3 does
    versionId: v.VersionId ?? 'null',
    isLatest: v.IsLatest === true,
    ...(v.LastModified ? { lastModified: v.LastModified } : {}),
    ...(v.StorageClass !== undefined ? { storageClass: v.StorageClass } : {}),
    ...owner(v.Owner),
  };
}

export function listedDeleteMarker(m: DeleteMarkerEntry, d: Decoder): ListedDeleteMarker {
  return {
    key: d(need(m.Key, 'Key')),
    versionId: m.VersionId ?? 'null',
    isLatest: m.IsLatest === true,
    ...(m.LastModified ? { lastModified: m.LastModified } : {}),
    ...owner(m.Owner),
  };
}

/**
 * The SDK hands versions and delete markers over as two lists, though S3 sends them interleaved: by
 * key, and within a key newest first. Merged back into that order (stable: equal keys and times keep
 * the backend's order, versions before markers).
 */
export function mergeVersions(versions: ListedVersion[], markers: ListedDeleteMarker[]): ListVersionsPage['entries'] {
  const all: ListVersionsPage['entries'] = [...versions.map((v) => ({ kind: 'version' as const, ...v })), ...markers.map((m) => ({ kind: 'deleteMarker' as const, ...m }))];
  const order = new Map(all.map((e, i) => [e, i]));
  return all.sort((a, b) => {
    // S3 orders keys by their UTF-8 bytes (UTF-16 comparison differs above U+FFFF)
    if (a.key !== b.key) return Buffer.compare(Buffer.from(a.key, 'utf8'), Buffer.from(b.key, 'utf8'));
    if (a.isLatest !== b.isLatest) return a.isLatest ? -1 : 1;
    const ta = a.lastModified?.getTime() ?? 0;
    const tb = b.lastModified?.getTime() ?? 0;
    if (ta !== tb) return tb - ta;
    return order.get(a)! - order.get(b)!;
  });
}
