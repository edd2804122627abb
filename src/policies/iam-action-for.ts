import type { ObjectAction } from '../engine/facade/object-action-policy.js';

/** every action the engine asks the policy layer about (the facade's ObjectAction and the bucket-encryption operations) */
export type PolicyAction = ObjectAction;

/** the IAM action names a policy document may use (statements[].actions), as Amazon S3 spells them */
export const IAM_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
  's3:GetObjectAttributes',
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:ListAllMyBuckets',
  's3:CreateBucket',
  's3:DeleteBucket',
  's3:GetBucketLocation',
  's3:PutEncryptionConfiguration',
  's3:GetEncryptionConfiguration',
] as const;

export type IamAction = (typeof IAM_ACTIONS)[number];

/**
 * Which IAM action authorizes each engine action — Amazon S3's own mapping ("Actions, resources and
 * condition keys for Amazon S3"), so a statement written for AWS means the same here: HEAD needs
 * s3:GetObject, every step of a multipart upload s3:PutObject, HeadBucket s3:ListBucket, and both
 * PutBucketEncryption and DeleteBucketEncryption s3:PutEncryptionConfiguration (AWS has no separate
 * delete permission). docs/POLICY.md repeats this table.
 */
export const IAM_ACTION_FOR: Readonly<Record<PolicyAction, IamAction>> = {
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  ListParts: 's3:ListMultipartUploadParts',
  GetObjectAttributes: 's3:GetObjectAttributes',
  DeleteObject: 's3:DeleteObject',
  DeleteObjectVersion: 's3:DeleteObjectVersion',
  ListBucket: 's3:ListBucket',
  ListBucketVersions: 's3:ListBucketVersions',
  HeadBucket: 's3:ListBucket',
  ListBuckets: 's3:ListAllMyBuckets',
  CreateBucket: 's3:CreateBucket',
  DeleteBucket: 's3:DeleteBucket',
  GetBucketLocation: 's3:GetBucketLocation',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
};

export function iamActionFor(action: PolicyAction): IamAction {
  return IAM_ACTION_FOR[action];
}
