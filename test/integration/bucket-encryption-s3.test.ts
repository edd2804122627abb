/**
 * Put/Get/DeleteBucketEncryption through the S3 core (issue 8, "Bucket encryption configuration
 * through the S3 API") with the SDK's own commands, on real MinIO: an S3Core over a hand-built
 * ObjectFacade whose settings are a BucketEncryptionStore in a reserved bucket. The SDK serialises
 * and parses S3's XML (rule, BucketKeyEnabled, BlockedEncryptionTypes) and sees S3's codes:
 * ServerSideEncryptionConfigurationNotFoundError 404, NoSuchBucket, InvalidArgument, NotImplemented
 * (DSSE), BadDigest; the action policy is asked first and the planner's floors before anything is
 * stored; the reserved bucket is hidden from ListBuckets and refused; the document tampered with
 * MinIO's credentials makes GetBucketEncryption a 503 naming the bucket; without a store the three
 * operations are NotImplemented.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  ListBucketsCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  type S3Client,
  type ServerSideEncryptionConfiguration,
} from '@aws-sdk/client-s3';
import { S3Core } from '../../src/adapters/s3/s3-core.js';
import type { S3Request } from '../../src/adapters/s3/s3-request.js';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import type { BucketEncryption } from '../../src/engine/facade/bucket-encryption.js';
import type { ObjectAction, ObjectActionPolicy } from '../../src/engine/facade/object-action-policy.js';
import { ObjectFacade } from '../../src/engine/facade/object-facade.js';
import { ConfiguredReadKeys } from '../../src/engine/materials/configured-read-keys.js';
import { KeystoreRegistry } from '../../src/engine/materials/keystore-registry.js';
import { MaterialsManager } from '../../src/engine/materials/materials-manager.js';
import { requestedAsPlanned } from '../../src/engine/materials/requested-as-planned.js';
import type { WritePlanner } from '../../src/engine/materials/write-planner.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { SealError } from '../../src/errors.js';
import { DOCUMENT_KEY } from '../../src/policies/bucket-encryption-document.js';
import { BucketEncryptionStore } from '../../src/policies/bucket-encryption-store.js';
import { CountingKeystore } from '../helpers/counting-keystore.js';
import { sdkClientForCore } from '../helpers/sdk-core-handler.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';

interface Fixture {
  sdk: S3Client;
  raw: S3Client;
  core: S3Core;
  bucket: string;
  reserved: string;
  /** the policy's decisions in order: principal, action, bucket */
  asked: string[];
  /** configurations the planner was asked to check */
  checked: string[];
  call: (req: Partial<S3Request> & Pick<S3Request, 'method'>) => Promise<{ status: number; body: string }>;
  close: () => void;
}

/** a floor as the policy layer would hold it: bucket `floor-*` requires aws:kms */
const floorPlanner: (checked: string[]) => WritePlanner = (checked) => ({
  planWrite: (req) => requestedAsPlanned.planWrite(req),
  checkBucketEncryption: (principal, bucket, c) => {
    checked.push(`${principal} ${bucket} ${c.algorithm}`);
    return bucket.startsWith('floor-') && c.algorithm !== 'aws:kms' ? Promise.reject(new SealError('AccessDenied', `a local floor of ${bucket} requires SSE-KMS`)) : Promise.resolve();
  },
});

async function fixture(tag: string, opts: { settings?: boolean } = {}): Promise<Fixture> {
  const m = service('minio');
  const backend = new S3ObjectStore(s3Client(m));
  const root = randomBytes(32);
  const file = await CountingKeystore.create(['s3-default', 'a']);
  const registry = new KeystoreRegistry({ file }, 'file', undefined, undefined, 'file:s3-default');
  const manager = new MaterialsManager(registry, new ConfiguredReadKeys(registry, {}), {});
  const objects = new SealedObjects(backend, { uploadTokenRoot: root });
  const asked: string[] = [];
  const policy: ObjectActionPolicy = {
    authorize: (principal: string, action: ObjectAction, o) => {
      asked.push(`${principal} ${action} ${o.bucket}`);
      return principal === 'intruder' ? Promise.reject(new SealError('AccessDenied', `${principal} may not ${action}`)) : Promise.resolve();
    },
  };
  const checked: string[] = [];
  const reserved = `s3seal-reserved-${randomBytes(4).toString('hex')}`;
  const settings = new BucketEncryptionStore(backend, () => Promise.resolve(root), { bucket: reserved, ttlMs: 0 });
  const facade = new ObjectFacade(objects, manager, backend, policy, { planner: floorPlanner(checked), ...(opts.settings === false ? {} : { bucketEncryption: settings }) });
  const core = new S3Core({ facade });
  const bucket = await freshBucket(m, `bcfg-${tag}`);
  const sdk = sdkClientForCore(core, 'admin');
  const raw = s3Client(m);
  return {
    sdk,
    raw,
    core,
    bucket,
    reserved,
    asked,
    checked,
    call: async (req) => {
      const res = await core.handle({ bucket, query: {}, headers: {}, secureTransport: true, principal: 'admin', ...req });
      return { status: res.status, body: Buffer.isBuffer(res.body) ? res.body.toString('utf8') : '' };
    },
    close: () => {
      sdk.destroy();
      raw.destroy();
    },
  };
}

function rule(c: BucketEncryption): ServerSideEncryptionConfiguration {
  return {
    Rules: [
      {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: c.algorithm, ...(c.kmsKeyId !== undefined ? { KMSMasterKeyID: c.kmsKeyId } : {}) },
        BucketKeyEnabled: c.bucketKeyEnabled,
        ...(c.blockedEncryptionTypes.length > 0 ? { BlockedEncryptionTypes: { EncryptionType: [...c.blockedEncryptionTypes] } } : {}),
      },
    ],
  };
}

/** the SDK error's name and HTTP status */
async function sdkError(p: Promise<unknown>): Promise<[string, number | undefined, string]> {
  const err = (await p.then(() => undefined, (e: unknown) => e)) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return [err?.name ?? 'no error', err?.$metadata?.httpStatusCode, err?.message ?? ''];
}

test('SDK Put/Get/DeleteBucketEncryption through the S3 core: each algorithm with and without BucketKeyEnabled and BlockedEncryptionTypes round-trips; none set is ServerSideEncryptionConfigurationNotFoundError 404; delete 204', async (t) => {
  const f = await fixture('sdk');
  try {
    const none = await sdkError(f.sdk.send(new GetBucketEncryptionCommand({ Bucket: f.bucket })));
    t.deepEqual(none.slice(0, 2), ['ServerSideEncryptionConfigurationNotFoundError', 404]);
    t.is(none[2], 'The server side encryption configuration was not found');
    const cases: BucketEncryption[] = [
      { algorithm: 'AES256', bucketKeyEnabled: false, blockedEncryptionTypes: [] },
      { algorithm: 'AES256', bucketKeyEnabled: true, blockedEncryptionTypes: ['SSE-C'] },
      { algorithm: 'aws:kms', bucketKeyEnabled: false, blockedEncryptionTypes: [] },
      { algorithm: 'aws:kms', kmsKeyId: 'file:a', bucketKeyEnabled: true, blockedEncryptionTypes: ['SSE-C'] },
    ];
    for (const c of cases) {
      const put = await f.sdk.send(new PutBucketEncryptionCommand({ Bucket: f.bucket, ServerSideEncryptionConfiguration: rule(c) }));
      t.is(put.$metadata.httpStatusCode, 200);
      const got = await f.sdk.send(new GetBucketEncryptionCommand({ Bucket: f.bucket }));
      const r = got.ServerSideEncryptionConfiguration?.Rules?.[0];
      t.is(got.ServerSideEncryptionConfiguration?.Rules?.length, 1);
      t.is(r?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, c.algorithm);
      t.is(r?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID, c.kmsKeyId);
      t.is(r?.BucketKeyEnabled, c.bucketKeyEnabled);
      t.deepEqual(r?.BlockedEncryptionTypes?.EncryptionType ?? [], [...c.blockedEncryptionTypes]);
    }
    const del = await f.sdk.send(new DeleteBucketEncryptionCommand({ Bucket: f.bucket }));
    t.is(del.$metadata.httpStatusCode, 204);
    t.deepEqual((await sdkError(f.sdk.send(new GetBucketEncryptionCommand({ Bucket: f.bucket })))).slice(0, 2), ['ServerSideEncryptionConfigurationNotFoundError', 404]);
    t.is((await f.sdk.send(new DeleteBucketEncryptionCommand({ Bucket: f.bucket }))).$metadata.httpStatusCode, 204, 'deleting none is 204 too');
    t.deepEqual(f.asked.slice(0, 3), [`admin GetBucketEncryption ${f.bucket}`, `admin PutBucketEncryption ${f.bucket}`, `admin GetBucketEncryption ${f.bucket}`]);
    t.true(f.asked.includes(`admin DeleteBucketEncryption ${f.bucket}`));
  } finally {
    f.close();
  }
});

test("S3's errors: NoSuchBucket, InvalidArgument (KMSMasterKeyID with AES256), NotImplemented (aws:kms:dsse), MalformedXML, BadDigest for a wrong Content-MD5 — nothing stored", async (t) => {
  const f = await fixture('errors');
  try {
    const missing = `${f.bucket}-none`;
    t.deepEqual((await sdkError(f.sdk.send(new PutBucketEncryptionCommand({ Bucket: missing, ServerSideEncryptionConfiguration: rule({ algorithm: 'AES256', bucketKeyEnabled: false, blockedEncryptionTypes: [] }) })))).slice(0, 2), ['NoSuchBucket', 404]);
    t.deepEqual((await sdkError(f.sdk.send(new GetBucketEncryptionCommand({ Bucket: missing })))).slice(0, 2), ['NoSuchBucket', 404]);
    t.deepEqual((await sdkError(f.sdk.send(new DeleteBucketEncryptionCommand({ Bucket: missing })))).slice(0, 2), ['NoSuchBucket', 404]);
    const aesWithKey = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const, KMSMasterKeyID: 'file:a' } }] };
    t.deepEqual((await sdkError(f.sdk.send(new PutBucketEncryptionCommand({ Bucket: f.bucket, ServerSideEncryptionConfiguration: aesWithKey })))).slice(0, 2), ['InvalidArgument', 400]);
    const dsse = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse' as const } }] };
    t.deepEqual((await sdkError(f.sdk.send(new PutBucketEncryptionCommand({ Bucket: f.bucket, ServerSideEncryptionConfiguration: dsse })))).slice(0, 2), ['NotImplemented', 501]);
    const body = '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';
    const { Readable } = await import('node:stream');
    const bad = await f.call({ method: 'PUT', query: { encryption: '' }, headers: { 'content-length': String(body.length), 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' }, body: Readable.from([Buffer.from(body)]) });
    t.is(bad.status, 400);
    t.true(bad.body.includes('<Code>BadDigest</Code>'), bad.body);
    const malformed = await f.call({ method: 'PUT', query: { encryption: '' }, headers: { 'content-length': '9' }, body: Readable.from([Buffer.from('<Rule/>xx')]) });
    t.is(malformed.status, 400);
    t.true(malformed.body.includes('<Code>MalformedXML</Code>'), malformed.body);
    t.deepEqual((await sdkError(f.sdk.send(new GetBucketEncryptionCommand({ Bucket: f.bucket })))).slice(0, 2), ['ServerSideEncryptionConfigurationNotFoundError', 404], 'nothing was stored');
  } finally {
    f.close();
  }
});

test('the policy is asked first (a denied principal stores nothing), the planner refuses a configuration below a floor (AccessDenied, nothing stored), the reserved bucket is hidden from ListBuckets and refused to every object, list, copy and bucket operation, a tampered document is a 503 naming the bucket', async (t) => {
  const f = await fixture('guard');
  try {
    const kms: BucketEncryption = { algorithm: 'aws:kms', kmsKeyId: 'file:a', bucketKeyEnabled: false, blockedEncryptionTypes: [] };
    await f.sdk.send(new PutBucketEncryptionCommand({ Bucket: f.bucket, ServerSideEncryptionConfiguration: rule(kms) }));
    const intruder = sdkClientForCore(f.core, 'intruder');
    try {
      t.deepEqual((await sdkError(intruder.send(new PutBucketEncryptionCommand({ Bucket: f.bucket, ServerSideEncryptionConfiguration: rule({ algorithm: 'AES256', bucketKeyEnabled: false, blockedEncryptionTypes: [] }) })))).slice(0, 2), ['AccessDenied', 403]);
      t.deepEqual((await sdkError(intruder.send(new DeleteBucketEncryptionCommand({ Bucket: f.bucket })))).slice(0, 2), ['AccessDenied', 403]);
    } finally {
      intruder.destroy();
    }
    t.false(f.checked.some((c) => c.startsWith('intruder')), 'a denied principal never reaches the planner');
    t.is((await f.sdk.send(new GetBucketEncryptionCommand({ Bucket: f.bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'aws:kms', 'unchanged');

    const m = service('minio');
    const floored = await freshBucket(m, 'floor-bcfg');
    t.deepEqual((await sdkError(f.sdk.send(new PutBucketEncryptionCommand({ Bucket: floored, ServerSideEncryptionConfiguration: rule({ algorithm: 'AES256', bucketKeyEnabled: false, blockedEncryptionTypes: [] }) })))).slice(0, 2), ['AccessDenied', 403]);
    t.deepEqual((await sdkError(f.sdk.send(new GetBucketEncryptionCommand({ Bucket: floored })))).slice(0, 2), ['ServerSideEncryptionConfigurationNotFoundError', 404], 'nothing stored below the floor');
    await f.sdk.send(new PutBucketEncryptionCommand({ Bucket: floored, ServerSideEncryptionConfiguration: rule(kms) }));

    const listed = await f.sdk.send(new ListBucketsCommand({}));
    const names = (listed.Buckets ?? []).map((b) => b.Name);
    t.true(names.includes(f.bucket));
    t.false(names.includes(f.reserved), 'the reserved bucket is not listed');
    t.deepEqual((await sdkError(f.sdk.send(new PutBucketEncryptionCommand({ Bucket: f.reserved, ServerSideEncryptionConfiguration: rule(kms) })))).slice(0, 2), ['AccessDenied', 403]);

    // no door reaches the reserved bucket: object reads, writes, deletes, lists, bucket operations
    const { Readable } = await import('node:stream');
    for (const req of [
      { method: 'GET', bucket: f.reserved, key: DOCUMENT_KEY },
      { method: 'HEAD', bucket: f.reserved, key: DOCUMENT_KEY },
      { method: 'DELETE', bucket: f.reserved, key: DOCUMENT_KEY },
      { method: 'PUT', bucket: f.reserved, key: DOCUMENT_KEY, headers: { 'content-length': '2' }, body: Readable.from([Buffer.from('{}')]) },
      { method: 'GET', bucket: f.reserved, query: { 'list-type': '2' } },
      { method: 'DELETE', bucket: f.reserved },
      { method: 'PUT', bucket: f.bucket, key: 'copy', headers: { 'x-amz-copy-source': `/${f.reserved}/${DOCUMENT_KEY}` } },
    ] as const) {
      t.is((await f.call(req as Partial<S3Request> & Pick<S3Request, 'method'>)).status, 403, `${req.method} ${req.bucket}/${'key' in req ? req.key : ''}`);
    }
    t.is((await f.sdk.send(new GetBucketEncryptionCommand({ Bucket: f.bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'aws:kms', 'the document is untouched');

    // MinIO's administrator lowers the default in the stored document (MAC kept)
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const text = await (await f.raw.send(new GetObjectCommand({ Bucket: f.reserved, Key: DOCUMENT_KEY }))).Body!.transformToString();
    await f.raw.send(new PutObjectCommand({ Bucket: f.reserved, Key: DOCUMENT_KEY, Body: text.replaceAll('"aws:kms"', '"AES256"').replaceAll(',"kmsKeyId":"file:a"', '') }));
    const [name, status, message] = await sdkError(f.sdk.send(new GetBucketEncryptionCommand({ Bucket: f.bucket })));
    t.deepEqual([name, status], ['ServiceUnavailable', 503]);
    t.true(message.includes(`"${f.bucket}"`) && message.includes('MAC does not verify'), message);
  } finally {
    f.close();
  }
});

test('DeleteBucket takes the configuration with it: the bucket created anew has none (ServerSideEncryptionConfigurationNotFoundError)', async (t) => {
  const f = await fixture('recreate');
  try {
    await f.sdk.send(new PutBucketEncryptionCommand({ Bucket: f.bucket, ServerSideEncryptionConfiguration: rule({ algorithm: 'aws:kms', kmsKeyId: 'file:a', bucketKeyEnabled: true, blockedEncryptionTypes: ['SSE-C'] }) }));
    await f.sdk.send(new DeleteBucketCommand({ Bucket: f.bucket }));
    await f.sdk.send(new CreateBucketCommand({ Bucket: f.bucket }));
    t.deepEqual((await sdkError(f.sdk.send(new GetBucketEncryptionCommand({ Bucket: f.bucket })))).slice(0, 2), ['ServerSideEncryptionConfigurationNotFoundError', 404]);
  } finally {
    f.close();
  }
});

test('without a settings store the three operations are NotImplemented 501 (after the policy)', async (t) => {
  const f = await fixture('none', { settings: false });
  try {
    for (const method of ['PUT', 'GET', 'DELETE'] as const) {
      const body = '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';
      const { Readable } = await import('node:stream');
      const res = await f.call({ method, query: { encryption: '' }, ...(method === 'PUT' ? { headers: { 'content-length': String(body.length) }, body: Readable.from([Buffer.from(body)]) } : {}) });
      t.is(res.status, 501, method);
      t.true(res.body.includes('<Code>NotImplemented</Code>'));
    }
    t.is(f.asked.length, 3, 'the policy was asked each time');
  } finally {
    f.close();
  }
});
