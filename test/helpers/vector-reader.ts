/**
 * Decodes one test vector (docs/FORMAT.md §12) through the engine, the way a reader following §11
 * would: envelope → key recovery → MAC → layout → size → body. Returns the plaintext, or throws the
 * SealError (or, for the file keystore's record, the KeystoreError) the first failing check raises.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { decodeEnvelope, verifyEnvelope } from '../../src/crypto/envelope.js';
import type { SealedChecksum } from '../../src/crypto/sealed-checksums.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { ssecUnwrap } from '../../src/crypto/ssec-wrap.js';
import { bucketKeyUnwrap } from '../../src/crypto/bucket-key-wrap.js';
import { bindingContext, parseStoredContext } from '../../src/crypto/encryption-context.js';
import { openObject, type PlainRange } from '../../src/engine/object-reader.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { tempDir } from './temp-dir.js';
import { unhex } from './vector-model.js';

/**
 * FORMAT.md §10 through the production keystore: a key file holding exactly the vector's one root
 * key (name, version), and the key name taken from the envelope's key id `file:<name>`.
 */
async function fileKeystoreUnwrap(v: Record<string, unknown>, keyRef: string | undefined, wrapped: Buffer, context: string): Promise<Buffer> {
  if (!keyRef?.startsWith('file:')) throw new Error('file vector without a file: key id');
  const path = join(tempDir('vector-keys'), 'keys.json');
  const version = String(v.root_key_version);
  const keys = { [String(v.root_key_name_utf8)]: { enabled: true, current: Number(version), versions: { [version]: unhex(String(v.root_key)).toString('base64') } } };
  writeFileSync(path, JSON.stringify({ format: 's3seal-file-keystore', version: 1, keys }), { mode: 0o600 });
  return new FileKeystore({ path }).decryptDataKey(keyRef.slice('file:'.length), wrapped, context);
}

export interface ReadResult {
  plaintext: Buffer;
  requested: { start: number; end: number }[];
  /** kind `checksums`: the opened sealed checksums (FORMAT.md §5.7) */
  checksums?: SealedChecksum[];
}

export async function readVector(v: Record<string, unknown>, range?: PlainRange): Promise<ReadResult> {
  const s = (k: string): string => {
    const x = v[k];
    if (typeof x !== 'string') throw new Error(`vector field ${k} missing`);
    return x;
  };
  const o = { bucket: s('bucket_utf8'), key: s('key_utf8') };
  // FORMAT.md §12: `reader_min_version`, when given, is the reader's configured minimum version (§2)
  const env = decodeEnvelope(s('envelope_b64u'), v.reader_min_version !== undefined ? { minVersion: Number(v.reader_min_version) } : {});
  let dek: Buffer;
  switch (v.kind) {
    case 'single':
    case 'checksums':
    case 'multipart':
      dek = unhex(s('dek'));
      break;
    case 'ssec':
      dek = ssecUnwrap(unhex(s('ssec_key')), { salt: env.ssecSalt!, check: env.ssecCheck!, wrappedKey: env.wrappedKey }, o);
      break;
    case 'file':
      dek = await fileKeystoreUnwrap(v, env.keyRef, env.wrappedKey, bindingContext(o, env.context ? parseStoredContext(env.context) : {}));
      break;
    case 'bucket_key':
      dek = bucketKeyUnwrap(unhex(s('bucket_key')), env.wrappedKey, o);
      break;
    default:
      throw new Error(`unknown vector kind ${String(v.kind)}`);
  }
  const body = unhex(s('body'));
  const requested: { start: number; end: number }[] = [];
  const source = {
    size: body.length,
    read: (r?: { start: number; end: number }): Readable => {
      const rr = r ?? { start: 0, end: body.length - 1 };
      requested.push(rr);
      return Readable.from([body.subarray(rr.start, rr.end + 1)]);
    },
  };
  // FORMAT.md §11 step 4: the MAC, then (a read that returns checksums) the sealed checksums, before the body
  let checksums: SealedChecksum[] | undefined;
  if (v.kind === 'checksums') {
    verifyEnvelope(env, dek);
    checksums = SealedObjects.openChecksums(dek, env);
  }
  const opened = await openObject(dek, env, source, range ? { range } : {});
  return { plaintext: await buffer(opened.stream), requested, ...(checksums ? { checksums } : {}) };
}
