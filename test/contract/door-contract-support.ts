/**
 * What the door contract's scenario files share: the door under test, the modes with the SDK
 * parameters each needs and the echo S3 answers with, and small assertions (see door-contract.ts).
 */
import type { ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { GetObjectCommand, S3ServiceException, type PutObjectCommandInput, type S3Client, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { BuildMiddleware, MiddlewareStack } from '@smithy/types';
/**
 * A door under test. `s3.send` takes SDK v3 commands: the SDK door and the gateway pass them to a
 * real S3Client; a door without one (the minio wrapper) adapts the commands this suite sends
 * (Put/Get/Head/DeleteObject, the multipart family, CopyObject / UploadPartCopy, the lists, DeleteObjects) to its own
 * calls and answers with the SDK's output shapes and S3ServiceException-like errors
 * (`name` = S3 code, `$metadata.httpStatusCode`).
 */
export interface DoorUnderTest {
  s3: Pick<S3Client, 'send'>;
  /** a real S3Client through the door, where the door has one: `@aws-sdk/lib-storage` Upload needs it */
  sdkClient?: S3Client;
  /** can the suite add raw request headers (a command-level middleware)? the SDK's own validation hides some cases otherwise */
  rawHeaders: boolean;
  /** the object server with its own credentials, past every door */
  backend: S3Client;
  /** a fresh bucket on the object server */
  freshBucket(prefix: string): Promise<string>;
  /**
   * the same door in another process or gateway instance (same configuration, nothing shared in
   * memory): upload state must travel in the UploadId alone (DESIGN.md "Scale-out")
   */
  secondInstance(): Promise<{ s3: Pick<S3Client, 'send'>; close(): Promise<void> }>;
  /** the SSE-KMS key the suite writes under (`SSEKMSKeyId`), and the id S3 echoes for it */
  kmsKey: { id: string; echoed: string };
  /** the reserved bucket of this door's bucket encryption configurations (config `bucketEncryption.reservedBucket`) */
  reservedBucket: string;
  close(): Promise<void>;
}

/**
 * What a door's client cannot express at all, so the scenarios (or the assertions) that need it are
 * not registered for that door — never run as tests that pass without asserting:
 * `checksums` (flexible checksums: ChecksumAlgorithm, ChecksumMode), `conditionalReads` (If-Match,
 * If-None-Match, If-(Un)Modified-Since on GET / HEAD), `suffixRanges` (`Range: bytes=-N`),
 * `objectAcl` (GetObjectAcl), `libStorage` (a real S3Client for @aws-sdk/lib-storage), `partNumberReads`
 * (GetObject / HeadObject with PartNumber, answered 206).
 */
export type DoorGap = 'checksums' | 'conditionalReads' | 'suffixRanges' | 'objectAcl' | 'libStorage' | 'partNumberReads';

export interface DoorContractOptions {
  /** `core`: each mode's PUT, GET, range, multipart, multipart reads and copy only (SeaweedFS); `all` (default): every scenario */
  scenarios?: 'all' | 'core';
  /** what the door's client cannot express (default none: the SDK door and the gateway express everything) */
  gaps?: readonly DoorGap[];
}

/** whether a contract run's door can express `what` */
export function can(opts: DoorContractOptions, what: DoorGap): boolean {
  return !(opts.gaps ?? []).includes(what);
}

export const MiB = 1024 * 1024;
export const md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');

export type Mode = 'SSE-S3' | 'SSE-KMS' | 'SSE-KMS-bucket-key' | 'SSE-C' | 'none';
export const MODES: readonly Mode[] = ['SSE-S3', 'SSE-KMS', 'SSE-KMS-bucket-key', 'SSE-C', 'none'];

export interface ModeParams {
  /** parameters of a write (PUT, CreateMultipartUpload) */
  write: Pick<PutObjectCommandInput, 'ServerSideEncryption' | 'SSEKMSKeyId' | 'BucketKeyEnabled' | 'SSECustomerAlgorithm' | 'SSECustomerKey'>;
  /** parameters every read and part of this object needs (SSE-C only) */
  read: { SSECustomerAlgorithm?: string; SSECustomerKey?: string };
  /** what S3 echoes in write, read and part outputs */
  echo: { ServerSideEncryption?: string; SSEKMSKeyId?: string; BucketKeyEnabled?: boolean; SSECustomerAlgorithm?: string; SSECustomerKeyMD5?: string };
}

export function modeParams(mode: Mode, door: DoorUnderTest): ModeParams {
  switch (mode) {
    case 'SSE-S3':
      return { write: { ServerSideEncryption: 'AES256' }, read: {}, echo: { ServerSideEncryption: 'AES256' } };
    case 'none':
      // DESIGN.md "Defaults": no SSE parameters → SSE-S3, as AWS does since 2023
      return { write: {}, read: {}, echo: { ServerSideEncryption: 'AES256' } };
    case 'SSE-KMS':
      return { write: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: door.kmsKey.id }, read: {}, echo: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: door.kmsKey.echoed } };
    case 'SSE-KMS-bucket-key':
      return {
        write: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: door.kmsKey.id, BucketKeyEnabled: true },
        read: {},
        echo: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: door.kmsKey.echoed, BucketKeyEnabled: true },
      };
    case 'SSE-C': {
      const key = randomBytes(32);
      const triple = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64') };
      return { write: triple, read: triple, echo: { SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: md5(key) } };
    }
  }
}

/** the echo fields of an SDK output, for deepEqual against ModeParams.echo */
export function echoOf(out: object): ModeParams['echo'] {
  const o = out as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const k of ['ServerSideEncryption', 'SSEKMSKeyId', 'BucketKeyEnabled', 'SSECustomerAlgorithm', 'SSECustomerKeyMD5']) if (o[k] !== undefined) picked[k] = o[k];
  // S3 omits BucketKeyEnabled when false; a door that sends "false" says the same
  if (picked['BucketKeyEnabled'] === false) delete picked['BucketKeyEnabled'];
  return picked;
}

export async function bytesOf(body: unknown): Promise<Buffer> {
  return Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

/** the S3 error a promise rejects with: [code, HTTP status] */
export async function s3Error(p: Promise<unknown>): Promise<[string, number | undefined]> {
  try {
    await p;
    return ['no error', undefined];
  } catch (err) {
    if (err instanceof S3ServiceException) return [err.name, err.$metadata.httpStatusCode];
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; message?: string };
    return [`${e.name ?? 'untyped'}: ${e.message ?? ''}`, e.$metadata?.httpStatusCode];
  }
}

/** a command whose wire request also carries `headers` (set after the SDK's own serialization and SSE-C middleware) */
export function withHeaders<C extends { middlewareStack: unknown }>(cmd: C, headers: Record<string, string>): C {
  const rawHeaders: BuildMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => (args) => {
    Object.assign((args.request as { headers: Record<string, string> }).headers, headers);
    return next(args);
  };
  (cmd.middlewareStack as MiddlewareStack<ServiceInputTypes, ServiceOutputTypes>).add(rawHeaders, { step: 'build', priority: 'low', name: 'contractRawHeaders' });
  return cmd;
}

/** what the object server holds: not the plaintext, an s3seal body, the envelope in metadata */
export async function assertSealedAtRest(t: ExecutionContext, door: DoorUnderTest, bucket: string, key: string, plaintext: Buffer, magic: Buffer): Promise<void> {
  const raw = await door.backend.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const stored = await bytesOf(raw.Body);
  t.false(stored.equals(plaintext), `${key}: the object server does not hold the plaintext`);
  t.true(stored.length > plaintext.length, `${key}: ciphertext is longer than the plaintext`);
  t.deepEqual(stored.subarray(0, 4), magic, `${key}: the stored body starts with the s3seal magic`);
  if (plaintext.length >= 32) t.is(stored.indexOf(plaintext.subarray(0, 32)), -1, `${key}: no plaintext run in the stored body`);
  t.truthy(raw.Metadata?.['s3seal'], `${key}: the envelope is in the object's metadata`);
  // the object server never learns the SSE parameters: it is not asked to encrypt anything
  t.is(raw.SSECustomerKeyMD5, undefined, `${key}: no SSE-C at the object server`);
}

/** the shared door of a contract run (made on first use) */
export type DoorOf = () => Promise<DoorUnderTest>;

/** a source's read parameters as the copy-source SSE-C parameters of a CopyObject / UploadPartCopy */
export function copySourceOf(p: ModeParams): { CopySourceSSECustomerAlgorithm?: string; CopySourceSSECustomerKey?: string } {
  return p.read.SSECustomerKey === undefined ? {} : { CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: p.read.SSECustomerKey };
}

/** the `CopySource` of bucket/key as the SDK wants it (URL-encoded key) */
export const copySource = (bucket: string, key: string): string => `${bucket}/${encodeURIComponent(key)}`;

/** the bytes the object server stores for bucket/key (its own credentials, past every door) */
export async function storedBytes(door: DoorUnderTest, bucket: string, key: string): Promise<Buffer> {
  return bytesOf((await door.backend.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body);
}
