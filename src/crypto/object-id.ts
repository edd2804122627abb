import { lp } from './bytes.js';

/** The object an envelope belongs to. Wraps bind it; content encryption does not (DESIGN.md). */
export interface ObjectId {
  bucket: string;
  key: string;
}

/** lp(bucket) ‖ lp(key): the unambiguous binding used in SSE-C derivations (FORMAT.md §1). */
export function objectBinding(o: ObjectId): Buffer {
  return Buffer.concat([lp(o.bucket), lp(o.key)]);
}

/** "arn:aws:s3:::bucket/key" — the encryption-context entry S3 derives for every SSE-KMS object. */
export function objectArn(o: ObjectId): string {
  return `arn:aws:s3:::${o.bucket}/${o.key}`;
}
