import type { ContentHeaders } from '../../backends/object-store.js';

const NAMES = ['contentType', 'cacheControl', 'contentDisposition', 'contentLanguage', 'contentEncoding', 'expires'] as const;

/** only the content headers of a request or stored object, and only those that are set */
export function pickContentHeaders(from: ContentHeaders): ContentHeaders {
  const out: ContentHeaders = {};
  for (const n of NAMES) {
    const v = from[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}
