import { verifyEnvelope } from '../../crypto/envelope.js';
import { wipe } from '../../crypto/kdf.js';
import { SealError } from '../../errors.js';
import { describeObject } from './describe-object.js';
import type { FacadeContext, HeadObjectRequest, HeadObjectResult } from './facade-types.js';

/**
 * HeadObject: no keystore key is used (DESIGN.md permission matrix). As on S3, an SSE-C object needs
 * its key on HEAD too: the key is checked against the envelope's check value (and the envelope MAC
 * under the DEK it unwraps), so a wrong key is AccessDenied; an SSE-C key on another object, or on
 * a plaintext one, is InvalidRequest. With `partNumber`, the part is described (length,
 * Content-Range, part count) from the committed layout, or InvalidPartNumber (416).
 */
export async function headObject(ctx: FacadeContext, req: HeadObjectRequest): Promise<HeadObjectResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'HeadObject', o);
  const head = await ctx.objects.head(o, req.partNumber);
  const env = head.envelope;
  if (env === undefined && req.customerKey !== undefined) throw new SealError('InvalidRequest', 'The encryption parameters are not applicable to this object.');
  if (env?.mode === 'SSE-C' || (env !== undefined && req.customerKey !== undefined)) {
    // forRead refuses a missing key (SSE-C) or a key on a non-SSE-C object before anything is unwrapped
    const keys = await ctx.materials.forRead({ object: o, envelope: env, principal: req.principal, ...(req.customerKey !== undefined ? { customerKey: req.customerKey } : {}) });
    try {
      const dek = await keys.recover(o, env);
      try {
        verifyEnvelope(env, dek);
      } finally {
        wipe(dek);
      }
    } finally {
      keys.dispose?.();
    }
  }
  const described = describeObject(head, req.customerKey);
  const partsCount = head.partsCount !== undefined ? { partsCount: head.partsCount } : {};
  if (req.partNumber === undefined) return described;
  // a part: its length, and where it lies in the object (S3 answers 206 with a Content-Range); an empty part has no range
  if (!head.range) return { ...described, ...partsCount, contentLength: 0 };
  return { ...described, ...partsCount, contentLength: head.range.end - head.range.start + 1, contentRange: { ...head.range, total: head.plaintextLength } };
}
