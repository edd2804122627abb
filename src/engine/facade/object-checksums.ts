import { checksumText, type SealedChecksum } from '../../crypto/sealed-checksums.js';
import type { ObjectChecksums } from './facade-types.js';

/**
 * The facade's view of opened sealed checksums: the flexible ones by algorithm, in S3's text form,
 * and their type (FORMAT.md §5.7 gives them one). The MD5 entry is left out: it is the optional
 * plaintext-MD5 ETag's, which S3 does not return as a checksum. Undefined when nothing is left.
 */
export function objectChecksumsOf(entries: readonly SealedChecksum[]): ObjectChecksums | undefined {
  const out: ObjectChecksums = { type: 'FULL_OBJECT', values: {} };
  let any = false;
  for (const e of entries) {
    if (e.algorithm === 'MD5') continue;
    out.values[e.algorithm] = checksumText(e);
    out.type = e.type;
    any = true;
  }
  return any ? out : undefined;
}
