import { contentRange, resolveRange } from '../resolve-range.js';
import { isSealError } from '../../../errors.js';
import { checksumModeRequested } from '../checksum-echo-headers.js';
import { ErrorWithHeaders } from '../error-with-headers.js';
import type { S3Operation } from '../s3-operation.js';
import { conditionalAnswer, readRequest, readResponseHeaders } from './read-request.js';

/**
 * HeadObject: the plaintext length and the object's headers, no key use (an SSE-C object needs its
 * key, checked against the envelope: wrong → 403). Conditions as on GET (304 / 412); a Range
 * answers 206 with the Content-Range and length the GET would have.
 */
export const headObject: S3Operation = async (ctx, req) => {
  const r = readRequest(req);
  try {
    const head = await ctx.facade.headObject({ ...r.object, ...(r.customerKey !== undefined ? { customerKey: r.customerKey } : {}), checksumMode: checksumModeRequested(req.headers), ...(r.partNumber !== undefined ? { partNumber: r.partNumber } : {}) });
    const answer = conditionalAnswer(r.conditionals, head);
    if (answer) return answer;
    const headers = readResponseHeaders(head, req);
    if (head.contentRange !== undefined) {
      // a partNumber HEAD: S3 answers 206 with the part's place in the object, as the GET would
      const { start, end, total } = head.contentRange;
      headers['content-range'] = `bytes ${start}-${end}/${total}`;
      return { status: 206, headers };
    }
    if (r.range === undefined) return { status: 200, headers };
    let range;
    try {
      range = resolveRange(r.range, head.contentLength);
    } catch (err) {
      if (isSealError(err, 'InvalidRange')) throw new ErrorWithHeaders(err, { 'content-range': `bytes */${head.contentLength}` });
      throw err;
    }
    headers['content-range'] = contentRange(range, head.contentLength);
    headers['content-length'] = String(range.end - range.start + 1);
    return { status: 206, headers };
  } finally {
    r.done();
  }
};
