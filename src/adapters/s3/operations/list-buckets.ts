import { SealError } from '../../../errors.js';
import type { S3Operation } from '../s3-operation.js';
import { s3Xml, xmlHeaders } from '../s3-xml.js';

const MAX_BUCKETS = 10_000;

/** continuation tokens are the last bucket name of the page, base64url (opaque to the caller, as on S3) */
function decodeToken(token: string): string {
  const name = Buffer.from(token, 'base64url').toString('utf8');
  if (name === '' || Buffer.from(name, 'utf8').toString('base64url') !== token) throw new SealError('InvalidArgument', 'The continuation token provided is incorrect');
  return name;
}

/**
 * ListBuckets: forwarded (names and creation dates expose no object data), answered as S3's
 * ListAllMyBucketsResult; `prefix`, `max-buckets` and `continuation-token` applied here over the
 * backend's full list, sorted by name as S3 lists.
 */
export const listBuckets: S3Operation = async (ctx, req) => {
  const q = req.query;
  let max = MAX_BUCKETS;
  if (q['max-buckets'] !== undefined) {
    if (!/^\d{1,5}$/.test(q['max-buckets']) || Number(q['max-buckets']) < 1 || Number(q['max-buckets']) > MAX_BUCKETS) throw new SealError('InvalidArgument', 'max-buckets must be an integer between 1 and 10000');
    max = Number(q['max-buckets']);
  }
  const after = q['continuation-token'] !== undefined ? decodeToken(q['continuation-token']) : undefined;
  const prefix = q['prefix'] ?? '';
  const all = (await ctx.facade.listBuckets({ principal: req.principal })).filter((b) => b.name.startsWith(prefix) && (after === undefined || b.name > after)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = all.slice(0, max);
  const more = all.length > page.length;
  const body = s3Xml('ListAllMyBucketsResult', {
    Buckets: { Bucket: page.map((b) => ({ Name: b.name, ...(b.creationDate ? { CreationDate: b.creationDate.toISOString() } : {}) })) },
    ...(more ? { ContinuationToken: Buffer.from(page[page.length - 1]!.name, 'utf8').toString('base64url') } : {}),
    ...(q['prefix'] !== undefined ? { Prefix: prefix } : {}),
  });
  return { status: 200, headers: xmlHeaders(body), body };
};
