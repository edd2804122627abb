import type { KeystoreId } from './keystore.js';
import { SealError } from '../errors.js';

/**
 * A keyRef names a key across keystores (DESIGN.md "Modes and key hierarchy"):
 * `arn:aws:kms:…` and `alias/…` → awskms; `vault:<mount>/<name>` → vault; `file:<name>` → file; a
 * bare name → the configured default KMS keystore.
 */
export interface KeyRef {
  keystore: KeystoreId;
  /** the keystore-local name: ARN / alias / key id for awskms, `<mount>/<name>` for vault, name for file */
  name: string;
}

export function parseKeyRef(ref: string, defaultKeystore: KeystoreId = 'awskms'): KeyRef {
  if (ref.length === 0 || ref.length > 512) throw new SealError('InvalidArgument', 'key id must be 1..512 characters');
  if (ref.startsWith('arn:aws:kms:') || ref.startsWith('alias/')) return { keystore: 'awskms', name: ref };
  if (ref.startsWith('vault:')) {
    const name = ref.slice('vault:'.length);
    if (!/^[^/]+(\/[^/]+)*\/[^/]+$/.test(name)) throw new SealError('InvalidArgument', `vault key id must be vault:<mount>/<name>, got "${ref}"`);
    return { keystore: 'vault', name };
  }
  if (ref.startsWith('file:')) {
    const name = ref.slice('file:'.length);
    if (name.length === 0) throw new SealError('InvalidArgument', 'file key id must be file:<name>');
    return { keystore: 'file', name };
  }
  if (ref.includes(':')) throw new SealError('InvalidArgument', `unknown key id scheme in "${ref}"`);
  return { keystore: defaultKeystore, name: ref };
}

export function formatKeyRef(r: KeyRef): string {
  if (r.keystore === 'awskms') return r.name;
  return `${r.keystore}:${r.name}`;
}
