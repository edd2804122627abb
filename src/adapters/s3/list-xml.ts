import type { ListedObjectEntry, ListedOwner } from '../../engine/facade/list-types.js';
import { xmlDate, type XmlNode } from './s3-xml-document.js';

/** The XML pieces the three list answers share (ListBucketResult v1/v2, ListVersionsResult). */

export function ownerNode(owner: ListedOwner | undefined): XmlNode[] {
  if (!owner) return [];
  return [['Owner', [...(owner.id !== undefined ? [['ID', owner.id] as const] : []), ...(owner.displayName !== undefined ? [['DisplayName', owner.displayName] as const] : [])]]];
}

/** a `<Contents>` of ListObjects / ListObjectsV2: the plaintext size and the backend's ETag */
export function contentsNode(o: ListedObjectEntry, enc: (s: string) => string, withOwner: boolean): XmlNode {
  return [
    'Contents',
    [
      ['Key', enc(o.key)],
      ['LastModified', xmlDate(o.lastModified)],
      ['ETag', o.etag],
      ['Size', o.size],
      ...(withOwner ? ownerNode(o.owner) : []),
      ['StorageClass', o.storageClass ?? 'STANDARD'],
    ],
  ];
}

export function commonPrefixNodes(prefixes: readonly string[], enc: (s: string) => string): XmlNode[] {
  return prefixes.map((p) => ['CommonPrefixes', [['Prefix', enc(p)]]]);
}

/** an element only when the value is there */
export function optional(name: string, value: string | number | undefined): XmlNode[] {
  return value === undefined ? [] : [[name, value]];
}
