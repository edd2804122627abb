import { z } from 'zod';
import { parseKeyRef } from '../keystores/key-ref.js';
import { S3SealError } from '../errors.js';

/**
 * s3seal configuration: validated once with zod and resolved into a fully-defaulted object
 * (aws-sdk-js-v3 style), so nothing downstream re-checks or re-defaults. Errors name the field.
 */
const Base64Key = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes, base64');

export const ConfigSchema = z
  .object({
    backend: z
      .object({
        endpoint: z.string().url(),
        region: z.string().default('us-east-1'),
        accessKeyId: z.string().min(1),
        secretAccessKey: z.string().min(1),
        forcePathStyle: z.boolean().default(true),
        /** largest object the layout commit copies with one CopyObject (AWS: 5 GiB); larger ones by UploadPartCopy */
        copyObjectLimit: z.number().int().min(5 * 1024 ** 2).default(5 * 1024 ** 3),
      })
      .strict(),
    keystores: z
      .object({
        file: z
          .object({
            path: z.string().min(1),
            create: z.boolean().default(false),
            /** wraps per root key version before it rotates (FileKeystoreOptions.wrapLimit; default 2^31) */
            wrapLimit: z.number().int().positive().max(2 ** 32).optional(),
            /** false: refuse instead of rotating when a version's wraps are used up */
            autoRotate: z.boolean().optional(),
            /** the most wraps one process reserves at a time under the lock (default 2^16) */
            wrapReserve: z.number().int().positive().optional(),
            /** how long a change waits for another process's lock (ms; default 15 000) */
            lockWaitMs: z.number().int().positive().optional(),
            /** a lock not refreshed for this long is taken over as stale (ms; default 10 000, at least 5 000) */
            lockStaleMs: z.number().int().min(5000).optional(),
          })
          .strict()
          .optional(),
        vault: z
          .object({
            address: z.string().url(),
            namespace: z.string().min(1).optional(),
            /** PEM file of the CA that signed the Vault server's certificate */
            caFile: z.string().min(1).optional(),
            /** accept a plain http:// address (tokens and data keys in clear on the wire): loopback tests only */
            allowInsecureHttp: z.boolean().default(false),
            auth: z.discriminatedUnion('method', [
              z.object({ method: z.literal('token'), token: z.string().min(1) }).strict(),
              z.object({ method: z.literal('approle'), roleId: z.string().min(1), secretId: z.string().min(1), mount: z.string().min(1).optional() }).strict(),
            ]),
          })
          .strict()
          .optional(),
        awskms: z
          .object({
            region: z.string().default('us-east-1'),
            /** endpoint override (local-kms, a VPC endpoint) */
            endpoint: z.string().url().optional(),
            accessKeyId: z.string().min(1).optional(),
            secretAccessKey: z.string().min(1).optional(),
            /** AWS KMS rotates on demand; local-kms does not */
            rotateOnDemand: z.boolean().default(true),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    /** keystore for bare key names (DESIGN.md "keyRef") */
    defaultKmsKeystore: z.enum(['file', 'vault', 'awskms']).default('awskms'),
    bucketKeys: z
      .object({
        maxAgeMs: z.number().int().positive().default(5 * 60_000),
        maxObjects: z.number().int().positive().default(100_000),
        maxBytes: z.number().int().positive().default(64 * 1024 ** 3),
        /** cached bucket keys per side (least recently used evicted first) */
        maxEntries: z.number().int().positive().default(1000),
        /** how often expired bucket keys are swept and zeroed (ms; 0: only on cache use; default min(maxAgeMs, 60 s)) */
        sweepIntervalMs: z.number().int().nonnegative().optional(),
      })
      .strict()
      .default({}),
    /** resolved key ids (an alias → its key ARN) shared by every request: reused for ttlMs */
    resolvedKeyIds: z
      .object({
        ttlMs: z.number().int().positive().default(60_000),
        maxEntries: z.number().int().positive().default(10_000),
      })
      .strict()
      .default({}),
    /** multipart reads: verified layouts cached per object version (in part salts; 0 disables), header reads in parallel */
    multipartReads: z
      .object({
        verifiedLayoutCacheParts: z.number().int().nonnegative().default(100_000),
        headerReadConcurrency: z.number().int().positive().max(64).default(8),
      })
      .strict()
      .default({}),
    /**
     * LIST with plaintext sizes (DESIGN.md "Sizes, listing…"; engine/listed-sizes.ts). Entries are
     * HEADed (at most `headConcurrency` at once, answers cached per (bucket, key, ETag) in
     * `sizeCacheEntries`), except in the `encryptedOnly` prefixes, where a single-part object's size is
     * computed from its stored size with no request. List a prefix there only if (1) every object in it
     * is written by s3seal and (2) s3seal's multipart objects there keep a multipart ETag ("…-N"): true
     * on MinIO and SeaweedFS (the layout commit is a metadata-only self-copy that keeps the ETag, and
     * s3seal's own copies of a multipart object go by UploadPartCopy), false on AWS S3 (a self-copy gives
     * the object an MD5 ETag) and for multipart objects copied in by another tool's single CopyObject —
     * there the size of a multipart object would be computed wrongly.
     */
    listing: z
      .object({
        encryptedOnly: z.array(z.object({ bucket: z.string().min(1), prefix: z.string().default('') }).strict()).default([]),
        headConcurrency: z.number().int().positive().max(256).default(8),
        sizeCacheEntries: z.number().int().nonnegative().default(100_000),
      })
      .strict()
      .default({}),
    /** the managed SSE-S3 key (FORMAT.md §5.5): a keyRef such as `file:s3-default` */
    sseS3Key: z.string().default('file:s3-default'),
    /** the key of an SSE-KMS write that names none (the analogue of `aws/s3`); unset: such a write is InvalidArgument */
    defaultKmsKey: z.string().min(1).optional(),
    /**
     * keyRefs SSE-KMS objects may be read under, besides `defaultKmsKey` (DESIGN.md "Reads take the key
     * from the envelope, and check it is allowed"; without a policy document: the configured keys only)
     */
    readKeys: z.array(z.string().min(1)).default([]),
    /**
     * The upload-token root shared by every instance (FORMAT.md §7.1): derived from a keystore key
     * (`uploadTokenKey`, a keyRef; for AWS KMS an HMAC_256 key), or given directly (`uploadTokenRoot`).
     */
    uploadTokenKey: z.string().min(1).optional(),
    uploadTokenRoot: Base64Key.optional(),
    /**
     * The policy document (DESIGN.md "Policies"; docs/POLICY.md): principals, S3 actions, key grants,
     * floors. Read at startup (a malformed one fails the container with the line and field) and, with
     * `watch`, reloaded on SIGHUP and on change — a bad new one keeps the old. Unset: the process
     * principal may do everything with the configured keys (DESIGN.md "Defaults").
     */
    policy: z
      .object({
        file: z.string().min(1),
        watch: z.boolean().default(true),
      })
      .strict()
      .optional(),
    /**
     * Bucket default encryption as S3's PutBucketEncryption sets it, stored MACed in one reserved
     * bucket of the backend (FORMAT.md §13) and cached for `ttlMs` per instance: a change by another
     * instance is seen within that time.
     */
    bucketEncryption: z
      .object({
        reservedBucket: z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
          .default('s3seal-config'),
        ttlMs: z.number().int().positive().default(5_000),
        /**
         * a file on the s3seal host keeping the highest document version seen, so that a restarted
         * instance still refuses a rolled-back or deleted configuration (without it, only an instance
         * that saw the newer version in its lifetime does; docs/THREAT-MODEL.md)
         */
        stateFile: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    /**
     * Audit events (one pino line per key-use decision and per denied action): to standard error,
     * standard output, a file, or off. Default: standard error once a policy document is configured,
     * else off.
     */
    audit: z
      .object({
        destination: z.union([z.enum(['stderr', 'stdout', 'off']), z.object({ file: z.string().min(1) }).strict()]).optional(),
      })
      .strict()
      .default({}),
    /**
     * Migration (DESIGN.md "Defaults"): objects without an s3seal envelope are served as plaintext
     * only in these buckets/prefixes — never where a floor covers them, and a bucket listed here
     * refuses PutBucketEncryption. Objects carrying reserved metadata or the s3seal body magic are
     * never passed through.
     */
    passthrough: z.array(z.object({ bucket: z.string().min(1), prefix: z.string().default('') }).strict()).default([]),
    /**
     * Doctor-style checks `startContainer` runs before it returns (createContainer is synchronous and
     * reaches no server): with `keystores`, every configured keystore is asked to describe each key
     * the configuration names (sseS3Key, defaultKmsKey, uploadTokenKey, readKeys) — or, naming none,
     * any key — so an unreachable keystore, a refused credential or a missing key fails the start
     * with the keystore and its address, not the first request. Each probe gives up after `timeoutMs`.
     */
    startupChecks: z
      .object({
        keystores: z.boolean().default(false),
        timeoutMs: z.number().int().positive().default(10_000),
      })
      .strict()
      .default({}),
    /**
     * The S3 gateway (`s3seal serve`, createS3Handler; src/adapters/gateway): who may call it comes
     * from the policy document's access keys (config `policy`). Requests must be signed for `region`.
     * Virtual-hosted-style requests (`bucket.BASE`) are recognised for each of `baseDomains`; every
     * other host is path-style. `trustedProxies` (exact remote addresses) may say by
     * `X-Forwarded-Proto: https` that TLS ended at them (SSE-C is refused over plain HTTP otherwise).
     */
    gateway: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        region: z.string().min(1).default('us-east-1'),
        baseDomains: z.array(z.string().min(1).regex(/^[a-z0-9.-]+$/, 'must be a lower-case DNS name')).default([]),
        trustedProxies: z.array(z.string().min(1)).default([]),
        tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).strict().optional(),
        /** the most bytes of request line and headers (node:http maxHeaderSize); longer: 431 and the connection closed */
        maxHeaderBytes: z.number().int().min(1024).max(1024 * 1024).default(16 * 1024),
        /** a client must send its whole header section within this (ms) */
        headersTimeoutMs: z.number().int().positive().default(30_000),
        /** a connection with no bytes moving either way for this long is closed (ms): slow or stalled clients */
        idleTimeoutMs: z.number().int().positive().default(60_000),
        /** an idle keep-alive connection is closed after this (ms) */
        keepAliveTimeoutMs: z.number().int().positive().default(5_000),
        /** the most requests one connection may send (0: no limit) */
        maxRequestsPerSocket: z.number().int().nonnegative().default(0),
        /** Prometheus metrics at /_s3seal/metrics on the gateway port (unauthenticated, like /_s3seal/health: no bucket, key or principal in them) */
        metrics: z.boolean().default(true),
      })
      .strict()
      .default({}),
    /** bytes of plaintext held back until verified (FORMAT.md §11) */
    releaseWindow: z.number().int().nonnegative().default(1024 * 1024),
    /** lowest on-object format version this deployment reads (FORMAT.md §2): raising it refuses older objects */
    minFormatVersion: z.number().int().min(1).max(255).default(1),
  })
  .strict()
  .refine((c) => (c.uploadTokenKey === undefined) !== (c.uploadTokenRoot === undefined), {
    message: 'set exactly one of uploadTokenKey (a keyRef to derive it from) and uploadTokenRoot',
    path: ['uploadTokenKey'],
  })
  // every keyRef is checked here, so a misspelt one is a startup error naming the field, not a 400
  // some caller gets on the first request that needs it
  .superRefine((c, ctx) => {
    const refs: [string, (string | number)[]][] = [
      [c.sseS3Key, ['sseS3Key']],
      ...(c.uploadTokenKey !== undefined ? [[c.uploadTokenKey, ['uploadTokenKey']] as [string, (string | number)[]]] : []),
      ...(c.defaultKmsKey !== undefined ? [[c.defaultKmsKey, ['defaultKmsKey']] as [string, (string | number)[]]] : []),
      ...c.readKeys.map((r, i): [string, (string | number)[]] => [r, ['readKeys', i]]),
    ];
    for (const [ref, path] of refs) {
      try {
        parseKeyRef(ref, c.defaultKmsKeystore);
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: (err as Error).message });
      }
    }
  });

export type S3SealConfigInput = z.input<typeof ConfigSchema>;
export type S3SealConfig = z.output<typeof ConfigSchema>;

export class ConfigError extends S3SealError<'InvalidConfiguration'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('InvalidConfiguration', message, options);
    this.name = 'ConfigError';
  }
}

export function resolveConfig(input: unknown): S3SealConfig {
  const r = ConfigSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ConfigError(`configuration field ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}
