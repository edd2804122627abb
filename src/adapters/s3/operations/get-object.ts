import { isSealError } from '../../../errors.js';
import { checksumModeRequested } from '../checksum-echo-headers.js';
import { ErrorWithHeaders } from '../error-with-headers.js';
import type { S3Operation } from '../s3-operation.js';
import { conditionalAnswer, readRequest, readResponseHeaders } from './read-request.js';

/**
 * GetObject, whole or ranged (206 + Content-Range; an unsatisfiable range is 416 InvalidRange with
 * `Content-Range: bytes *\/length`). The key comes from the envelope (the facade), the SSE-C key
 * from the request. Conditions are evaluated on the ETag and Last-Modified of the object the GET
 * opened, before any plaintext byte is released: a failed condition destroys the body unread.
 */
export const getObject: S3Operation = async (ctx, req) => {
  const r = readRequest(req);
  try {
    const read = { ...r.object, ...(r.customerKey !== undefined ? { customerKey: r.customerKey } : {}), checksumMode: checksumModeRequested(req.headers), ...(r.partNumber !== undefined ? { partNumber: r.partNumber } : {}) };
    let got;
    try {
      got = await ctx.facade.getObject({ ...read, ...(r.range !== undefined ? { range: r.range } : {}) });
    } catch (err) {
      if (!isSealError(err, 'InvalidRange')) throw err;
      // the length for Content-Range: one HEAD, on this error path only; its conditions come first, as on S3
      const head = await ctx.facade.headObject({ ...read, checksumMode: false });
      const answer = conditionalAnswer(r.conditionals, head);
      if (answer) return answer;
      throw new ErrorWithHeaders(err, { 'content-range': `bytes */${head.contentLength}` });
    }
    let answer;
    try {
      answer = conditionalAnswer(r.conditionals, got);
    } catch (err) {
      got.body.destroy();
      throw err;
    }
    if (answer) {
      got.body.destroy();
      return answer;
    }
    const headers = readResponseHeaders(got, req);
    if (got.contentRange === undefined) return { status: 200, headers, body: got.body };
    const { start, end, total } = got.contentRange;
    headers['content-range'] = `bytes ${start}-${end}/${total}`;
    return { status: 206, headers, body: got.body };
  } finally {
    r.done();
  }
};
