import { createHmac } from 'node:crypto';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

export function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * SigV4's signing key: HMAC chain of "AWS4" + secret over date, region, service and
 * "aws4_request". The intermediate keys are zeroed as soon as the next one exists.
 */
export function signingKey(secret: Buffer, date: string, region: string, service: string): Buffer {
  const seed = Buffer.concat([Buffer.from('AWS4', 'latin1'), secret]);
  const kDate = hmac(seed, date);
  seed.fill(0);
  const kRegion = hmac(kDate, region);
  kDate.fill(0);
  const kService = hmac(kRegion, service);
  kRegion.fill(0);
  const kSigning = hmac(kService, 'aws4_request');
  kService.fill(0);
  return kSigning;
}
