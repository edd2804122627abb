import { SealError } from '../../../errors.js';
import { refuseVersionId } from '../object-headers.js';
import { readXmlBody } from '../read-xml-body.js';
import type { S3Operation } from '../s3-operation.js';
import { parseS3Xml } from '../s3-xml.js';
import { objectOf } from './object-of.js';

/** the document is a few hundred bytes; a KMS key ARN is at most 2048 characters */
const DOCUMENT_LIMIT = 16 * 1024;

/**
 * The target of an UpdateObjectEncryption document, S3's only one:
 * `<ObjectEncryption><SSE-KMS><KMSKeyArn>…</KMSKeyArn><BucketKeyEnabled>true</BucketKeyEnabled></SSE-KMS></ObjectEncryption>`.
 * A KMSKeyArn is required (S3: NonEmptyKmsKeyArnString); BucketKeyEnabled is true or false when present.
 */
export function parseObjectEncryption(doc: Buffer): { keyRef: string; bucketKey?: boolean } {
  const root = parseS3Xml(doc)['ObjectEncryption'];
  if (typeof root !== 'object' || root === null) throw new SealError('MalformedXML', 'no ObjectEncryption element');
  const kms = (root as Record<string, unknown>)['SSE-KMS'];
  if (typeof kms !== 'object' || kms === null || Array.isArray(kms)) throw new SealError('MalformedXML', 'ObjectEncryption needs one SSE-KMS element');
  const { KMSKeyArn: keyRef, BucketKeyEnabled: bucketKey } = kms as Record<string, unknown>;
  if (typeof keyRef !== 'string' || keyRef.trim() === '') throw new SealError('InvalidArgument', 'SSE-KMS needs a KMSKeyArn');
  if (keyRef.length > 2048) throw new SealError('InvalidArgument', 'KMSKeyArn is longer than 2048 characters');
  if (bucketKey === undefined) return { keyRef };
  if (bucketKey !== 'true' && bucketKey !== 'false') throw new SealError('MalformedXML', 'BucketKeyEnabled must be true or false');
  return { keyRef, bucketKey: bucketKey === 'true' };
}

/**
 * UpdateObjectEncryption (PUT /bucket/key?encryption): the object's encryption becomes SSE-KMS under
 * the key the document names, by a metadata-only re-wrap (the facade). The document's Content-MD5 /
 * x-amz-checksum-* is verified before it is parsed. versionId is not supported yet (NotImplemented).
 * S3 answers 200 with no body.
 */
export const updateObjectEncryption: S3Operation = async (ctx, req) => {
  const o = objectOf(req);
  refuseVersionId(req);
  const target = parseObjectEncryption(await readXmlBody(req, { limit: DOCUMENT_LIMIT }));
  const r = await ctx.facade.updateObjectEncryption({ ...o, encryption: { mode: 'SSE-KMS', keyRef: target.keyRef, ...(target.bucketKey !== undefined ? { bucketKey: target.bucketKey } : {}) } });
  return { status: 200, headers: { 'content-length': '0', ...(r.versionId !== undefined ? { 'x-amz-version-id': r.versionId } : {}) } };
};
