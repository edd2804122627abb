/**
 * What a key grant lets a principal do with a key (DESIGN.md permission matrix): `encrypt` new data
 * keys under it (PUT, copy target, rewrap target), `decrypt` objects under it (GET, copy source),
 * `rewrap` objects from it to another key (metadata-only rewrap source), `admin` the key itself.
 */
export const KEY_PERMISSIONS = ['encrypt', 'decrypt', 'rewrap', 'admin'] as const;

export type KeyPermission = (typeof KEY_PERMISSIONS)[number];
