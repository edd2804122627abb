import type { ActionConditions } from '../engine/facade/object-action-policy.js';
import { actionResource } from './action-resource.js';
import type { Decision } from './decision.js';
import { iamActionFor, type PolicyAction } from './iam-action-for.js';
import type { ConditionKey, ConditionTest, PolicyDocument, PolicyStatement } from './policy-document.js';
import { principalMatches } from './principal-matches.js';

/**
 * May `principal` perform `action` on `bucket`/`key` with these SSE headers? IAM's evaluation
 * (docs/POLICY.md): a matching Deny statement wins, else a matching Allow allows, else the request
 * is denied — deny by default. A statement matches when it names the principal, one of its action
 * patterns matches the action's IAM name, one of its resource patterns matches the action's resource
 * (`bucket`, `bucket/key`, or `*` for ListBuckets) and every condition holds. Pure: no I/O, no keys.
 */
export function evaluateAction(
  doc: PolicyDocument,
  principal: string,
  action: PolicyAction,
  bucket: string,
  key: string,
  conditions: ActionConditions,
): Decision {
  if (!doc.principals.has(principal)) return { allowed: false, reason: `principal "${principal}" is not declared in the policy document` };
  const iam = iamActionFor(action);
  const resource = actionResource(action, bucket, key);
  let allow: PolicyStatement | undefined;
  for (const s of doc.statements) {
    if (!statementMatches(doc, s, principal, iam, resource, conditions)) continue;
    if (s.effect === 'Deny') return { allowed: false, reason: `${label(s)} denies ${iam} on ${resource}` };
    allow ??= s;
  }
  if (allow) return { allowed: true, reason: `${label(allow)} allows ${iam} on ${resource}` };
  return { allowed: false, reason: `no Allow statement matches ${iam} on ${resource} for "${principal}"` };
}

function statementMatches(doc: PolicyDocument, s: PolicyStatement, principal: string, iam: string, resource: string, c: ActionConditions): boolean {
  return (
    principalMatches(doc, s.principals, principal) &&
    s.actionPatterns.some((p) => p.test(iam)) &&
    s.resourcePatterns.some((p) => p.test(resource)) &&
    // a part of an upload is judged as its CreateMultipartUpload was (ActionConditions.continuesUpload)
    (c.continuesUpload === true ? s.conditions.length === 0 || s.effect === 'Allow' : s.conditions.every((t) => conditionHolds(t, c)))
  );
}

function requestValue(key: ConditionKey, c: ActionConditions): string | undefined {
  switch (key) {
    case 's3:x-amz-server-side-encryption':
      return c.sse;
    case 's3:x-amz-server-side-encryption-aws-kms-key-id':
      return c.kmsKeyId;
    case 's3:x-amz-server-side-encryption-customer-algorithm':
      return c.customerAlgorithm;
  }
}

/** IAM's rules: a missing key makes StringEquals false and its negation StringNotEquals true; Null tests presence */
function conditionHolds(t: ConditionTest, c: ActionConditions): boolean {
  const v = requestValue(t.key, c);
  switch (t.operator) {
    case 'Null':
      return (v === undefined) === t.isNull;
    case 'StringEquals':
      return v !== undefined && t.values.includes(v);
    case 'StringNotEquals':
      return v === undefined || !t.values.includes(v);
  }
}

function label(s: PolicyStatement): string {
  return `statements[${s.index}]${s.sid !== undefined ? ` (${s.sid})` : ''}`;
}
