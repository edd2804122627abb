import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { HttpHandler } from '@smithy/core/protocols';
import type { HttpResponse } from '@smithy/core/transport';
import type { HttpSigner } from '@smithy/types';
import type { Container } from 'inversify';
import type { S3SealConfigInput } from '../../container/config.js';
import { SealError } from '../../errors.js';
import { getS3SealPlugin, type S3SealPlugin } from './s3seal-plugin.js';
import type { S3SealPluginOptions } from './sdk-door-options.js';

/** `createSealedS3Client`'s options: any S3ClientConfig, plus the door's */
export interface SealedS3ClientConfig extends S3ClientConfig {
  /** the principal and transport the door hands the core (S3SealPluginOptions) */
  s3seal?: S3SealPluginOptions;
}

/**
 * The sealed client never sends a byte itself (the door answers every request in-process), so
 * its HTTP handler is one that refuses: if the door were ever removed from the stack, requests
 * fail instead of going to whatever endpoint the client names.
 */
const noNetwork: HttpHandler = {
  handle: () => Promise.reject<{ response: HttpResponse }>(new SealError('InvalidRequest', 'a sealed S3 client reached its HTTP handler: the s3seal door is not on its middleware stack')),
  updateHttpClientConfig: () => undefined,
  httpHandlerConfigs: () => ({}),
};

/**
 * The sealed client's request signing: none. Its requests never leave the process — the door hands
 * the finished HttpRequest to the S3 core, which verifies no SigV4 signature (the in-process door is
 * trusted, DESIGN.md "Doors") and no payload SHA-256 (`payloadHashTrusted`, to-s3-request.ts). Signing
 * would only cost time: an HMAC chain per request and, for every buffered body, a SHA-256 pass over
 * the whole plaintext (about 0.27 s per 256 MiB here). The schemes keep the SDK's ids and identity
 * providers, so auth-scheme selection and credential resolution behave as in any S3Client; only
 * `sign` returns the request unchanged. The SDK's flexible checksums still run: the core verifies
 * them and seals them with the object, and x-amz-checksum-mode works as before. A user who puts
 * `getS3SealPlugin` on their own client keeps their own signer.
 */
const unsigned: HttpSigner = { sign: (request) => Promise.resolve(request) };
const IN_PROCESS_AUTH_SCHEMES: NonNullable<S3ClientConfig['httpAuthSchemes']> = [
  { schemeId: 'aws.auth#sigv4', identityProvider: (ipc) => ipc.getIdentityProvider('aws.auth#sigv4'), signer: unsigned },
  { schemeId: 'aws.auth#sigv4a', identityProvider: (ipc) => ipc.getIdentityProvider('aws.auth#sigv4a'), signer: unsigned },
];

/** An S3Client whose every request is served by s3seal's S3 core; `destroy()` also closes the container it created. */
export class SealedS3Client extends S3Client {
  readonly #plugin: S3SealPlugin;

  constructor(plugin: S3SealPlugin, clientConfig: S3ClientConfig) {
    super(clientConfig);
    this.#plugin = plugin;
    this.middlewareStack.use(plugin);
  }

  /** the container whose core serves this client */
  get container(): Container {
    return this.#plugin.container;
  }

  /** destroys the client and, when it created the container, closes that too; resolves when closed */
  close(): Promise<void> {
    super.destroy();
    return this.#plugin.close();
  }

  /** S3Client's synchronous destroy: the container (if the client created it) is closed in the background; await `close()` to know when */
  override destroy(): void {
    // a failure to close (already reported by the pieces' own handlers) must not become an unhandled rejection
    this.close().catch(() => undefined);
  }
}

/**
 * An S3Client with the s3seal door applied (DESIGN.md "Doors"), for a service that does not
 * have a client yet: `createSealedS3Client(config)`. `config` is an s3seal configuration (the
 * client creates, and on destroy closes, its container) or a container. The client never talks to
 * the network itself, so region, endpoint and credentials are placeholders unless given
 * (credentials only sign a request that is handed over in-process and never verified; the
 * endpoint's host only addresses buckets, path-style unless `forcePathStyle: false`).
 */
export function createSealedS3Client(config: S3SealConfigInput | Container, clientConfig: SealedS3ClientConfig = {}): SealedS3Client {
  const { s3seal, ...sdk } = clientConfig;
  const plugin = getS3SealPlugin(config, s3seal);
  return new SealedS3Client(plugin, {
    region: 'us-east-1',
    endpoint: 'https://s3seal.invalid',
    forcePathStyle: true,
    credentials: { accessKeyId: 's3seal-in-process', secretAccessKey: 's3seal-in-process' },
    requestHandler: noNetwork,
    httpAuthSchemes: IN_PROCESS_AUTH_SCHEMES,
    ...sdk,
  });
}
