import type { ContentHeaders, CopyResult } from '../../backends/object-store.js';
import type { ObjectId } from '../../crypto/object-id.js';
import { SealError } from '../../errors.js';
import type { KeyResolver } from '../key-resolver.js';
import type { ObjectHead } from '../sealed-objects.js';
import type { CopyObjectRequest, CopyObjectResult, CopySourceCondition, CopySourceRequest } from './copy-object-types.js';
import type { FacadeContext, UserMetadata } from './facade-types.js';
import { CapturingResolver } from './capturing-resolver.js';
import { conditionsOf } from './conditions-of.js';
import { pickContentHeaders } from './pick-content-headers.js';
import { sseResultOf } from './sse-result.js';

// Amazon S3's text (InvalidRequest 400) for a copy onto itself that changes nothing
export const COPY_TO_SELF_MESSAGE =
  "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.";

/** the source as read, after the door's CopySourceIf* conditions passed on exactly that version */
export async function readCopySource(ctx: FacadeContext, s: CopySourceRequest, condition: CopySourceCondition | undefined): Promise<ObjectHead> {
  if (s.versionId !== undefined) throw new SealError('NotImplemented', 'copying a specific version of an object (x-amz-copy-source ?versionId=) is not supported');
  const head = await ctx.objects.head({ bucket: s.bucket, key: s.key });
  condition?.({ etag: head.etag, ...(head.lastModified !== undefined ? { lastModified: head.lastModified } : {}) });
  return head;
}

/**
 * CopyObject (issue 7 item 4). The policy first (GetObject on the source, PutObject on the
 * destination); the source is read (HEAD) and the door's CopySourceIf* checked against it; then:
 * - a sealed source is **re-wrapped**, never re-encrypted (SealedObjects.rewrap): its DEK is
 *   recovered through the MaterialsManager's read path (allowed-read-keys, SSE-C check value) and
 *   wrapped for the destination through forWrite(plan); the backend gets one CopyObject (UploadPartCopy
 *   over its copy limit) with the new envelope, conditional on the source's ETag. So any source mode
 *   goes to any destination mode or key, to another key or bucket, and SSE-C keys rotate by
 *   copy-to-self;
 * - a plaintext source (served only inside a passthrough prefix; elsewhere SealedObjects refuses it)
 *   has no DEK to keep: its body is read and sealed for the destination, the read pinned to the ETag
 *   the conditions were checked on. In place it is refused (NotImplemented): a PUT cannot be made
 *   conditional on the version read, so a concurrent write could be overwritten.
 * A copy onto itself that changes neither metadata (REPLACE) nor encryption (SSE headers) is
 * InvalidRequest, as on S3.
 *
 * Key use (DESIGN.md permission matrix): a copy is decrypt(source) + encrypt(destination); as
 * `UpdateObjectEncryption` (a metadata-only re-wrap in place) it is rewrap(source) + encrypt(target),
 * the policy adding decrypt(source) when the target is more widely readable.
 */
export async function copyObject(ctx: FacadeContext, req: CopyObjectRequest, operation: 'CopyObject' | 'UpdateObjectEncryption' = 'CopyObject'): Promise<CopyObjectResult> {
  const src = { bucket: req.source.bucket, key: req.source.key };
  const dst = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'GetObject', src, conditionsOf(undefined, req.source.customerKey));
  await ctx.policy.authorize(req.principal, 'PutObject', dst, conditionsOf(req.encryption));
  if (src.bucket === dst.bucket && src.key === dst.key && req.metadataDirective === 'COPY' && !req.encryptionRequested) {
    throw new SealError('InvalidRequest', COPY_TO_SELF_MESSAGE);
  }
  const head = await readCopySource(ctx, req.source, req.sourceCondition);
  const { meta, headers } = targetMetadata(req, head);
  const plan = await ctx.planner.planWrite({ principal: req.principal, object: dst, requested: req.encryption, operation });
  const writeKeys = await ctx.materials.forWrite(plan, req.principal);
  try {
    const dstKey = plan.mode === 'SSE-C' ? plan.customerKey : undefined;
    if (head.envelope !== undefined) {
      const readKeys = ctx.materials.reader(req.principal, req.source.customerKey, operation === 'UpdateObjectEncryption' ? { rewrapTo: plan, operation } : { operation });
      const { copied, wrap } = await ctx.objects.rewrap(src, head, dst, readKeys, writeKeys, meta, headers);
      return result(copied, head, sseResultOf(wrap, dstKey));
    }
    if (req.source.customerKey !== undefined) throw new SealError('InvalidRequest', 'The encryption parameters are not applicable to this object.');
    // sealing a plaintext object in place rewrites its body with a PUT, which (unlike a copy) cannot be
    // made conditional on the version read here: a concurrent write would be overwritten silently
    if (src.bucket === dst.bucket && src.key === dst.key) throw new SealError('NotImplemented', 'sealing a plaintext object in place is not supported: copy it to another key');
    return await sealPlaintextSource(ctx, req.principal, src, head, dst, writeKeys, meta, headers, dstKey);
  } finally {
    writeKeys.dispose?.();
  }
}

/** COPY: the source's user metadata and content headers; REPLACE: the request's (S3 drops the rest) */
function targetMetadata(req: CopyObjectRequest, head: ObjectHead): { meta: UserMetadata; headers: ContentHeaders } {
  if (req.metadataDirective === 'REPLACE') return { meta: req.userMetadata ?? {}, headers: pickContentHeaders(req) };
  return { meta: head.userMetadata, headers: pickContentHeaders(head.headers) };
}

function result(copied: CopyResult, head: ObjectHead, sse: CopyObjectResult['sse']): CopyObjectResult {
  return {
    etag: copied.etag,
    ...(copied.lastModified !== undefined ? { lastModified: copied.lastModified } : {}),
    ...(copied.versionId !== undefined ? { versionId: copied.versionId } : {}),
    ...(head.versionId !== undefined ? { copySourceVersionId: head.versionId } : {}),
    sse,
  };
}

/**
 * A passthrough (plaintext) source to a sealed destination: the one copy that must rewrite the
 * body. The whole read is one GET; if the source is no longer the version the conditions were
 * checked on, nothing is written (PreconditionFailed).
 */
async function sealPlaintextSource(ctx: FacadeContext, principal: string, src: ObjectId, head: ObjectHead, dst: ObjectId, writeKeys: KeyResolver, meta: UserMetadata, headers: ContentHeaders, dstKey: Buffer | undefined): Promise<CopyObjectResult> {
  // a plaintext object needs no key; a reader that finds an envelope after all (a racing PUT) still checks it
  const got = await ctx.objects.get(src, ctx.materials.reader(principal, undefined, { operation: 'CopyObject' }));
  try {
    if (got.etag !== head.etag || got.envelope !== undefined) throw new SealError('PreconditionFailed', 'the copy source changed while it was copied');
    const keys = new CapturingResolver(writeKeys);
    const put = await ctx.objects.put(dst, got.stream, got.plaintextLength, meta, keys, headers);
    if (keys.wrap === undefined) throw new SealError('InvalidArgument', 'the write produced no key wrap');
    return result({ etag: put.etag, ...(put.versionId !== undefined ? { versionId: put.versionId } : {}) }, head, sseResultOf(keys.wrap, dstKey));
  } finally {
    // consumed by a successful put; anything else must not leave the backend response open
    got.stream.destroy();
  }
}
