import { SealError } from '../../errors.js';

/** The bucket and key a gateway request addresses. */
export interface GatewayTarget {
  bucket?: string;
  key?: string;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch (cause) {
    throw new SealError('InvalidRequest', 'The request path is not valid percent-encoding.', { cause });
  }
}

/** the host name without its port, lower case (`[::1]:9000` → `[::1]`) */
export function hostName(host: string | undefined): string {
  if (host === undefined) return '';
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/**
 * Bucket and key from the Host header and the (encoded) path, in both of S3's addressing styles:
 * virtual-hosted `bucket.BASE/key` for a configured base domain, path-style `host/bucket/key` for
 * every other host (an IP address, localhost, the base domain itself). The key is the rest of the
 * path decoded once (so `%2F` is a `/` inside the key); an empty key is a bucket-level request.
 */
export function gatewayTarget(host: string | undefined, path: string, baseDomains: readonly string[]): GatewayTarget {
  const name = hostName(host);
  const rel = path.startsWith('/') ? path.slice(1) : path;
  for (const base of baseDomains) {
    if (name.endsWith(`.${base}`) && name.length > base.length + 1) {
      const bucket = name.slice(0, name.length - base.length - 1);
      const key = decode(rel);
      return key === '' ? { bucket } : { bucket, key };
    }
  }
  if (rel === '') return {};
  const slash = rel.indexOf('/');
  if (slash < 0) return { bucket: decode(rel) };
  const bucket = decode(rel.slice(0, slash));
  const key = decode(rel.slice(slash + 1));
  return key === '' ? { bucket } : { bucket, key };
}
