/**
 * PolicyDecisions (src/policies/policy-decisions.ts): the policy layer as the three ports the facade
 * asks, with a fake key registry and bucket store (the integration tests run it on real services):
 * the permission matrix's read side (decrypt, rewrap with and without widening, SSE-C), the write
 * side (encrypt grants, bucket defaults), behaviour without a document, and its audit events.
 */
import test from 'ava';
import { AuditLog, type AuditEvent } from '../../src/policies/audit-log.js';
import { PolicyDecisions } from '../../src/policies/policy-decisions.js';
import { parsePolicyDocument } from '../../src/policies/load-policy-document.js';
import { ConfiguredReadKeys } from '../../src/engine/materials/configured-read-keys.js';
import type { KeystoreRegistry } from '../../src/engine/materials/keystore-registry.js';
import type { BucketEncryption, BucketEncryptionSettings } from '../../src/engine/facade/bucket-encryption.js';
import type { KeyUseRequest } from '../../src/engine/materials/allowed-read-keys.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { SealError } from '../../src/errors.js';

const ARN = (n: string): string => `arn:aws:kms:us-east-1:111111111111:key/${n}`;
const ALIASES: Record<string, string> = { 'alias/invoices': ARN('invoices'), 'alias/archive': ARN('archive'), 'alias/s3': ARN('s3'), 'alias/bucket': ARN('bucket') };

class CapturedAudit extends AuditLog {
  readonly events: AuditEvent[] = [];
  constructor() {
    super('off');
  }
  override record(e: AuditEvent): void {
    this.events.push(e);
  }
}

/** the two registry methods the policy layer uses: resolveId over a fixed alias table, and the managed key */
function registry(): KeystoreRegistry {
  return {
    sseS3Key: 'alias/s3',
    resolveId: (ref: string) => {
      const id = ALIASES[ref] ?? (ref.startsWith('arn:') ? ref : undefined);
      return id === undefined ? Promise.reject(new KeystoreError('KMS.NotFoundException', `no key ${ref}`)) : Promise.resolve(id);
    },
  } as unknown as KeystoreRegistry;
}

function store(configs: Record<string, BucketEncryption>, failing = false): BucketEncryptionSettings {
  return {
    reservedBucket: 's3seal-config',
    get: (b) => (failing ? Promise.reject(new SealError('BucketConfigurationInvalid', 'tampered')) : Promise.resolve(configs[b])),
    put: () => Promise.resolve(),
    delete: () => Promise.resolve(true),
  };
}

const DOC = parsePolicyDocument(
  `version: 1
principals: { ops: {}, reader: {}, writer: {} }
statements: [{ effect: Allow, principals: "*", actions: ["s3:*"], resources: ["*"] }]
keys:
  - { principals: [ops], key: alias/invoices, permissions: [rewrap] }
  - { principals: [ops, reader], key: alias/archive, permissions: [decrypt] }
  - { principals: [reader], key: alias/invoices, permissions: [decrypt] }
  - { principals: [writer], key: alias/invoices, permissions: [encrypt] }
  - { principals: [ops], key: alias/archive, permissions: [encrypt] }
  - { principals: [ops], key: alias/s3, permissions: [encrypt] }
`,
  'policy.yaml',
  'awskms',
);

function decisions(opts: { doc?: boolean; configs?: Record<string, BucketEncryption>; failingStore?: boolean; readKeys?: string[] } = {}) {
  const reg = registry();
  const audit = new CapturedAudit();
  const d = new PolicyDecisions(reg, new ConfiguredReadKeys(reg, { readKeys: opts.readKeys ?? [] }), audit, {
    ...(opts.doc !== false ? { document: { current: DOC } } : {}),
    bucketEncryption: store(opts.configs ?? {}, opts.failingStore),
  });
  return { d, audit };
}

const read = (principal: string, keyId: string | undefined, extra: Partial<KeyUseRequest> = {}): KeyUseRequest => ({
  principal,
  object: { bucket: 'b', key: 'k' },
  mode: keyId === undefined ? 'SSE-C' : 'SSE-KMS',
  keyId,
  context: undefined,
  use: 'decrypt',
  ...extra,
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'allowed';
  } catch (err) {
    return err instanceof SealError ? err.code : String(err);
  }
}

test('rewrap: the rewrap grant suffices to a target no more widely readable; to a more widely readable one decrypt(source) is needed too', async (t) => {
  const { d, audit } = decisions();
  // alias/archive is readable by ops and reader; reader may also decrypt invoices unconditionally → not wider
  t.is(await code(d.check(read('ops', ARN('invoices'), { use: 'rewrap', rewrapTo: { mode: 'SSE-KMS', keyRef: 'alias/archive' } }))), 'AccessDenied', 'ops may decrypt archive but not invoices: archive is wider');
  // the SSE-S3 managed key: nobody has a decrypt grant on it → not wider
  t.is(await code(d.check(read('ops', ARN('invoices'), { use: 'rewrap', rewrapTo: { mode: 'SSE-S3' } }))), 'allowed');
  // reader has no rewrap grant at all
  t.is(await code(d.check(read('reader', ARN('invoices'), { use: 'rewrap', rewrapTo: { mode: 'SSE-S3' } }))), 'AccessDenied');
  // an SSE-C target counts as wider (whoever holds the customer key reads it)
  t.is(await code(d.check(read('ops', ARN('invoices'), { use: 'rewrap', rewrapTo: { mode: 'SSE-C', customerKey: Buffer.alloc(32) } }))), 'AccessDenied');
  t.true(audit.events.every((e) => e.use === 'rewrap' && e.keyRef === ARN('invoices')));
});

test('SSE-C reads use no grant (statements and floors only) and are audited without a key; a decrypt needs the grant', async (t) => {
  const { d, audit } = decisions();
  t.is(await code(d.check(read('writer', undefined))), 'allowed');
  t.like(audit.events.at(-1), { principal: 'writer', mode: 'SSE-C', allowed: true });
  t.false('keyRef' in audit.events.at(-1)!);
  t.is(await code(d.check(read('writer', ARN('invoices')))), 'AccessDenied');
  t.is(await code(d.check(read('reader', ARN('invoices')))), 'allowed');
  t.like(audit.events.at(-2), { principal: 'writer', use: 'decrypt', allowed: false });
});

test('writes: the plan’s key needs an encrypt grant — the key named, the bucket default’s, or the managed key for SSE-S3', async (t) => {
  const { d, audit } = decisions({ configs: { kmsb: { algorithm: 'aws:kms', kmsKeyId: 'alias/archive', bucketKeyEnabled: true, blockedEncryptionTypes: [] } } });
  const plan = (principal: string, bucket: string, requested: Parameters<PolicyDecisions['planWrite']>[0]['requested']) => d.planWrite({ principal, object: { bucket, key: 'k' }, requested, operation: 'PutObject' });
  t.deepEqual(await plan('writer', 'b', { mode: 'SSE-KMS', keyRef: 'alias/invoices' }), { mode: 'SSE-KMS', keyRef: 'alias/invoices' });
  t.is(await code(plan('writer', 'b', { mode: 'none' })), 'AccessDenied', 'SSE-S3 by default: writer has no grant on the managed key');
  t.deepEqual(await plan('ops', 'b', { mode: 'none' }), { mode: 'SSE-S3' });
  t.deepEqual(await plan('ops', 'kmsb', { mode: 'none' }), { mode: 'SSE-KMS', keyRef: 'alias/archive', bucketKey: true });
  t.is(await code(plan('writer', 'kmsb', { mode: 'none' })), 'AccessDenied');
  t.like(audit.events.at(-1), { principal: 'writer', use: 'encrypt', keyRef: ARN('archive'), allowed: false });
});

test('no document: the process may use every configured key, the bucket’s own default KMS key is readable, and a bucket configuration that cannot be read leaves AccessDenied standing', async (t) => {
  const configs = { kmsb: { algorithm: 'aws:kms' as const, kmsKeyId: 'alias/bucket', bucketKeyEnabled: false, blockedEncryptionTypes: [] as const } };
  const { d } = decisions({ doc: false, configs, readKeys: ['alias/invoices'] });
  t.is(await code(d.check(read('process', ARN('invoices')))), 'allowed');
  t.is(await code(d.check(read('process', ARN('archive')))), 'AccessDenied');
  t.is(await code(d.check({ ...read('process', ARN('bucket')), object: { bucket: 'kmsb', key: 'k' } })), 'allowed', 'the bucket’s default KMS key');
  t.is(await code(d.check(read('process', ARN('bucket')))), 'AccessDenied', 'but only in that bucket');
  await d.authorize('anyone', 'DeleteBucket', { bucket: 'b', key: '' });
  const failing = decisions({ doc: false, configs, failingStore: true, readKeys: ['alias/invoices'] }).d;
  t.is(await code(failing.check({ ...read('process', ARN('bucket')), object: { bucket: 'kmsb', key: 'k' } })), 'AccessDenied');
  t.is(await code(failing.planWrite({ principal: 'process', object: { bucket: 'kmsb', key: 'k' }, requested: { mode: 'none' }, operation: 'PutObject' })), 'BucketConfigurationInvalid', 'a write fails closed');
});

test('a floor pins reads by the envelope key id as stored: a planted id is compared, never resolved (no KMS call), and refused', async (t) => {
  const reg = registry();
  const resolved: string[] = [];
  const counting = { sseS3Key: reg.sseS3Key, resolveId: (ref: string) => (resolved.push(ref), reg.resolveId(ref)) } as unknown as KeystoreRegistry;
  const doc = parsePolicyDocument(
    `version: 1
principals: { reader: {} }
statements: [{ effect: Allow, principals: "*", actions: ["s3:*"], resources: ["*"] }]
keys: [{ principals: [reader], key: "*", permissions: [decrypt] }]
floors: [{ bucket: b, prefix: "pinned/", requireAlgorithm: "aws:kms", requireKey: alias/invoices }]
`,
    'policy.yaml',
    'awskms',
  );
  const d = new PolicyDecisions(counting, new ConfiguredReadKeys(counting), new CapturedAudit(), { document: { current: doc }, bucketEncryption: store({}) });
  const planted = ARN('planted-by-the-admin');
  t.is(await code(d.check({ ...read('reader', planted), object: { bucket: 'b', key: 'pinned/x' } })), 'AccessDenied');
  t.false(resolved.includes(planted), 'the envelope’s key id was never sent to the KMS');
  t.is(await code(d.check({ ...read('reader', ARN('invoices')), object: { bucket: 'b', key: 'pinned/x' } })), 'allowed');
  t.is(await code(d.check({ ...read('reader', undefined), object: { bucket: 'b', key: 'pinned/x' } })), 'allowed', 'SSE-C objects stay readable');
});

test('version actions are their own: a DeleteObjects entry with a VersionId needs s3:DeleteObjectVersion, ListObjectVersions s3:ListBucketVersions', async (t) => {
  const doc = parsePolicyDocument(
    `version: 1
principals: { p: {} }
statements: [{ effect: Allow, principals: [p], actions: ["s3:DeleteObject", "s3:ListBucket"], resources: ["*"] }]
`,
    'policy.yaml',
    'awskms',
  );
  const d = new PolicyDecisions(registry(), new ConfiguredReadKeys(registry()), new CapturedAudit(), { document: { current: doc } });
  t.is(await code(d.authorize('p', 'DeleteObject', { bucket: 'b', key: 'k' })), 'allowed');
  t.is(await code(d.authorize('p', 'DeleteObjectVersion', { bucket: 'b', key: 'k' })), 'AccessDenied');
  t.is(await code(d.authorize('p', 'ListBucket', { bucket: 'b', key: '' })), 'allowed');
  t.is(await code(d.authorize('p', 'ListBucketVersions', { bucket: 'b', key: '' })), 'AccessDenied');
});
