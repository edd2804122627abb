import { Readable } from 'node:stream';
import type { Container } from 'inversify';
import { Client, CopyDestinationOptions, CopySourceOptions, type ClientOptions, type CopyConditions, type ItemBucketMetadata, type PostPolicy } from 'minio';
import type { S3SealConfigInput } from '../../container/config.js';
import { closeContainer } from '../../container/close-container.js';
import { createContainer } from '../../container/create-container.js';
import { getService, TOKENS } from '../../container/tokens.js';
import { BUFFERED_SEND_PLAINTEXT } from '../../engine/sealed-objects.js';
import { SealError } from '../../errors.js';
import type { S3Core } from '../s3/s3-core.js';
import { inProcessTransport } from './in-process-transport.js';
import { objectHeaders, putInParts } from './put-in-parts.js';
import { copyEncryptionHeaders } from './sse-c-options.js';
import type { Writable } from 'node:stream';
import { redactingTraceStream } from './redacting-trace-stream.js';

/** How the minio door hands requests to the S3 core. */
export interface S3SealMinioOptions {
  /** the principal the core acts for (DESIGN.md "Doors": the process, or one the caller names per client); default `process` */
  principal?: string;
  /**
   * Whether the caller's hop counts as TLS (SSE-C keys are refused where it does not). Default
   * true: this door never puts a request on a network — minio-js hands it to the core inside this
   * process, and only ciphertext leaves, over the backend client's own connection — so an SSE-C key
   * cannot be read off a wire whatever `useSSL` says. Set false to refuse SSE-C unless `useSSL` is true.
   */
  secureTransport?: boolean;
}

/**
 * `createSealedMinioClient`'s options: minio's ClientOptions (all optional: the client reaches no
 * network, so endpoint, port and credentials are placeholders), plus the door's. `transport` and
 * `transportAgent` are the door's own; requests are always path-style (addressing is moot in-process).
 */
export interface SealedMinioClientOptions extends Partial<Omit<ClientOptions, 'transport' | 'transportAgent' | 'pathStyle'>> {
  s3seal?: S3SealMinioOptions;
}

function isContainer(x: unknown): x is Container {
  return typeof x === 'object' && x !== null && typeof (x as Container).get === 'function' && typeof (x as Container).isBound === 'function';
}

type CopyArgs = [CopySourceOptions, CopyDestinationOptions] | [string, string, string, CopyConditions?];

/**
 * A minio.Client whose every request is served by s3seal's S3 core (DESIGN.md "Doors"): every
 * minio-js method keeps its shape. Where minio-js itself would send the wrong headers for SSE as
 * its users write it (a copy's SSE-C `Encryption`), the client sends S3's; presigning is refused
 * (a presigned URL goes straight to an object server, past the encryption).
 */
export class SealedMinioClient extends Client {
  readonly #container: Container;
  readonly #owned: boolean;
  #closing: Promise<void> | undefined;

  constructor(container: Container, owned: boolean, options: ClientOptions) {
    super(options);
    this.#container = container;
    this.#owned = owned;
  }

  /** minio-js's request tracing, with SSE-C keys redacted from what it writes (redacting-trace-stream.ts) */
  override traceOn(stream: Writable = process.stdout): void {
    super.traceOn(redactingTraceStream(stream));
  }

  /** the container whose core serves this client */
  get container(): Container {
    return this.#container;
  }

  /** closes the container if the client created it from a configuration; a container passed in stays its owner's to close */
  close(): Promise<void> {
    return (this.#closing ??= this.#owned ? closeContainer(this.#container) : Promise.resolve());
  }

  override copyObject(...args: CopyArgs): ReturnType<Client['copyObject']>;
  override copyObject(...args: unknown[]): ReturnType<Client['copyObject']> {
    let call = args;
    try {
      call = withCopyEncryption(args);
    } catch (err) {
      // refused as minio-js refuses bad options: by the promise the call returns
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return (super.copyObject as (...a: unknown[]) => ReturnType<Client['copyObject']>)(...call);
  }

  /**
   * The part size of putObject / fPutObject multipart uploads, unless the caller chose one
   * (`partSize`): 16 MiB (the engine's BUFFERED_SEND_PLAINTEXT) instead of minio-js's 64 MiB, so each
   * part is a body the engine seals whole on its worker thread while this thread serves minio-js and
   * the backend; a 64 MiB part would be sealed as a stream on this thread. Larger objects get larger
   * parts in minio-js's 16 MiB steps, so S3's 10,000 parts still hold them (up to minio-js's 5 TiB).
   */
  override calculatePartSize(size: number): number {
    if ((this as unknown as { overRidePartSize?: boolean }).overRidePartSize === true || !Number.isFinite(size) || size > this.maxObjectSize) return super.calculatePartSize(size);
    let partSize = BUFFERED_SEND_PLAINTEXT;
    while (partSize * 10_000 <= size) partSize += 16 * 1024 * 1024;
    return partSize;
  }

  /**
   * putObject as minio-js has it — a body up to one part in one PUT, a larger one (or one of
   * unknown size) as a multipart upload — with the multipart path done by putInParts: parts of
   * exactly the part size, the SSE-C key on every part (minio-js's own path can do neither).
   */
  override putObject(bucketName: string, objectName: string, stream: Readable | Buffer | string, size?: number, metaData?: ItemBucketMetadata): ReturnType<Client['putObject']> {
    // (minio-js itself takes metadata in the size position: its typing does not say so)
    const sized = typeof size === 'number' ? size : undefined;
    const meta = typeof size === 'object' ? (size as ItemBucketMetadata) : metaData;
    const body = typeof stream === 'string' ? Buffer.from(stream) : stream;
    const length = Buffer.isBuffer(body) ? body.length : sized;
    const partSize = this.calculatePartSize(length ?? this.maxObjectSize);
    if ((length !== undefined && length <= partSize) || !(Buffer.isBuffer(body) || body instanceof Readable)) return super.putObject(bucketName, objectName, stream, sized, meta);
    return putInParts(this, bucketName, objectName, objectHeaders(meta), body, partSize);
  }

  /**
   * No resuming: minio-js's putObject of a stream first looks for "the latest incomplete upload of
   * this key" (ListMultipartUploads) to continue it, matching plaintext MD5s against part ETags.
   * Through s3seal an upload is continued only with the UploadId its creator got (the upload token
   * that carries the upload's key, DESIGN.md "Multipart"), part ETags are ciphertext ETags, and
   * continuing another writer's upload would put this caller's bytes under that writer's
   * encryption: every upload is a new one.
   */
  override findUploadId(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  /** refused: a presigned URL is used later, straight against an object server, past the in-process encryption */
  override presignedUrl(): Promise<string> {
    return Promise.reject(presignRefused());
  }

  /** refused, as presignedUrl */
  override presignedPostPolicy(_policy: PostPolicy): ReturnType<Client['presignedPostPolicy']> {
    return Promise.reject(presignRefused());
  }
}

/** copyObject(source, dest) with the options' Encryption as headers (copyEncryptionHeaders); other calls as they are */
function withCopyEncryption(args: unknown[]): unknown[] {
  const [source, dest, ...rest] = args;
  if (!(source instanceof CopySourceOptions) || !(dest instanceof CopyDestinationOptions)) return args;
  // (fields minio-js types as private; they are the constructor's options, public at run time)
  const src = source as unknown as { Encryption?: unknown };
  const dst = dest as unknown as { Encryption?: unknown; Headers?: Record<string, string> };
  const fromSource = copyEncryptionHeaders(src.Encryption, 'source');
  const toDest = copyEncryptionHeaders(dst.Encryption, 'destination');
  if (!fromSource && !toDest) return args;
  const fixed = new CopyDestinationOptions({ ...dest, ...(toDest ? { Encryption: undefined } : {}), Headers: { ...dst.Headers, ...fromSource, ...toDest } });
  return [source, fixed, ...rest];
}

function presignRefused(): SealError {
  return new SealError(
    'NotImplemented',
    'A sealed minio client cannot presign: a presigned URL is sent straight to the object server, past the in-process encryption. Presign against the s3seal gateway (`s3seal serve`) instead.',
  );
}

/**
 * The minio door (DESIGN.md "Doors"): `createSealedMinioClient(config)` returns a real `minio.Client`
 * whose `transport` routes every request into the S3 core of `config` in this process — an s3seal
 * configuration (the client creates its container and closes it on `close()`) or a container built
 * with `createContainer`. The backend is reached by the container's own S3 client; the minio client's
 * endpoint and credentials are placeholders (credentials, if given, sign requests nobody verifies;
 * without them minio-js does not sign at all). With no `region`, minio-js asks the core for a
 * bucket's region (GetBucketLocation, answered from the backend) once per bucket, as against any server.
 */
export function createSealedMinioClient(config: S3SealConfigInput | Container, options: SealedMinioClientOptions = {}): SealedMinioClient {
  const { s3seal = {}, ...minio } = options;
  const principal = s3seal.principal ?? 'process';
  if (typeof principal !== 'string' || principal === '') throw new TypeError('S3SealMinioOptions.principal must be a non-empty string');
  const owned = !isContainer(config);
  const container = isContainer(config) ? config : createContainer(config);
  let core: S3Core | undefined;
  const transport = inProcessTransport(() => (core ??= getService(container, TOKENS.S3Core)), { principal, secureTransport: s3seal.secureTransport ?? true });
  return new SealedMinioClient(container, owned, { endPoint: 's3seal.invalid', useSSL: true, ...minio, pathStyle: true, transport });
}
