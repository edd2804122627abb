import type { RequestedEncryption } from '../materials/write-planner.js';
import { copyObject } from './copy-object.js';
import type { FacadeContext, ObjectRequest, SseResult } from './facade-types.js';

export interface UpdateObjectEncryptionRequest extends ObjectRequest {
  /** S3's UpdateObjectEncryption supports one target type, SSE-KMS: the key and BucketKeyEnabled */
  encryption: Extract<RequestedEncryption, { mode: 'SSE-KMS' }>;
}

export interface UpdateObjectEncryptionResult {
  /** the backend's ETag after the update (a backend copy may change it; AWS keeps it) */
  etag: string;
  versionId?: string;
  sse: SseResult;
}

/**
 * UpdateObjectEncryption (S3, 2025): change an existing encrypted object's encryption to SSE-KMS —
 * another KMS key, bucket keys on or off — without moving its data. Here that is exactly a metadata-
 * only re-wrap onto itself (copyObject with the COPY directive): the DEK is recovered through the read
 * path — as a `rewrap` key use, not a decrypt (DESIGN.md permission matrix) — and wrapped under the new key, the body, user metadata, content headers,
 * sealed checksums and layout are kept, one conditional backend copy replaces the envelope. As for a
 * copy, the policy is asked for GetObject and PutObject on the object. An SSE-C object needs its key
 * to be read, which this operation does not carry: it is refused as a read without the key is
 * (InvalidRequest 400); a plaintext object in place is NotImplemented (copy-object.ts).
 */
export async function updateObjectEncryption(ctx: FacadeContext, req: UpdateObjectEncryptionRequest): Promise<UpdateObjectEncryptionResult> {
  const copied = await copyObject(ctx, {
    principal: req.principal,
    source: { bucket: req.bucket, key: req.key },
    bucket: req.bucket,
    key: req.key,
    encryption: req.encryption,
    encryptionRequested: true,
    metadataDirective: 'COPY',
  }, 'UpdateObjectEncryption');
  return { etag: copied.etag, ...(copied.versionId !== undefined ? { versionId: copied.versionId } : {}), sse: copied.sse };
}
