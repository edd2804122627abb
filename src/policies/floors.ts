import type { Floor, PolicyDocument } from './policy-document.js';

export type { Floor } from './policy-document.js';

/**
 * The local floors that govern an object: every floor of `bucket` whose prefix `key` starts with
 * (a floor with prefix '' covers the whole bucket). Several may apply; each must be met. Passing
 * key = '' yields exactly the floors with prefix '' — the ones that govern every object of the bucket.
 */
export function floorsFor(doc: PolicyDocument, bucket: string, key: string): Floor[] {
  return doc.floors.filter((f) => f.bucket === bucket && key.startsWith(f.prefix));
}

/**
 * The floors that apply to the whole bucket (prefix ''): what a bucket-level default such as
 * PutBucketEncryption must not fall below. Floors on a narrower prefix are left to the object-level
 * check (floorsFor), since a bucket default may be overridden per object.
 */
export function bucketFloors(doc: PolicyDocument, bucket: string): Floor[] {
  return doc.floors.filter((f) => f.bucket === bucket && f.prefix === '');
}
