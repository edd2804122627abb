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

/**
 * A gateway access key id: what S3 clients send in `Credential=ID/date/region/s3/aws4_request`, so
 * no `/` (it would shift the scope) and nothing a shell or URL would mangle.
 */
export const ACCESS_KEY_ID = /^[A-Za-z0-9._-]{3,128}$/;

/**
 * A gateway access key: the id and the FILE its secret lives in (a Docker / Kubernetes secret, a
 * 0600 file), never the secret itself — a policy document is reviewed, versioned and copied around
 * like code. An inline `secret` is refused with a message that says so (docs/POLICY.md).
 */
const accessKey = z
  .object({
    id: z.string({ invalid_type_error: 'expected a string' }).regex(ACCESS_KEY_ID, { message: 'an access key id is 3 to 128 characters of A-Z a-z 0-9 . _ -' }),
    secretFile: name,
    secret: z.unknown().optional(),
  }, { invalid_type_error: 'expected a mapping with id and secretFile' })
  .strict()
  .superRefine((k, ctx) => {
    if (k.secret !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['secret'], message: 'inline secrets are not accepted: put the secret in a file (mode 0600) and name it with secretFile' });
  });

/** `uploader:` with nothing after it is as good as `uploader: {}` */
const principal = z.preprocess(
  (v) => v ?? {},
  z.object({ accessKeys: z.array(accessKey, { invalid_type_error: 'expected a list' }).optional() }, { invalid_type_error: 'expected a mapping (accessKeys) or nothing' }).strict(),
);

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
