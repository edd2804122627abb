import { SealError } from '../../errors.js';
import type { BucketEncryption } from '../../engine/facade/bucket-encryption.js';
import { SSE_MESSAGES } from './parse-sse-request.js';
import { s3XmlDocument, type XmlNode } from './s3-xml-document.js';
import { parseS3Xml } from './s3-xml.js';

// KMS key ids, ARNs and alias names are at most 2048 characters (KMS API reference, KeyId)
const KEY_ID_MAX = 2048;

/** s3seal's words where S3 does not publish its text */
export const BUCKET_ENCRYPTION_MESSAGES = {
  keyIdWithoutKms: 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms',
  keyIdEmpty: 'KMSMasterKeyID must not be empty',
  keyIdLong: 'KMSMasterKeyID is longer than 2048 characters',
  noneAndType: 'BlockedEncryptionTypes cannot name NONE together with an encryption type',
} as const;

type XmlObject = Record<string, unknown>;

/** one child element that must be a container (an object), not text nor repeated */
function element(parent: XmlObject, name: string, required: true): XmlObject;
function element(parent: XmlObject, name: string, required: false): XmlObject | undefined;
function element(parent: XmlObject, name: string, required: boolean): XmlObject | undefined {
  const v = parent[name];
  if (v === undefined) {
    if (required) throw new SealError('MalformedXML', `${name} is missing`);
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SealError('MalformedXML', `${name} must appear once, as an element`);
  return v as XmlObject;
}

/** a text child that appears at most once */
function text(parent: XmlObject, name: string): string | undefined {
  const v = parent[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new SealError('MalformedXML', `${name} must appear once, as text`);
  return v;
}

/** the schema's children only (ServerSideEncryptionConfiguration, API reference) */
function onlyChildren(o: XmlObject, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new SealError('MalformedXML', `${where} has an unknown element ${k}`);
}

function blockedTypes(rule: XmlObject): 'SSE-C'[] {
  const blocked = element(rule, 'BlockedEncryptionTypes', false);
  if (blocked === undefined) return [];
  onlyChildren(blocked, ['EncryptionType'], 'BlockedEncryptionTypes');
  const raw = blocked['EncryptionType'];
  const types = raw === undefined ? [] : Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (types.some((v) => v !== 'SSE-C' && v !== 'NONE')) throw new SealError('MalformedXML', 'EncryptionType must be SSE-C or NONE');
  // NONE: every type allowed (S3's "unblock")
  if (types.includes('NONE') && types.includes('SSE-C')) throw new SealError('InvalidArgument', BUCKET_ENCRYPTION_MESSAGES.noneAndType);
  return types.includes('SSE-C') ? ['SSE-C'] : [];
}

/**
 * A PutBucketEncryption document (S3 API reference, ServerSideEncryptionConfiguration): exactly one
 * Rule with ApplyServerSideEncryptionByDefault {SSEAlgorithm AES256 | aws:kms, KMSMasterKeyID for
 * aws:kms only}, BucketKeyEnabled (default false), BlockedEncryptionTypes (SSE-C, or NONE).
 * MalformedXML for what the schema does not allow; InvalidArgument for a key id with AES256 or one
 * that is no key id; aws:kms:dsse is NotImplemented (s3seal does not do dual-layer SSE).
 */
export function parseBucketEncryption(doc: Buffer): BucketEncryption {
  const root = element(parseS3Xml(doc), 'ServerSideEncryptionConfiguration', true);
  onlyChildren(root, ['Rule'], 'ServerSideEncryptionConfiguration');
  if (Array.isArray(root['Rule'])) throw new SealError('MalformedXML', 'exactly one Rule is allowed');
  const rule = element(root, 'Rule', true);
  onlyChildren(rule, ['ApplyServerSideEncryptionByDefault', 'BucketKeyEnabled', 'BlockedEncryptionTypes'], 'Rule');
  const byDefault = element(rule, 'ApplyServerSideEncryptionByDefault', true);
  onlyChildren(byDefault, ['SSEAlgorithm', 'KMSMasterKeyID'], 'ApplyServerSideEncryptionByDefault');
  const algorithm = text(byDefault, 'SSEAlgorithm');
  if (algorithm === 'aws:kms:dsse') throw new SealError('NotImplemented', SSE_MESSAGES.dsse);
  if (algorithm !== 'AES256' && algorithm !== 'aws:kms') throw new SealError('MalformedXML', 'SSEAlgorithm must be AES256 or aws:kms');
  const keyId = text(byDefault, 'KMSMasterKeyID');
  if (keyId !== undefined) {
    if (algorithm !== 'aws:kms') throw new SealError('InvalidArgument', BUCKET_ENCRYPTION_MESSAGES.keyIdWithoutKms);
    if (keyId.trim() === '') throw new SealError('InvalidArgument', BUCKET_ENCRYPTION_MESSAGES.keyIdEmpty);
    if (keyId.length > KEY_ID_MAX) throw new SealError('InvalidArgument', BUCKET_ENCRYPTION_MESSAGES.keyIdLong);
  }
  const bucketKey = text(rule, 'BucketKeyEnabled');
  if (bucketKey !== undefined && bucketKey !== 'true' && bucketKey !== 'false') throw new SealError('MalformedXML', 'BucketKeyEnabled must be true or false');
  return { algorithm, ...(keyId !== undefined ? { kmsKeyId: keyId } : {}), bucketKeyEnabled: bucketKey === 'true', blockedEncryptionTypes: blockedTypes(rule) };
}

/** GetBucketEncryption's answer document: the one rule, in the schema's element order */
export function bucketEncryptionXml(c: BucketEncryption): Buffer {
  const byDefault: XmlNode[] = [['SSEAlgorithm', c.algorithm], ...(c.kmsKeyId !== undefined ? [['KMSMasterKeyID', c.kmsKeyId] as const] : [])];
  const rule: XmlNode[] = [
    ['ApplyServerSideEncryptionByDefault', byDefault],
    ['BucketKeyEnabled', c.bucketKeyEnabled],
    ...(c.blockedEncryptionTypes.length > 0 ? [['BlockedEncryptionTypes', c.blockedEncryptionTypes.map((t): XmlNode => ['EncryptionType', t])] as const] : []),
  ];
  return s3XmlDocument('ServerSideEncryptionConfiguration', [['Rule', rule]]);
}
