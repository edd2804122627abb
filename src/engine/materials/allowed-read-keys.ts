import type { EncryptionContext } from '../../crypto/encryption-context.js';
import type { SseMode } from '../../crypto/envelope.js';
import type { ObjectId } from '../../crypto/object-id.js';
import type { EncryptionPlan } from './encryption-plan.js';

/**
 * One use of an existing envelope's key (DESIGN.md permission matrix): `decrypt` for GET, ranged GET,
 * copy sources and HEADs that open sealed checksums; `rewrap` for a metadata-only re-wrap
 * (UpdateObjectEncryption), which also names the plan it re-wraps to — a re-wrap to a more widely
 * readable key needs decrypt(source) as well; `encrypt` for continuing a multipart upload under the
 * key its CreateMultipartUpload chose (UploadPart, UploadPartCopy's destination, Complete: the
 * envelope comes from the MACed upload token) — writing, not reading, so an encrypt-only uploader
 * can upload in parts.
 */
export interface KeyUseRequest {
  principal: string;
  object: ObjectId;
  mode: SseMode;
  /** the envelope's resolved key id as stored; undefined for SSE-C (no keystore key) */
  keyId: string | undefined;
  /**
   * the envelope's caller context (SSE-KMS; the derived aws:s3:arn entry is not part of it). It is
   * checked here before the envelope MAC is, but no plaintext is released unless the MAC — which
   * covers the context — verifies under the DEK, and in direct KMS mode the KMS binds it too: an
   * edited context is refused either way.
   */
  context: EncryptionContext | undefined;
  use: 'decrypt' | 'rewrap' | 'encrypt';
  /** `rewrap` only: what the object is re-wrapped to */
  rewrapTo?: EncryptionPlan;
  /** the facade operation asking (GetObject, CopyObject, UploadPart…), for the audit trail */
  operation?: string;
}

/**
 * The read-side pin (DESIGN.md "Reads take the key from the envelope, and check it is allowed"): an
 * envelope's key id is unMACed and a key that unwraps proves nothing — someone who can encrypt under
 * *some* key could plant objects readers would accept. So before any unwrap, the (mode, key id) an
 * envelope names must be one this principal may use on `object`; otherwise `check` throws SealError
 * `AccessDenied`. It may also fail with a keystore outage (fail closed, retryable).
 *
 * This is a port: ConfiguredReadKeys is the rule for "no policy document loaded"; the policy layer
 * (src/policies: key grants per principal, context conditions) binds the one in force.
 */
export interface AllowedReadKeys {
  check(req: KeyUseRequest): Promise<void>;
}
