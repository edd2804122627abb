import type { Envelope } from '../crypto/envelope.js';
import type { ObjectId } from '../crypto/object-id.js';
import type { WrapFields } from './object-writer.js';

/**
 * How the engine obtains data keys, per object. The policy layer decides mode and key; a resolver
 * carries that decision out against a keystore (SSE-S3 / SSE-KMS) or the caller's SSE-C key. The
 * engine never knows which: it gets a DEK and the envelope fields that describe its wrap.
 */
export interface KeyResolver {
  /**
   * a fresh random DEK for this object, and its wrap. `plaintextLength` (when known) lets bucket-key
   * caches enforce their byte limits.
   */
  generate(o: ObjectId, plaintextLength?: number): Promise<{ dek: Buffer; wrap: WrapFields }>;
  /**
   * wraps the DEK of an existing body for object `o` (a copy, rename or key change is a re-wrap,
   * never a re-encryption: DESIGN.md "Modes and key hierarchy"); the caller keeps and zeroes `dek`.
   * Resolvers that cannot wrap a given key leave it out, and such a copy rewrites the body.
   */
  wrapExisting?(o: ObjectId, dek: Buffer, plaintextLength?: number): Promise<WrapFields>;
  /** the DEK of a stored object (after checking whatever the mode requires, e.g. the SSE-C check value) */
  recover(o: ObjectId, env: Envelope): Promise<Buffer>;
  /**
   * counts `plaintextBytes` more under the key that wrapped `env`'s DEK: a multipart upload's DEK is
   * generated before its size is known, so each part reports its bytes (bucket-key `maxBytes`).
   * Resolvers without such limits leave it out.
   */
  charge?(o: ObjectId, env: Envelope, plaintextBytes: number): Promise<void>;
  /** zeroes key material the resolver holds (SSE-C: its copy of the customer key); it is unusable afterwards */
  dispose?(): void;
}
