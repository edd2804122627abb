const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard (RFC 4648 §4) base64 with padding, canonical only: Node's decoder silently skips invalid
 * characters and ignores stray padding, so two different header values could decode to the same
 * bytes. Inputs longer than `maxChars` are refused before anything is allocated.
 */
export function decodeBase64Strict(value: string, maxChars: number): Buffer | undefined {
  if (value.length > maxChars || value.length % 4 !== 0 || !BASE64.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  // non-zero padding bits ("QR==" vs "QQ==") are the last non-canonical form the regex admits
  if (bytes.toString('base64') !== value) {
    bytes.fill(0);
    return undefined;
  }
  return bytes;
}
