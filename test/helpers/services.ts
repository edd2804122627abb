/**
 * Access to the real services that `npm test` (scripts/test-run.ts) started for this run.
 * Tests never start their own servers and never fall back to mocks: a missing or unavailable service
 * throws, so the test FAILS with the reason instead of silently skipping.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServiceDescriptor, ServiceName, ServicesFile } from '../../scripts/harness/service-descriptor.js';

export type { ServiceDescriptor, ServiceName } from '../../scripts/harness/service-descriptor.js';

let cached: ServicesFile | undefined;

function servicesFile(): ServicesFile {
  if (cached !== undefined) return cached;
  const file = process.env['S3SEAL_TEST_SERVICES'];
  if (file === undefined || file === '') {
    throw new Error('S3SEAL_TEST_SERVICES is not set: run the tests with `npm test` (it starts the real services), not `npx ava` directly');
  }
  cached = JSON.parse(readFileSync(file, 'utf8')) as ServicesFile;
  return cached;
}

/** The running service `name`; throws (failing the test) when it was not started or is unavailable. */
export function service(name: ServiceName): ServiceDescriptor {
  const entry = servicesFile()[name];
  if (entry === undefined) {
    throw new Error(`service "${name}" was not started for this run (S3SEAL_TEST_SERVICES_ONLY=${process.env['S3SEAL_TEST_SERVICES_ONLY'] ?? ''})`);
  }
  if ('unavailable' in entry) throw new Error(`service "${name}" is unavailable: ${entry.unavailable}`);
  return entry;
}

function credentials(desc: ServiceDescriptor): { accessKeyId: string; secretAccessKey: string } {
  if (desc.accessKey === undefined || desc.secretKey === undefined) throw new Error(`service "${desc.name}" has no access/secret key`);
  return { accessKeyId: desc.accessKey, secretAccessKey: desc.secretKey };
}

/** An S3 client for MinIO / SeaweedFS: path-style (no bucket DNS on loopback), us-east-1; `extra` adds client options. */
export function s3Client(desc: ServiceDescriptor, extra: S3ClientConfig = {}): S3Client {
  return new S3Client({ endpoint: desc.endpoint, region: desc.region ?? 'us-east-1', forcePathStyle: true, credentials: credentials(desc), ...extra });
}

/** A KMS client for local-kms. */
export function kmsClient(desc: ServiceDescriptor): KMSClient {
  return new KMSClient({ endpoint: desc.endpoint, region: desc.region ?? 'us-east-1', credentials: credentials(desc) });
}

/** A new bucket with a unique name on an S3 service (MinIO, SeaweedFS); returns its name. */
export async function freshBucket(desc: ServiceDescriptor, prefix: string): Promise<string> {
  const bucket = `${prefix}-${randomBytes(4).toString('hex')}`;
  const s3 = s3Client(desc);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
  return bucket;
}
