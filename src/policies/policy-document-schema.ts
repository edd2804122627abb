import { z } from 'zod';
import { IAM_ACTIONS } from './iam-action-for.js';
import { KEY_PERMISSIONS } from './key-permission.js';
import { wildcardPattern } from './wildcard-pattern.js';

/**
 * The shape of a policy document file (docs/POLICY.md), before normalization. Every object is
 * strict (a misspelt field is an error, not silently ignored: a policy that does not say what its
 * author meant must not load). Checks that need the whole document — names of declared principals,
 * keyRefs against the default keystore — are done by load-policy-document.ts after this passes.
 */

/** a string, or a list of them (IAM's Action/Resource style); normalized to a non-empty list */
const oneOrMany = <T extends z.ZodTypeAny>(item: T, what: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? [v] : v),
    z.array(item, { invalid_type_error: `expected ${what} or a list of them` }).nonempty({ message: 'must not be an empty list' }),
  );

const name = z.string({ invalid_type_error: 'expected a string' }).min(1, { message: 'must not be empty' });

/** an action name or pattern: a non-wildcard name must be one s3seal knows, a pattern must match one */
const actionName = name.superRefine((a, ctx) => {
  if (!a.includes('*') && !a.includes('?')) {
    if (!IAM_ACTIONS.some((k) => k.toLowerCase() === a.toLowerCase())) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `unknown action "${a}"` });
    return;
  }
  const re = wildcardPattern(a, true);
  if (!IAM_ACTIONS.some((k) => re.test(k))) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `action pattern "${a}" matches no supported action` });
});

const ARN_PREFIX = 'arn:aws:s3:::';
const resourceName = name.superRefine((r, ctx) => {
  const bare = r.startsWith('arn:') ? (r.startsWith(ARN_PREFIX) ? r.slice(ARN_PREFIX.length) : undefined) : r;
  if (bare === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `resource "${r}" is not an S3 ARN (arn:aws:s3:::bucket/key)` });
  else if (bare.length === 0 || bare.startsWith('/')) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `resource "${r}" names no bucket` });
});

export const CONDITION_KEYS = [
  's3:x-amz-server-side-encryption',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
  's3:x-amz-server-side-encryption-customer-algorithm',
] as const;

const conditionKey = z.string().superRefine((k, ctx) => {
  if (!(CONDITION_KEYS as readonly string[]).includes(k.toLowerCase())) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `unknown condition key "${k}"` });
});

const stringCondition = z.record(conditionKey, oneOrMany(z.string({ invalid_type_error: 'expected a string' }), 'a string'));
const nullCondition = z.record(
  conditionKey,
  z.union([z.boolean(), z.enum(['true', 'false'])], { errorMap: () => ({ message: 'expected true or false' }) }),
);

export const CONDITION_OPERATORS = ['StringEquals', 'StringNotEquals', 'Null'] as const;

const condition = z
  .object({ StringEquals: stringCondition.optional(), StringNotEquals: stringCondition.optional(), Null: nullCondition.optional() })
  .strict();

const principalList = oneOrMany(name, 'a principal name');

const statement = z
  .object({
    sid: name.optional(),
    effect: z.enum(['Allow', 'Deny']),
    principals: principalList,
    actions: oneOrMany(actionName, 'an action'),
    resources: oneOrMany(resourceName, 'a resource'),
    condition: condition.optional(),
  })
  .strict();

const keyGrant = z
  .object({
    principals: principalList,
    key: name,
    permissions: oneOrMany(z.enum(KEY_PERMISSIONS), 'a permission'),
    // encryption context values are strings: a YAML 42 or true is refused rather than guessed at
    context: z.record(name, oneOrMany(z.string({ invalid_type_error: 'expected a string (quote numbers and booleans)' }), 'a string')).optional(),
  })
  .strict();

const floor = z
  .object({
    bucket: name,
    prefix: z.string({ invalid_type_error: 'expected a string' }).optional(),
    requireAlgorithm: z.enum(['AES256', 'aws:kms']).optional(),
    requireKey: name.optional(),
    blockedEncryptionTypes: z.array(z.enum(['SSE-C']), { invalid_type_error: 'expected a list' }).optional(),
  })
  .strict();

/** `uploader:` with nothing after it is as good as `uploader: {}` */
const principal = z.preprocess((v) => v ?? {}, z.object({}).strict());

export const policyDocumentSchema = z
  .object({
    version: z.literal(1, { errorMap: () => ({ message: 'expected 1 (the only policy document version)' }) }),
    principals: z.record(name, principal),
    statements: z.array(statement, { invalid_type_error: 'expected a list' }).optional(),
    keys: z.array(keyGrant, { invalid_type_error: 'expected a list' }).optional(),
    floors: z.array(floor, { invalid_type_error: 'expected a list' }).optional(),
  }, { invalid_type_error: 'expected a mapping with version, principals, statements, keys and floors' })
  .strict();

export type PolicyDocumentFile = z.infer<typeof policyDocumentSchema>;
