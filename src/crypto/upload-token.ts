import { createHmac } from 'node:crypto';
import { LABEL, MAC_SIZE } from './constants.js';
import { Reader, fromB64uStrict, lp, toB64u, u16 } from './bytes.js';
import { equalSecret, hkdf, V1, wipe, type SuiteId } from './kdf.js';
import { objectBinding, type ObjectId } from './object-id.js';
import { SealError } from '../errors.js';

/**
 * The UploadId s3seal hands to callers (FORMAT.md §7.1): everything an UploadPart in any process
 * needs, authenticated. token = base64url(version ‖ suite ‖ body ‖ MAC), body = lp(backend UploadId)
 * ‖ lp(envelope bytes) ‖ u16(caller metadata size), MAC = HMAC-SHA-256(HKDF(token root, "",
 * info("upload token")), version ‖ suite ‖ lp(bucket) ‖ lp(key) ‖ body). The envelope bytes hold the
 * wrapped DEK and the upload nonce; the DEK itself never appears.
 */
export interface UploadToken {
  backendUploadId: string;
  envelope: Buffer;
  /** bytes of caller user metadata fixed at Create: Complete checks the final envelope still fits */
  callerMetadataSize: number;
}

/** Longest token accepted, checked before decoding (a hostile id cannot make us allocate). */
export const UPLOAD_TOKEN_MAX_ENCODED = 4096;

function mac(root: Uint8Array, o: ObjectId, body: Buffer, id: SuiteId): Buffer {
  const key = hkdf(root, Buffer.alloc(0), id, LABEL.uploadToken);
  const m = createHmac('sha256', key).update(Buffer.from([id.version, id.suite])).update(objectBinding(o)).update(body).digest();
  wipe(key);
  return m;
}

export function encodeUploadToken(root: Uint8Array, o: ObjectId, t: UploadToken, id: SuiteId = V1): string {
  const body = Buffer.concat([lp(t.backendUploadId), lp(t.envelope), u16(t.callerMetadataSize)]);
  return toB64u(Buffer.concat([Buffer.from([id.version, id.suite]), body, mac(root, o, body, id)]));
}

export function decodeUploadToken(root: Uint8Array, o: ObjectId, token: string, id: SuiteId = V1): UploadToken {
  const invalid = (m: string): SealError => new SealError('UploadTokenInvalid', `The specified upload does not exist (${m})`);
  if (token.length > UPLOAD_TOKEN_MAX_ENCODED) throw invalid('too long');
  const raw = fromB64uStrict(token);
  if (!raw) throw invalid('not an s3seal upload id');
  const r = new Reader(raw, invalid);
  if (r.u8() !== id.version || r.u8() !== id.suite) throw invalid('unsupported version');
  const idLen = r.u16();
  const backendUploadId = r.bytes(idLen).toString('utf8');
  const envLen = r.u16();
  const envelope = Buffer.from(r.bytes(envLen));
  const callerMetadataSize = r.u16();
  const tag = r.bytes(MAC_SIZE);
  r.end();
  const body = raw.subarray(2, raw.length - MAC_SIZE);
  if (!equalSecret(mac(root, o, body, id), tag)) throw invalid('authentication failed');
  return { backendUploadId, envelope, callerMetadataSize };
}
