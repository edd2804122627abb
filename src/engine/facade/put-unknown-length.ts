import type { Readable } from 'node:stream';
import type { ObjectId } from '../../crypto/object-id.js';
import { SealError } from '../../errors.js';
import { CapturingResolver } from './capturing-resolver.js';
import type { FacadeContext, PutObjectRequest, PutObjectResult } from './facade-types.js';
import { pickContentHeaders } from './pick-content-headers.js';
import { putResultOf } from './put-result.js';
import { sseResultOf } from './sse-result.js';
import { verifiedChecksums } from '../body-checksums.js';

/** S3's smallest part (all but the last) */
export const MIN_UNKNOWN_LENGTH_PART = 5 * 1024 * 1024;

/**
 * The body in parts of exactly `size` bytes, the last one shorter (possibly empty). One part is
 * buffered at a time: the consumer is done with a part before it asks for the next.
 */
async function* fixedParts(body: Readable, size: number): AsyncGenerator<Buffer, void, undefined> {
  let buf = Buffer.allocUnsafe(size);
  let n = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    let off = 0;
    while (off < chunk.length) {
      const take = Math.min(size - n, chunk.length - off);
      chunk.copy(buf, n, off, off + take);
      n += take;
      off += take;
      if (n === size) {
        yield buf;
        buf = Buffer.allocUnsafe(size);
        n = 0;
      }
    }
  }
  yield buf.subarray(0, n);
}

/**
 * PutObject of a body whose length is not known (issue 7 item 1: "bodies of unknown length go up as
 * multipart with bounded buffers"): a body that ends within one part is one single-part PUT;
 * a longer one becomes a multipart upload of `partSize`-byte parts, uploaded one at a time (memory:
 * one part), completed, and aborted if anything fails. The write resolver the plan picked also
 * recovers the upload's DEK for its parts: the upload is this call's own, under the key it chose.
 */
export async function putUnknownLength(ctx: FacadeContext, req: PutObjectRequest, o: ObjectId, keys: CapturingResolver, partSize: number): Promise<PutObjectResult> {
  if (Buffer.isBuffer(req.body)) throw new SealError('InvalidArgument', 'a buffer body has a known length: pass contentLength');
  const customerKey = req.encryption.mode === 'SSE-C' ? req.encryption.customerKey : undefined;
  const meta = req.userMetadata ?? {};
  const headers = pickContentHeaders(req);
  const parts = fixedParts(req.body, partSize);
  try {
    const first = (await parts.next()).value as Buffer;
    let lookahead = first.length < partSize ? undefined : await parts.next();
    if (lookahead === undefined || lookahead.done === true || lookahead.value.length === 0) {
      const put = await ctx.objects.put(o, first, first.length, meta, keys, headers, req.checksums);
      return putResultOf(put, sseResultOf(keys.wrap!, customerKey));
    }
    const token = await ctx.objects.createMultipart(o, meta, keys, headers);
    try {
      const done: { partNumber: number; etag: string }[] = [];
      let current = first;
      for (;;) {
        const partNumber = done.length + 1;
        done.push({ partNumber, etag: await ctx.objects.uploadPart(o, token, partNumber, current, current.length, keys) });
        if (lookahead.done === true || lookahead.value.length === 0) break;
        current = lookahead.value;
        lookahead = await parts.next();
      }
      // the body has ended: its checksums are verified before the upload is completed (a mismatch
      // aborts it), and sealed as the whole object's — to the caller this was one PutObject
      const verified = req.checksums ? await verifiedChecksums(req.checksums) : undefined;
      const put = await ctx.objects.completeMultipart(o, token, done, keys, verified);
      return putResultOf(put, sseResultOf(keys.wrap!, customerKey));
    } catch (err) {
      // best effort: the error that matters is the one thrown; a leftover upload holds only ciphertext
      await ctx.objects.abortMultipart(o, token).catch(() => undefined);
      throw err;
    }
  } finally {
    // a failed upload stops reading the body
    await parts.return(undefined);
    if (req.body.readableEnded !== true) req.body.destroy();
  }
}
