import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { ZodIssue } from 'zod';
import { DERIVED_CONTEXT_KEYS } from '../crypto/encryption-context.js';
import { parseKeyRef } from '../keystores/key-ref.js';
import type { KeystoreId } from '../keystores/keystore.js';
import { AccessKeySecret } from './access-key-secret.js';
import type { KeyPermission } from './key-permission.js';
import type { AccessKeyIdentity, ConditionKey, ConditionTest, Floor, KeyGrant, PolicyAccessKey, PolicyDocument, PolicyPrincipal, PolicyStatement, PrincipalSet } from './policy-document.js';
import { PolicyDocumentError } from './policy-document-error.js';
import { policyDocumentSchema, type PolicyDocumentFile } from './policy-document-schema.js';
import { wildcardPattern } from './wildcard-pattern.js';
import { fieldAtOffset, firstDuplicateKey, formatFieldPath, lineAt, lineOfField } from './yaml-field-path.js';

/** a mistake found in the document, before it is placed on a line */
interface Mistake {
  path: PropertyKey[];
  message: string;
  /** point at the mapping key (an unknown field), not at its value */
  atKey?: boolean;
  /** an unknown field / a missing required field (see withoutExplainedMissing) */
  unknownField?: boolean;
  missing?: boolean;
}

/**
 * Parse and validate a policy document (docs/POLICY.md) from YAML or JSON text (JSON is YAML 1.2,
 * so one parser serves both and places every mistake on its line). Throws PolicyDocumentError for
 * the first mistake in the file — YAML syntax, a duplicate key, a field the schema lacks, an unknown
 * action or condition, a statement or grant naming an undeclared principal, a keyRef that does not
 * parse (bare names go to `defaultKmsKeystore`, as they do for requests).
 */
export interface ParsePolicyOptions {
  /** reads an access key's secret file (default: readFileSync); a path is resolved against the document's directory */
  readSecretFile?: (path: string) => Buffer;
}

export function parsePolicyDocument(text: string, source: string, defaultKmsKeystore: KeystoreId, options: ParsePolicyOptions = {}): PolicyDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const dup = syntax.code === 'DUPLICATE_KEY' ? firstDuplicateKey(doc) : undefined;
    if (dup) throw new PolicyDocumentError(source, lineAt(lines, dup.offset), formatFieldPath(dup.path), `duplicate key "${String(dup.path[dup.path.length - 1])}"`);
    const path = fieldAtOffset(doc, syntax.pos[0]);
    const detail = syntax.code === 'DUPLICATE_KEY' ? `duplicate key${path.length > 0 ? ` "${String(path[path.length - 1])}"` : ''}` : syntax.message;
    throw new PolicyDocumentError(source, lineAt(lines, syntax.pos[0]), formatFieldPath(path), detail);
  }
  // a mapping key is a name, whatever it looks like: YAML's core schema would read the `Null`
  // condition operator as null (and `true:` as a boolean), so every key keeps its source text
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && typeof pair.key.source === 'string') pair.key.value = pair.key.source;
    },
  });
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new PolicyDocumentError(source, undefined, '', (err as Error).message, { cause: err });
  }
  const parsed = policyDocumentSchema.safeParse(raw);
  if (!parsed.success) throw firstMistake(doc, lines, source, withoutExplainedMissing(parsed.error.issues.map(fromZodIssue)));
  const file = parsed.data;
  const semantic = crossChecks(file, defaultKmsKeystore);
  if (semantic.length > 0) throw firstMistake(doc, lines, source, semantic);
  const secrets = readSecrets(file, source, options.readSecretFile ?? ((p) => readFileSync(p)));
  if (secrets.mistakes.length > 0) throw firstMistake(doc, lines, source, secrets.mistakes);
  return normalize(file, source, secrets.principals);
}

/** the most bytes a secret file may hold (an AWS secret access key is 40 characters) */
const MAX_SECRET_BYTES = 1024;
const MIN_SECRET_CHARS = 16;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * Every access key's secret, read from its file. A secret is the file's text without trailing line
 * breaks (secret files are usually written with `echo`), at least 16 visible ASCII characters — what
 * an S3 client accepts as a secret access key. Messages name the file and the problem, never content.
 */
function readSecrets(file: PolicyDocumentFile, source: string, read: (path: string) => Buffer): { principals: Map<string, PolicyPrincipal>; mistakes: Mistake[] } {
  const principals = new Map<string, PolicyPrincipal>();
  const mistakes: Mistake[] = [];
  for (const [name, p] of Object.entries(file.principals)) {
    const keys: PolicyAccessKey[] = [];
    (p.accessKeys ?? []).forEach((k, i) => {
      const at = ['principals', name, 'accessKeys', i, 'secretFile'];
      const path = resolve(dirname(source), k.secretFile);
      let raw: Buffer;
      try {
        raw = read(path);
      } catch (err) {
        mistakes.push({ path: at, message: `cannot read the secret file ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
        return;
      }
      let end = raw.length;
      while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
      const secret = Buffer.from(raw.subarray(0, end));
      raw.fill(0);
      const text = secret.toString('latin1');
      if (secret.length > MAX_SECRET_BYTES || secret.length < MIN_SECRET_CHARS || !VISIBLE_ASCII.test(text)) {
        secret.fill(0);
        mistakes.push({ path: at, message: `the secret in ${path} must be ${MIN_SECRET_CHARS} to ${MAX_SECRET_BYTES} visible ASCII characters (no spaces)` });
        return;
      }
      keys.push({ id: k.id, secretFile: path, secret: new AccessKeySecret(secret) });
    });
    principals.set(name, { accessKeys: keys });
  }
  return { principals, mistakes };
}

/** read and parse a policy document file; an unreadable file is a PolicyDocumentError too (a startup failure) */
export async function loadPolicyDocument(path: string, defaultKmsKeystore: KeystoreId): Promise<PolicyDocument> {
  return parsePolicyDocument(await readPolicyFile(path), path, defaultKmsKeystore);
}

/** the text of a policy document file, or PolicyDocumentError naming why it cannot be read */
export async function readPolicyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw unreadable(path, err);
  }
}

function unreadable(path: string, err: unknown): PolicyDocumentError {
  return new PolicyDocumentError(path, undefined, '', `cannot read the policy document (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
}

/** readPolicyFile, synchronously: for loading at startup, where a container is built synchronously */
export function readPolicyFileSync(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw unreadable(path, err);
  }
}

/** of several mistakes, the one earliest in the file: what an author fixes first */
function firstMistake(doc: Document, lines: LineCounter, source: string, mistakes: readonly Mistake[]): PolicyDocumentError {
  let best: { m: Mistake; line: number } | undefined;
  for (const m of mistakes) {
    const line = lineOfField(doc, lines, m.path, m.atKey);
    if (best === undefined || line < best.line) best = { m, line };
  }
  if (best === undefined) return new PolicyDocumentError(source, undefined, '', 'invalid policy document');
  return new PolicyDocumentError(source, best.line, formatFieldPath(best.m.path), best.m.message);
}

/**
 * A field reported missing from an object that also has an unknown field is most likely that field
 * misspelt: the unknown one is the mistake to report (its line is the one to fix), wherever it is.
 */
function withoutExplainedMissing(mistakes: readonly Mistake[]): Mistake[] {
  const parentOf = (m: Mistake) => formatFieldPath(m.path.slice(0, -1));
  const withUnknown = new Set(mistakes.filter((m) => m.unknownField === true).map(parentOf));
  return mistakes.filter((m) => !(m.missing === true && withUnknown.has(parentOf(m))));
}

function fromZodIssue(i: ZodIssue): Mistake {
  if (i.code === 'unrecognized_keys') {
    const k = i.keys[0] ?? '';
    const what = i.path[i.path.length - 1] === 'condition' ? 'condition operator' : 'field';
    return { path: [...i.path, k], message: `unknown ${what} "${k}"${what === 'condition operator' ? ' (StringEquals, StringNotEquals, Null)' : ''}`, atKey: true, unknownField: true };
  }
  if (i.code === 'invalid_enum_value') return { path: i.path, message: `expected ${i.options.join(' | ')}, got ${JSON.stringify(i.received)}` };
  if (i.code === 'invalid_type' && i.received === 'undefined') return { path: i.path, message: 'missing required field', missing: true };
  return { path: i.path, message: i.message };
}

/** checks across fields: declared principals, keyRefs, floors that make sense */
function crossChecks(file: PolicyDocumentFile, defaultKmsKeystore: KeystoreId): Mistake[] {
  const out: Mistake[] = [];
  const declared = new Set(Object.keys(file.principals));
  if (declared.has('*')) out.push({ path: ['principals', '*'], message: '"*" means every principal and cannot be declared', atKey: true });
  const checkPrincipals = (names: readonly string[], at: PropertyKey[]) => {
    names.forEach((n, i) => {
      if (n !== '*' && !declared.has(n)) out.push({ path: [...at, i], message: `principal "${n}" is not declared under principals` });
    });
  };
  const checkKeyRef = (ref: string, at: PropertyKey[]) => {
    try {
      parseKeyRef(ref, defaultKmsKeystore);
    } catch (err) {
      out.push({ path: at, message: `bad keyRef: ${(err as Error).message}` });
    }
  };
  // an access key id names one principal: a second use anywhere in the document is a mistake (which one would sign?)
  const keyIds = new Map<string, string>();
  for (const [name, p] of Object.entries(file.principals)) {
    (p.accessKeys ?? []).forEach((k, i) => {
      const first = keyIds.get(k.id);
      if (first !== undefined) out.push({ path: ['principals', name, 'accessKeys', i, 'id'], message: `access key id "${k.id}" is already used by principal "${first}"` });
      else keyIds.set(k.id, name);
    });
  }
  (file.statements ?? []).forEach((s, i) => checkPrincipals(s.principals, ['statements', i, 'principals']));
  (file.keys ?? []).forEach((g, i) => {
    checkPrincipals(g.principals, ['keys', i, 'principals']);
    if (g.key !== '*') checkKeyRef(g.key, ['keys', i, 'key']);
    for (const k of Object.keys(g.context ?? {})) {
      // the derived object ARN is never part of the caller context a grant is checked against
      if ((DERIVED_CONTEXT_KEYS as readonly string[]).includes(k)) out.push({ path: ['keys', i, 'context', k], message: `"${k}" is derived by s3seal, not a context entry a grant can require`, atKey: true });
    }
  });
  (file.floors ?? []).forEach((f, i) => {
    if (f.requireKey !== undefined) {
      if (f.requireAlgorithm !== 'aws:kms') out.push({ path: ['floors', i, 'requireKey'], message: 'requireKey needs requireAlgorithm: aws:kms', atKey: true });
      checkKeyRef(f.requireKey, ['floors', i, 'requireKey']);
    }
    if (f.requireAlgorithm === undefined && f.requireKey === undefined && (f.blockedEncryptionTypes ?? []).length === 0) {
      out.push({ path: ['floors', i], message: 'a floor must require an algorithm or block an encryption type' });
    }
  });
  return out;
}

const ARN_PREFIX = 'arn:aws:s3:::';

function principalSet(names: readonly string[]): PrincipalSet {
  return names.includes('*') ? { all: true } : { all: false, names: new Set(names) };
}

function normalize(file: PolicyDocumentFile, source: string, principals: ReadonlyMap<string, PolicyPrincipal>): PolicyDocument {
  const statements: PolicyStatement[] = (file.statements ?? []).map((s, index) => {
    const resources = s.resources.map((r) => (r.startsWith(ARN_PREFIX) ? r.slice(ARN_PREFIX.length) : r));
    const conditions: ConditionTest[] = [];
    for (const [op, tests] of Object.entries(s.condition ?? {})) {
      for (const [k, v] of Object.entries(tests ?? {})) {
        const key = k.toLowerCase() as ConditionKey;
        if (op === 'Null') conditions.push({ operator: 'Null', key, isNull: v === true || v === 'true' });
        else conditions.push({ operator: op as 'StringEquals' | 'StringNotEquals', key, values: v as string[] });
      }
    }
    return {
      index,
      ...(s.sid !== undefined ? { sid: s.sid } : {}),
      effect: s.effect,
      principals: principalSet(s.principals),
      actions: s.actions,
      actionPatterns: s.actions.map((a) => wildcardPattern(a, true)),
      resources,
      resourcePatterns: resources.map((r) => wildcardPattern(r)),
      conditions,
    };
  });
  const keyGrants: KeyGrant[] = (file.keys ?? []).map((g, index) => ({
    index,
    principals: principalSet(g.principals),
    key: g.key,
    permissions: new Set<KeyPermission>(g.permissions),
    context: new Map(Object.entries(g.context ?? {})),
  }));
  const floors: Floor[] = (file.floors ?? []).map((f) => ({
    bucket: f.bucket,
    prefix: f.prefix ?? '',
    ...(f.requireAlgorithm !== undefined ? { requireAlgorithm: f.requireAlgorithm } : {}),
    ...(f.requireKey !== undefined ? { requireKey: f.requireKey } : {}),
    blockedEncryptionTypes: [...new Set(f.blockedEncryptionTypes ?? [])],
  }));
  const accessKeys = new Map<string, AccessKeyIdentity>();
  for (const [principal, p] of principals) for (const k of p.accessKeys) accessKeys.set(k.id, { principal, accessKeyId: k.id, secret: k.secret });
  return {
    version: 1,
    source,
    principals,
    accessKeys,
    statements,
    keyGrants,
    floors,
  };
}
