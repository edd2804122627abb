import { verifyEnvelope } from '../../crypto/envelope.js';
import { wipe } from '../../crypto/kdf.js';
import { SealError } from '../../errors.js';
import type { SealedChecksum } from '../../crypto/sealed-checksums.js';
import { SealedObjects } from '../sealed-objects.js';
import { describeObject } from './describe-object.js';
import type { FacadeContext, HeadObjectRequest, HeadObjectResult } from './facade-types.js';

/**
 * HeadObject: no keystore key is used (DESIGN.md permission matrix). As on S3, an SSE-C object needs
 * its key on HEAD too: the key is checked against the envelope's check value (and the envelope MAC
 * under the DEK it unwraps), so a wrong key is AccessDenied; an SSE-C key on another object, or on
 * a plaintext one, is InvalidRequest. With `checksumMode`, an object that has sealed checksums needs
 * its key too (as AWS asks kms:Decrypt for it): they are opened under the DEK after the MAC verified.
 */
export async function headObject(ctx: FacadeContext, req: HeadObjectRequest): Promise<HeadObjectResult> {
  const o = { bucket: req.bucket, key: req.key };
  await ctx.policy.authorize(req.principal, 'HeadObject', o);
  const head = await ctx.objects.head(o);
  const env = head.envelope;
  if (env === undefined && req.customerKey !== undefined) throw new SealError('InvalidRequest', 'The encryption parameters are not applicable to this object.');
  const wantChecksums = req.checksumMode === true && env?.sealedChecksums !== undefined;
  let checksums: SealedChecksum[] | undefined;
  if (env?.mode === 'SSE-C' || (env !== undefined && (req.customerKey !== undefined || wantChecksums))) {
    // forRead refuses a missing key (SSE-C) or a key on a non-SSE-C object before anything is unwrapped
    const keys = await ctx.materials.forRead({ object: o, envelope: env, principal: req.principal, ...(req.customerKey !== undefined ? { customerKey: req.customerKey } : {}) });
    try {
      const dek = await keys.recover(o, env);
      try {
        verifyEnvelope(env, dek);
        if (wantChecksums) checksums = SealedObjects.openChecksums(dek, env);
      } finally {
        wipe(dek);
      }
    } finally {
      keys.dispose?.();
    }
  }
  return describeObject(checksums ? { ...head, checksums } : head, req.customerKey);
}
