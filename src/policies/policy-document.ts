import type { AccessKeySecret } from './access-key-secret.js';
import type { KeyPermission } from './key-permission.js';

/**
 * A validated, normalized policy document (docs/POLICY.md): what load-policy-document.ts builds from
 * the file and every evaluator reads. Wildcards are compiled once here, so answering a request
 * costs no parsing. Indexes are the zero-based positions in the file, as the validation messages
 * and the decision reasons name them (`statements[3]`, `keys[1]`).
 */
export interface PolicyDocument {
  readonly version: 1;
  /** the file the document came from, for messages */
  readonly source: string;
  /** every principal the document knows; statements and grants name only these (or everyone) */
  readonly principals: ReadonlyMap<string, PolicyPrincipal>;
  readonly statements: readonly PolicyStatement[];
  readonly keyGrants: readonly KeyGrant[];
  readonly floors: readonly Floor[];
  /** every gateway access key of every principal, by access key id (ids are unique across the document) */
  readonly accessKeys: ReadonlyMap<string, AccessKeyIdentity>;
}

/** a declared principal and the gateway access keys that act for it */
export interface PolicyPrincipal {
  readonly accessKeys: readonly PolicyAccessKey[];
}

/** one gateway access key of a principal (docs/POLICY.md "principals") */
export interface PolicyAccessKey {
  readonly id: string;
  /** the file the secret was read from (resolved against the document's directory) */
  readonly secretFile: string;
  readonly secret: AccessKeySecret;
}

/** who an access key id acts for, and the secret its signatures are made with */
export interface AccessKeyIdentity {
  readonly principal: string;
  readonly accessKeyId: string;
  readonly secret: AccessKeySecret;
}

/** who a statement or a grant is for: every declared principal, or the named ones */
export type PrincipalSet = { readonly all: true } | { readonly all: false; readonly names: ReadonlySet<string> };

export interface PolicyStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principals: PrincipalSet;
  /** the action patterns as written */
  readonly actions: readonly string[];
  /** the same, compiled (IAM action names compare case-insensitively) */
  readonly actionPatterns: readonly RegExp[];
  /** the resource patterns, `arn:aws:s3:::` stripped */
  readonly resources: readonly string[];
  readonly resourcePatterns: readonly RegExp[];
  /** every test must hold for the statement to apply */
  readonly conditions: readonly ConditionTest[];
}

/** the S3 bucket-policy condition keys s3seal evaluates (lower case: IAM compares condition keys case-insensitively) */
export type ConditionKey =
  | 's3:x-amz-server-side-encryption'
  | 's3:x-amz-server-side-encryption-aws-kms-key-id'
  | 's3:x-amz-server-side-encryption-customer-algorithm';

export type ConditionOperator = 'StringEquals' | 'StringNotEquals' | 'Null';

/**
 * One operator on one key. StringEquals: the request value equals one of `values` (absent → false);
 * StringNotEquals: it equals none of them (absent → true, as IAM's negated operators); Null: the header
 * is absent (`isNull` true) or present (`isNull` false).
 */
export type ConditionTest =
  | { readonly operator: 'StringEquals' | 'StringNotEquals'; readonly key: ConditionKey; readonly values: readonly string[] }
  | { readonly operator: 'Null'; readonly key: ConditionKey; readonly isNull: boolean };

export interface KeyGrant {
  readonly index: number;
  readonly principals: PrincipalSet;
  /** a keyRef as written (resolved to a key id when checked), or '*' for every key */
  readonly key: string;
  readonly permissions: ReadonlySet<KeyPermission>;
  /** every entry must be in the caller's encryption context with one of these values; empty = no condition */
  readonly context: ReadonlyMap<string, readonly string[]>;
}

/** a local floor (DESIGN.md "Policies"): encryption that bucket configuration cannot lower */
export interface Floor {
  readonly bucket: string;
  /** the key prefix it covers; '' = the whole bucket */
  readonly prefix: string;
  readonly requireAlgorithm?: 'AES256' | 'aws:kms';
  /** a keyRef as written; only with requireAlgorithm aws:kms */
  readonly requireKey?: string;
  readonly blockedEncryptionTypes: readonly 'SSE-C'[];
}
