/**
 * The request's SSE header values a statement's `condition` sees (S3 bucket-policy condition keys
 * s3:x-amz-server-side-encryption, …-aws-kms-key-id, …-customer-algorithm), as the caller sent
 * them. `undefined` = the header is absent, which is what the `Null` operator tests.
 */
export interface ActionConditions {
  sse?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  customerAlgorithm?: string;
}
