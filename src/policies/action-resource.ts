import type { PolicyAction } from './iam-action-for.js';

/** actions whose resource is the bucket itself (as on AWS: arn:aws:s3:::bucket), not an object */
const BUCKET_ACTIONS: ReadonlySet<PolicyAction> = new Set<PolicyAction>([
  'ListBucket',
  'ListBucketVersions',
  'HeadBucket',
  'CreateBucket',
  'DeleteBucket',
  'GetBucketLocation',
  'PutBucketEncryption',
  'GetBucketEncryption',
  'DeleteBucketEncryption',
]);

/**
 * The resource a statement's `resources` are matched against, in the ARN-less form a policy document
 * writes (`arn:aws:s3:::` stripped): `bucket` for bucket operations and the lists, `bucket/key` for
 * object actions, and `*` for ListBuckets, which on AWS has no resource but `*`.
 */
export function actionResource(action: PolicyAction, bucket: string, key: string): string {
  if (action === 'ListBuckets') return '*';
  if (BUCKET_ACTIONS.has(action)) return bucket;
  return `${bucket}/${key}`;
}
