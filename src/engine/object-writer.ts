import { randomBytes } from 'node:crypto';
import { SALT_SIZE, UPLOAD_NONCE_SIZE } from '../crypto/constants.js';
import { decodeEnvelopeBytes, encodeEnvelope, encodeEnvelopeBytes, verifyEnvelope, type Envelope, type EnvelopeFields } from '../crypto/envelope.js';
import { buildLayout, encodeLayout, type PartRecord } from '../crypto/layout.js';
import { V1, type SuiteId } from '../crypto/kdf.js';
import { sealChecksums, type SealedChecksum } from '../crypto/sealed-checksums.js';
import { SealError } from '../errors.js';
import { EncryptStream } from './encrypt-stream.js';
import type { BeforeFinal } from './framed-transform.js';
import { PartEncryptStream, partSegment, type PartEncryptOptions } from './part-encrypt-stream.js';
import type { SegmentSeal } from './seal-segment.js';

/** Envelope fields a writer chooses; upload nonce and layout are the engine's. */
export type WrapFields = Omit<EnvelopeFields, 'uploadNonce' | 'layout'>;

/**
 * A single-part object: its envelope (for `x-amz-meta-s3seal`) and a fresh encrypting stream. With
 * the declared plaintext length, input of any other length fails and never yields a complete body.
 */
export function sealSinglePart(
  dek: Uint8Array,
  fields: WrapFields,
  plaintextLength?: number,
  id: SuiteId = V1,
  beforeFinal?: BeforeFinal,
  checksums: readonly SealedChecksum[] = [],
): { envelope: string; stream: EncryptStream } {
  return {
    envelope: singlePartEnvelope(dek, fields, checksums, id),
    stream: new EncryptStream(dek, { id, ...(plaintextLength !== undefined ? { plaintextLength } : {}), ...(beforeFinal ? { beforeFinal } : {}) }),
  };
}

/**
 * A single-part object's envelope, with its verified checksums sealed in (FORMAT.md §5.7; none: no
 * field). The one builder of single-part envelopes: the PUT, its budget probe and the replace that
 * commits a trailer's checksum (SealedObjects.put) all call it. Each call seals with a fresh nonce.
 */
export function singlePartEnvelope(dek: Uint8Array, fields: WrapFields, checksums: readonly SealedChecksum[] = [], id: SuiteId = V1, checksumsNonce?: Buffer): string {
  const sealed = checksums.length ? { sealedChecksums: sealChecksums(dek, checksums, id, checksumsNonce) } : {};
  return encodeEnvelope({ ...fields, ...sealed }, dek, id);
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

/** UploadPart of a part already in memory: as encryptPart, the part's key and header for sealSegment instead of a stream. */
export function partSegmentFor(dek: Uint8Array, tokenEnvelope: Buffer, partNumber: number, plaintextLength: number): SegmentSeal {
  const env = uploadEnvelope(dek, tokenEnvelope);
  return partSegment(dek, env.uploadNonce!, partNumber, plaintextLength, { id: env });
}

/**
 * CompleteMultipartUpload: commit the final part list into the envelope (FORMAT.md §7.3). The one
 * builder of a committed envelope: SealedObjects.completeMultipart and gen-vectors both call it.
 */
export function completeMultipart(dek: Uint8Array, tokenEnvelope: Buffer, parts: readonly PartRecord[], checksums?: readonly SealedChecksum[], checksumsNonce?: Buffer): string {
  const env = uploadEnvelope(dek, tokenEnvelope);
  const layout = encodeLayout(buildLayout(env.uploadNonce!, parts, env));
  const { version, suite, mac: _mac, ...fields } = env;
  // FORMAT.md §5.7: checksums verified over the whole body (a PutObject s3seal uploaded in parts), sealed with the layout they describe
  const sealed = checksums?.length ? { sealedChecksums: sealChecksums(dek, checksums, { version, suite, layout }, checksumsNonce) } : {};
  return encodeEnvelope({ ...fields, layout, ...sealed }, dek, { version, suite });
}

/**
 * The committed envelope with all-zero salts, built before the backend upload is completed: salts
 * (and sealed checksums, whose ciphertext is as long as their entries) have a fixed size, so it is exactly as long as the real one and tells whether the envelope with
 * its layout fits the metadata budget (after the backend Complete, an over-budget object could not be
 * committed). Also throws what the real build would (e.g. MetadataTooLarge for over 64 runs).
 */
export function completeMultipartProbe(dek: Uint8Array, tokenEnvelope: Buffer, parts: readonly Omit<PartRecord, 'salt'>[], checksums?: readonly SealedChecksum[]): string {
  return completeMultipart(dek, tokenEnvelope, parts.map((p) => ({ partNumber: p.partNumber, plaintextLength: p.plaintextLength, salt: Buffer.alloc(SALT_SIZE) })), checksums);
}

function uploadEnvelope(dek: Uint8Array, bytes: Buffer): Envelope {
  const env = decodeEnvelopeBytes(bytes);
  verifyEnvelope(env, dek);
  if (!env.uploadNonce || env.layout) throw new SealError('UploadTokenInvalid', 'upload token does not describe an open multipart upload');
  return env;
}

/**
 * A re-wrapped object's envelope (copy, rename, key rotation by copy; FORMAT.md §5.4 "Copies are
 * re-wraps"): the destination's wrap group over the source's DEK, with everything the body depends
 * on kept — the upload nonce and committed layout of a multipart object (its part keys bind only
 * those), and the sealed checksums (sealed under the DEK, bound to the object only through it,
 * §5.7) — in the source's format version and suite, MACed anew under the DEK.
 */
export function rewrappedEnvelope(dek: Uint8Array, wrap: WrapFields, source: Envelope): string {
  return encodeEnvelope(
    {
      ...wrap,
      ...(source.uploadNonce !== undefined ? { uploadNonce: source.uploadNonce } : {}),
      ...(source.layout !== undefined ? { layout: source.layout } : {}),
      ...(source.sealedChecksums !== undefined ? { sealedChecksums: source.sealedChecksums } : {}),
    },
    dek,
    { version: source.version, suite: source.suite },
  );
}
