import { SealError } from '../../../errors.js';
import { refuseUnsupportedWriteHeaders } from '../object-headers.js';
import { PART_NUMBER_MAX } from '../parse-part-number.js';
import { parseSseRequest } from '../parse-sse-request.js';
import { wipeSseRequest } from '../requested-encryption-of.js';
import { readSmallBody } from '../request-body.js';
import type { S3Operation } from '../s3-operation.js';
import { parseS3Xml, s3Xml, xmlHeaders } from '../s3-xml.js';
import { sseEchoHeaders } from '../sse-echo-headers.js';
import { objectOf } from './object-of.js';

/** 10 000 parts of ~150 bytes of XML each, with room: a longer document is refused unread */
const DOCUMENT_LIMIT = 4 * 1024 * 1024;

/**
 * The part list of a CompleteMultipartUpload document:
 * `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"…"</ETag></Part>…`. At least one
 * part, numbers 1..10 000 in ascending order (InvalidPartOrder 400, as S3), each with an ETag;
 * anything else is MalformedXML 400. Part checksums in the document are not checked here (s7-checksums).
 */
export function parseCompleteParts(doc: Buffer): { partNumber: number; etag: string }[] {
  const root = parseS3Xml(doc)['CompleteMultipartUpload'];
  if (typeof root !== 'object' || root === null) throw new SealError('MalformedXML', 'no CompleteMultipartUpload element');
  const raw = (root as Record<string, unknown>)['Part'];
  const list: unknown[] = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new SealError('MalformedXML', 'CompleteMultipartUpload lists no part');
  const parts = list.map((p) => {
    if (typeof p !== 'object' || p === null) throw new SealError('MalformedXML', 'a Part is not an element');
    const { PartNumber: n, ETag: etag } = p as Record<string, unknown>;
    if (typeof n !== 'string' || !/^\d{1,5}$/.test(n) || Number(n) < 1 || Number(n) > PART_NUMBER_MAX) throw new SealError('MalformedXML', 'a PartNumber is not 1..10000');
    if (typeof etag !== 'string' || etag === '') throw new SealError('MalformedXML', 'a Part has no ETag');
    return { partNumber: Number(n), etag };
  });
  for (let i = 1; i < parts.length; i++) if (parts[i]!.partNumber <= parts[i - 1]!.partNumber) throw new SealError('InvalidPartOrder', 'parts not in ascending order');
  return parts;
}

/**
 * CompleteMultipartUpload (POST ?uploadId): the part list is committed into an authenticated layout
 * (the facade). An SSE-C upload needs its key here too — the DEK commits the layout; S3 does not
 * ask for it at Complete (a documented deviation). Answers S3's CompleteMultipartUploadResult with
 * the backend's ETag and the echo S3 sends there (no context, no SSE-C headers).
 */
export const completeMultipartUpload: S3Operation = async (ctx, req) => {
  const o = objectOf(req);
  const uploadId = req.query['uploadId'];
  if (uploadId === undefined || uploadId === '') throw new SealError('InvalidRequest', 'CompleteMultipartUpload needs uploadId');
  refuseUnsupportedWriteHeaders(req.headers, 'complete');
  const sse = parseSseRequest(req, 'part');
  try {
    const parts = parseCompleteParts(await readSmallBody(req, DOCUMENT_LIMIT));
    const done = await ctx.facade.completeMultipartUpload({ ...o, uploadId, parts, ...(sse.mode === 'SSE-C' ? { customerKey: sse.key } : {}) });
    const location = `/${encodeURIComponent(o.bucket)}/${o.key.split('/').map(encodeURIComponent).join('/')}`;
    const body = s3Xml('CompleteMultipartUploadResult', { Location: location, Bucket: o.bucket, Key: o.key, ETag: done.etag });
    return {
      status: 200,
      headers: { ...xmlHeaders(body), ...(done.versionId !== undefined ? { 'x-amz-version-id': done.versionId } : {}), ...sseEchoHeaders(done.sse, 'complete') },
      body,
    };
  } finally {
    wipeSseRequest(sse);
  }
};
