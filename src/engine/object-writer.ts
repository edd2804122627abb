import { randomBytes } from 'node:crypto';
import { SALT_SIZE, UPLOAD_NONCE_SIZE } from '../crypto/constants.js';
import { decodeEnvelopeBytes, encodeEnvelope, encodeEnvelopeBytes, verifyEnvelope, type Envelope, type EnvelopeFields } from '../crypto/envelope.js';
import { buildLayout, encodeLayout, type PartRecord } from '../crypto/layout.js';
import { V1, type SuiteId } from '../crypto/kdf.js';
import { SealError } from '../errors.js';
import { EncryptStream } from './encrypt-stream.js';
import type { BeforeFinal } from './framed-transform.js';
import { PartEncryptStream, type PartEncryptOptions } from './part-encrypt-stream.js';

/** Envelope fields a writer chooses; upload nonce and layout are the engine's. */
export type WrapFields = Omit<EnvelopeFields, 'uploadNonce' | 'layout'>;

/**
 * A single-part object: its envelope (for `x-amz-meta-s3seal`) and a fresh encrypting stream. With
 * the declared plaintext length, input of any other length fails and never yields a complete body.
 */
export function sealSinglePart(dek: Uint8Array, fields: WrapFields, plaintextLength?: number, id: SuiteId = V1, beforeFinal?: BeforeFinal): { envelope: string; stream: EncryptStream } {
  return { envelope: encodeEnvelope(fields, dek, id), stream: new EncryptStream(dek, { id, ...(plaintextLength !== undefined ? { plaintextLength } : {}), ...(beforeFinal ? { beforeFinal } : {}) }) };
}

/** CreateMultipartUpload: a fresh upload nonce, and the envelope bytes that go into the upload token. */
export function startMultipart(
  dek: Uint8Array,
  fields: WrapFields,
  id: SuiteId = V1,
  uploadNonce: Buffer = randomBytes(UPLOAD_NONCE_SIZE),
): { uploadNonce: Buffer; envelope: Buffer; metadataValue: string } {
  const envelope = encodeEnvelopeBytes({ ...fields, uploadNonce }, dek, id);
  return { uploadNonce, envelope, metadataValue: envelope.toString('base64url') };
}

/** UploadPart: the token's envelope is re-verified under the DEK before any key is derived from it. */
export function encryptPart(dek: Uint8Array, tokenEnvelope: Buffer, partNumber: number, plaintextLength: number, opts?: PartEncryptOptions): PartEncryptStream {
  const env = uploadEnvelope(dek, tokenEnvelope);
  return new PartEncryptStream(dek, env.uploadNonce!, partNumber, plaintextLength, { ...opts, id: env });
}

/**
 * CompleteMultipartUpload: commit the final part list into the envelope (FORMAT.md §7.3). The one
 * builder of a committed envelope: SealedObjects.completeMultipart and gen-vectors both call it.
 */
export function completeMultipart(dek: Uint8Array, tokenEnvelope: Buffer, parts: readonly PartRecord[]): string {
  const env = uploadEnvelope(dek, tokenEnvelope);
  const layout = encodeLayout(buildLayout(env.uploadNonce!, parts, env));
  const { version, suite, mac: _mac, ...fields } = env;
  return encodeEnvelope({ ...fields, layout }, dek, { version, suite });
}

/**
 * The committed envelope with all-zero salts, built before the backend upload is completed: salts
 * have a fixed size, so it is exactly as long as the real one and tells whether the envelope with
 * its layout fits the metadata budget (after the backend Complete, an over-budget object could not be
 * committed). Also throws what the real build would (e.g. MetadataTooLarge for over 64 runs).
 */
export function completeMultipartProbe(dek: Uint8Array, tokenEnvelope: Buffer, parts: readonly Omit<PartRecord, 'salt'>[]): string {
  return completeMultipart(dek, tokenEnvelope, parts.map((p) => ({ partNumber: p.partNumber, plaintextLength: p.plaintextLength, salt: Buffer.alloc(SALT_SIZE) })));
}

function uploadEnvelope(dek: Uint8Array, bytes: Buffer): Envelope {
  const env = decodeEnvelopeBytes(bytes);
  verifyEnvelope(env, dek);
  if (!env.uploadNonce || env.layout) throw new SealError('UploadTokenInvalid', 'upload token does not describe an open multipart upload');
  return env;
}
