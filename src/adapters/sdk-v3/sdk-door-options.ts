/** How the SDK door hands requests to the S3 core. */
export interface S3SealPluginOptions {
  /**
   * The principal the core acts for (DESIGN.md "Doors": the process, or one the caller names per
   * client). Default `process`.
   */
  principal?: string;
  /**
   * Whether the caller's hop counts as TLS (SSE-C keys are refused where it does not). Default
   * true: this door never puts the request on a network — the SDK hands the signed request to the
   * core inside this process, and only ciphertext leaves it, over the backend client's own
   * connection — so an SSE-C key cannot be read off a wire whatever protocol the client's
   * (placeholder) endpoint names. Set false to refuse SSE-C unless the client's endpoint is https.
   */
  secureTransport?: boolean;
}

/** the defaults applied */
export interface ResolvedPluginOptions {
  principal: string;
  secureTransport: boolean;
}

export const DEFAULT_PRINCIPAL = 'process';

export function resolvePluginOptions(o: S3SealPluginOptions = {}): ResolvedPluginOptions {
  const principal = o.principal ?? DEFAULT_PRINCIPAL;
  if (typeof principal !== 'string' || principal === '') throw new TypeError('S3SealPluginOptions.principal must be a non-empty string');
  return { principal, secureTransport: o.secureTransport ?? true };
}
