/**
 * The container for real (issue 7 item 8, DESIGN.md "Architecture"): one ContainerModule per part,
 * loaded from the configuration (only configured keystores are bound); typed tokens, each
 * rebindable through `createContainer(config, { modules })`; the registry is the `Keystore`
 * multi-binding; closing the container closes clients and zeroes cached keys.
 * The stores here are in memory: these tests are about wiring. The real-server paths run in
 * test/integration (sse-s3-key, keystore-registry, upload-token-root, examples).
 */
import test from 'ava';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { ContainerModule } from 'inversify';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { bindService, closeContainer, createContainer, ConfigError, getAllServices, getService, KeystoreError, TOKENS, type S3SealConfigInput, type Token } from '../../src/index.js';
import { KeystoreRegistry } from '../../src/engine/materials/keystore-registry.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { VaultKeystore } from '../../src/keystores/vault/vault-keystore.js';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { CountingKeystore } from '../helpers/counting-keystore.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { RecordingStore } from '../helpers/recording-store.js';
import { tempDir } from '../helpers/temp-dir.js';

const backend = { endpoint: 'http://127.0.0.1:9', accessKeyId: 'a', secretAccessKey: 'b' };
const vault = { address: 'http://127.0.0.1:8200', allowInsecureHttp: true, auth: { method: 'token', token: 't' } } as const;
const awskms = { endpoint: 'http://127.0.0.1:9', accessKeyId: 'a', secretAccessKey: 'b' };

function keyFile(names: string[]): Promise<string> {
  const path = join(tempDir('container'), 'keys.json');
  const ks = new FileKeystore({ path, create: true });
  return names.reduce<Promise<unknown>>((p, n) => p.then(() => ks.createKey(n)), Promise.resolve()).then(() => path);
}

function config(extra: Partial<S3SealConfigInput> = {}): S3SealConfigInput {
  return { backend, uploadTokenRoot: randomBytes(32).toString('base64'), ...extra };
}

/** a module that rebinds one token to a constant: what a test (or a service) adds to the defaults */
function rebinding<T>(token: Token<T>, value: T): ContainerModule {
  return new ContainerModule(({ rebind }) => {
    bindService(rebind, token).toConstantValue(value);
  });
}

test('only the configured keystores are bound; the registry holds exactly those', async (t) => {
  const path = await keyFile([]);
  const fileOnly = createContainer(config({ keystores: { file: { path } } }));
  t.true(fileOnly.isBound(TOKENS.FileKeystore));
  for (const tok of [TOKENS.VaultKeystore, TOKENS.AwsKmsKeystore, TOKENS.KmsClient]) t.false(fileOnly.isBound(tok), String(tok));
  t.deepEqual(getAllServices(fileOnly, TOKENS.Keystore).map((k) => k.id), ['file']);
  const registry = getService(fileOnly, TOKENS.KeystoreRegistry);
  t.true(registry.lookup('file:x').keystore instanceof FileKeystore);
  t.is(t.throws(() => registry.lookup('vault:transit/x'), { instanceOf: KeystoreError })?.code, 'KeyStoreMisconfigured');
  t.is(t.throws(() => registry.lookup('alias/x'), { instanceOf: KeystoreError })?.code, 'KeyStoreMisconfigured');

  const all = createContainer(config({ keystores: { file: { path }, vault, awskms } }));
  t.deepEqual(getAllServices(all, TOKENS.Keystore).map((k) => k.id), ['file', 'vault', 'awskms']);
  const r = getService(all, TOKENS.KeystoreRegistry);
  t.true(r.lookup('vault:transit/x').keystore instanceof VaultKeystore);
  t.true(r.lookup('alias/x').keystore instanceof AwsKmsKeystore);
  t.is(r.lookup('alias/x').keystore, getService(all, TOKENS.AwsKmsKeystore), 'the registry holds the container singletons');
  await closeContainer(all);
  await closeContainer(fileOnly);

  const none = createContainer(config());
  t.deepEqual(getAllServices(none, TOKENS.Keystore), []);
  t.is(t.throws(() => getService(none, TOKENS.KeystoreRegistry).lookup('file:x'), { instanceOf: KeystoreError })?.code, 'KeyStoreMisconfigured');
});

test('a module passed to createContainer rebinds a piece: a RecordingStore as ObjectStore gets the sealed PUT', async (t) => {
  const path = await keyFile(['s3-default']);
  const recording = new RecordingStore(new MemoryStore());
  const c = createContainer(config({ keystores: { file: { path } } }), { modules: [rebinding(TOKENS.ObjectStore, recording)] });
  const objects = getService(c, TOKENS.SealedObjects);
  const body = Buffer.from('through the rebound store');
  await objects.put({ bucket: 'b', key: 'k' }, body, body.length, {}, getService(c, TOKENS.KeystoreRegistry).sseS3Resolver());
  t.deepEqual(recording.puts.map((p) => p.key), ['k']);
  const read = await objects.get({ bucket: 'b', key: 'k' }, getService(c, TOKENS.KeystoreRegistry).sseS3Resolver());
  t.deepEqual(await buffer(read.stream), body);
  await closeContainer(c);
});

test('Keystore is a multi-binding: a module that binds one more keystore puts it in the registry; two under one id are refused', async (t) => {
  const path = await keyFile([]);
  const kms = await CountingKeystore.create(['bare'], 'awskms');
  const extra = new ContainerModule(({ bind }) => {
    bindService(bind, TOKENS.Keystore).toConstantValue(kms);
  });
  const c = createContainer(config({ keystores: { file: { path } } }), { modules: [extra] });
  const registry = getService(c, TOKENS.KeystoreRegistry);
  t.is(registry.lookup('bare').keystore, kms, 'a bare name goes to the default KMS keystore: the one the module bound');
  t.true(registry.lookup('file:x').keystore instanceof FileKeystore);
  const { wrap } = await registry.resolver({ mode: 'SSE-KMS', keyRef: 'bare' }).generate({ bucket: 'b', key: 'k' });
  t.regex(wrap.keyRef ?? '', /^arn:aws:kms:/);

  // rebinding a keystore's own token changes what the registry gets (the multi-binding is an alias)
  const fake = await CountingKeystore.create([], 'file');
  const swapped = createContainer(config({ keystores: { file: { path } } }), { modules: [rebinding(TOKENS.FileKeystore, fake as unknown as FileKeystore)] });
  t.is(getService(swapped, TOKENS.KeystoreRegistry).lookup('file:x').keystore, fake);

  const twice = createContainer(config({ keystores: { file: { path } } }), { modules: [new ContainerModule(({ bind }) => void bindService(bind, TOKENS.Keystore).toConstantValue(fake))] });
  const err = t.throws(() => getService(twice, TOKENS.KeystoreRegistry));
  t.true(err instanceof ConfigError, String(err));
  t.regex(err?.message ?? '', /two keystores are bound with id file/);
});

test('closing the container destroys the S3 and KMS clients, closes the Vault agent, zeroes cached bucket keys and the upload-token roots, forgets resolved ids', async (t) => {
  const path = await keyFile(['tokens']);
  const ks = await CountingKeystore.create(['bk'], 'awskms');
  const derived: Buffer[] = [];
  const deriving = Object.assign(Object.create(ks) as CountingKeystore, {
    deriveSecret: async (name: string, label: string) => {
      const s = await ks.deriveSecret(name, label);
      derived.push(s);
      return s;
    },
  });
  // a store whose CreateMultipartUpload answers, so SealedObjects derives its upload-token root
  class MultipartStore extends MemoryStore {
    override createMultipart(): Promise<string> {
      return Promise.resolve('backend-upload');
    }
  }
  const c = createContainer(config({ keystores: { file: { path }, vault, awskms }, uploadTokenRoot: undefined, uploadTokenKey: 'bk' }), {
    modules: [rebinding(TOKENS.AwsKmsKeystore, deriving as unknown as AwsKmsKeystore), rebinding(TOKENS.ObjectStore, new MultipartStore())],
  });
  const s3 = getService(c, TOKENS.S3Client);
  const kmsClient = getService(c, TOKENS.KmsClient);
  const vaultKs = getService(c, TOKENS.VaultKeystore);
  t.true(s3 instanceof S3Client && kmsClient instanceof KMSClient);
  const closed: string[] = [];
  const record = <O extends object, K extends keyof O & string>(o: O, method: K, name: string): void => {
    const orig = o[method] as (...a: unknown[]) => unknown;
    (o as Record<string, unknown>)[method] = (...a: unknown[]) => {
      closed.push(name);
      return orig.apply(o, a);
    };
  };
  record(s3, 'destroy', 's3');
  record(kmsClient, 'destroy', 'kms');
  record(vaultKs, 'close', 'vault');

  const registry = getService(c, TOKENS.KeystoreRegistry);
  const o = { bucket: 'b', key: 'k' };
  const keys = registry.resolver({ mode: 'SSE-KMS', keyRef: 'bk', bucketKeyPrincipal: 'p' });
  const { dek } = await keys.generate(o, 1);
  dek.fill(0);
  const bucketKey = ks.handedOut[0]!;
  t.false(bucketKey.equals(Buffer.alloc(32)), 'the cached bucket key is live before close');
  await getService(c, TOKENS.SealedObjects).createMultipart(o, {}, keys);
  t.is(derived.length, 1);
  t.false(derived[0]!.equals(Buffer.alloc(32)));
  const ids = getService(c, TOKENS.ResolvedKeyIds);
  const describes = ks.calls.describeKey;
  await ids.resolve(deriving, 'bk');
  t.is(ks.calls.describeKey, describes, 'resolved id cached');

  await closeContainer(c);
  t.deepEqual([...closed].sort(), ['kms', 's3', 'vault']);
  t.true(bucketKey.equals(Buffer.alloc(32)), 'the bucket key the cache held is zeroed');
  t.true(derived[0]!.equals(Buffer.alloc(32)), 'the derived upload-token root is zeroed');
  await ids.resolve(deriving, 'bk');
  t.is(ks.calls.describeKey, describes + 1, 'resolved ids forgotten');
  t.false(c.isBound(TOKENS.SealedObjects));

  // a configured root: decoded by the container, so it owns and zeroes it
  const withRoot = createContainer(config());
  const root = getService(withRoot, TOKENS.UploadTokenRoot);
  t.true(Buffer.isBuffer(root) && !root.equals(Buffer.alloc(32)));
  await closeContainer(withRoot);
  t.true(Buffer.isBuffer(root) && root.equals(Buffer.alloc(32)));
});

test('closing a container that built only some services, and closing it twice, is harmless', async (t) => {
  const path = await keyFile([]);
  let vaultsBuilt = 0;
  let vaultsClosed = 0;
  let coresBuilt = 0;
  const counting = new ContainerModule(({ rebind }) => {
    bindService(rebind, TOKENS.VaultKeystore)
      .toDynamicValue(() => {
        vaultsBuilt++;
        return new VaultKeystore(vault);
      })
      .onDeactivation((v) => {
        vaultsClosed++;
        return v.close();
      });
    bindService(rebind, TOKENS.S3Core).toDynamicValue(() => {
      coresBuilt++;
      throw new Error('not to be built');
    });
  });
  const c = createContainer(config({ keystores: { file: { path }, vault, awskms } }), { modules: [counting] });
  t.is(vaultsBuilt, 1, 'the configured keystores are built when the container is created, so a bad one fails the start');
  getService(c, TOKENS.S3Client);
  await t.notThrowsAsync(closeContainer(c));
  t.is(coresBuilt, 0, 'a service nobody used is not built just to be closed');
  t.is(vaultsClosed, 1);
  t.false(c.isBound(TOKENS.S3Client));
  await t.notThrowsAsync(closeContainer(c));
});

test('typed tokens: getService returns the bound type; the config token holds the resolved configuration', (t) => {
  const c = createContainer(config({ sseS3Key: 'file:managed' }));
  const cfg = getService(c, TOKENS.Config);
  t.is(cfg.sseS3Key, 'file:managed');
  t.is(cfg.backend.region, 'us-east-1', 'defaults resolved once');
  t.is(getService(c, TOKENS.SseS3KeyRef), 'file:managed');
  t.is(getService(c, TOKENS.KeystoreRegistry).sseS3Key, 'file:managed');
  // a registry built by hand without a managed key cannot guess one
  t.is(t.throws(() => new KeystoreRegistry({}).sseS3Resolver(), { instanceOf: KeystoreError })?.code, 'KeyStoreMisconfigured');
});

test('tuning options reach what the container builds: resolved-id TTL, bucket-key entries, file-keystore lock and reserve', async (t) => {
  const path = await keyFile(['k1', 'k2', 'k3']);
  const counting = await CountingKeystore.create(['k']);
  const c = createContainer(
    config({
      keystores: { file: { path, wrapReserve: 7, lockWaitMs: 1234 } },
      resolvedKeyIds: { ttlMs: 1 },
      bucketKeys: { maxEntries: 1 },
      multipartReads: { verifiedLayoutCacheParts: 0, headerReadConcurrency: 2 },
    }),
    { modules: [rebinding(TOKENS.Keystore, counting)] },
  );
  const registry = getService(c, TOKENS.KeystoreRegistry);
  await registry.resolveId('file:k');
  await new Promise((r) => setTimeout(r, 5));
  await registry.resolveId('file:k');
  t.is(counting.calls.describeKey, 2, 'a 1 ms TTL: asked again');
  // one entry per side: a second bucket key evicts the first
  const cache = getService(c, TOKENS.BucketKeyCache);
  for (const key of ['a', 'b']) await registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:k', bucketKeyPrincipal: 'p' }).generate({ bucket: key, key: 'o' }, 1);
  t.is(cache.stats.evictions, 1);
  t.is(counting.calls.generateDataKey, 2);
  const file = getService(c, TOKENS.FileKeystore);
  // the keystore keeps its options privately; that the configured ones arrived is all this checks
  const { opts } = file as unknown as { opts: { wrapReserve?: number; lockWaitMs?: number } };
  t.is(opts.wrapReserve, 7);
  t.is(opts.lockWaitMs, 1234);
  await closeContainer(c);
});

test('an engine held past closeContainer refuses multipart operations instead of MACing tokens under a zeroed root (review B)', async (t) => {
  const store = new MemoryStore();
  const c = createContainer(config(), { modules: [rebinding(TOKENS.ObjectStore, store)] });
  const objects = getService(c, TOKENS.SealedObjects);
  const sse = { generate: async () => ({ dek: randomBytes(32), wrap: { mode: 'SSE-C' as const, wrappedKey: randomBytes(48), ssecSalt: randomBytes(16), ssecCheck: randomBytes(32) } }), recover: async () => randomBytes(32) };
  const o = { bucket: 'b', key: 'k' };
  const token = await objects.createMultipart(o, {}, sse);
  await closeContainer(c);
  for (const [what, op] of [
    ['create', () => objects.createMultipart(o, {}, sse)],
    ['part', () => objects.uploadPart(o, token, 1, Buffer.alloc(1), 1, sse)],
    ['abort', () => objects.abortMultipart(o, token)],
  ] as const) {
    const err = await t.throwsAsync(op(), undefined, what);
    t.is((err as { code?: string }).code, 'BackendUnavailable', what);
    t.true((err as { retryable?: boolean }).retryable, what);
  }
});
