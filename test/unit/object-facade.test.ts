/**
 * The engine facade (issue 7 item 1) over an in-memory backend: request objects in, result objects
 * out; keys only from the MaterialsManager (plan on write, envelope on read — the reader never names
 * a mode); SseResult echoes; content headers stored and returned; SSE-C codes; a planted envelope is
 * AccessDenied before any keystore unwrap; resolvers disposed; delete and a denied action touch no
 * key. Real wraps: FileKeystores through CountingKeystore. MinIO: test/integration/object-facade.test.ts.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { SealError } from '../../src/errors.js';
import { ConfiguredReadKeys } from '../../src/engine/materials/configured-read-keys.js';
import { KeystoreRegistry } from '../../src/engine/materials/keystore-registry.js';
import { MaterialsManager, type EncryptionPlan } from '../../src/engine/materials/materials-manager.js';
import type { KeyResolver } from '../../src/engine/key-resolver.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { ObjectFacade } from '../../src/engine/facade/object-facade.js';
import type { ObjectActionPolicy } from '../../src/engine/facade/object-action-policy.js';
import { CountingKeystore } from '../helpers/counting-keystore.js';
import { MemoryStore } from '../helpers/memory-store.js';

interface Fixture {
  file: CountingKeystore;
  store: MemoryStore;
  registry: KeystoreRegistry;
  manager: MaterialsManager;
  objects: SealedObjects;
  facade: ObjectFacade;
}

async function fixture(policy?: ObjectActionPolicy): Promise<Fixture> {
  const file = await CountingKeystore.create(['s3-default', 'a', 'planted']);
  const registry = new KeystoreRegistry({ file }, 'file', undefined, undefined, 'file:s3-default');
  const opts = { defaultKmsKey: 'file:a' };
  const manager = new MaterialsManager(registry, new ConfiguredReadKeys(registry, opts), opts);
  const store = new MemoryStore();
  const objects = new SealedObjects(store, { uploadTokenRoot: randomBytes(32) });
  return { file, store, registry, manager, objects, facade: new ObjectFacade(objects, manager, store, policy) };
}

const base = { bucket: 'b', principal: 'svc' };
const md5 = (k: Buffer): string => createHash('md5').update(k).digest('base64');
const customerKey = Buffer.alloc(32, 9);
const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));

const plans: [string, EncryptionPlan, object][] = [
  ['SSE-S3', { mode: 'SSE-S3' }, { mode: 'SSE-S3', keyId: 'file:s3-default', bucketKeyEnabled: false }],
  ['SSE-S3 bucket-key', { mode: 'SSE-S3', bucketKey: true }, { mode: 'SSE-S3', keyId: 'file:s3-default', bucketKeyEnabled: true }],
  ['SSE-KMS with context', { mode: 'SSE-KMS', keyRef: 'file:a', context: { dept: 'payroll' } }, { mode: 'SSE-KMS', keyId: 'file:a', context: { dept: 'payroll' }, bucketKeyEnabled: false }],
  ['SSE-KMS default key, bucket-key', { mode: 'SSE-KMS', bucketKey: true, context: { x: 'y' } }, { mode: 'SSE-KMS', keyId: 'file:a', context: { x: 'y' }, bucketKeyEnabled: true }],
  ['SSE-C', { mode: 'SSE-C', customerKey }, { mode: 'SSE-C', bucketKeyEnabled: false, customerKeyMd5: md5(customerKey) }],
];

for (const [name, encryption, sse] of plans) {
  test(`${name}: PUT, HEAD, GET and ranged GET through the facade echo the SseResult; the reader names no mode`, async (t) => {
    const f = await fixture();
    const key = `obj/${name}`;
    const read = encryption.mode === 'SSE-C' ? { customerKey: Buffer.from(customerKey) } : {};
    const put = await f.facade.putObject({ ...base, key, body, contentLength: body.length, encryption, userMetadata: { owner: 'me' } });
    t.deepEqual(put.sse, sse);
    t.is(typeof put.etag, 'string');
    const head = await f.facade.headObject({ ...base, key, ...read });
    t.deepEqual(head.sse, sse);
    t.is(head.contentLength, body.length, 'plaintext size');
    t.deepEqual(head.userMetadata, { owner: 'me' }, 'caller metadata only, no envelope');
    const got = await f.facade.getObject({ ...base, key, ...read });
    t.deepEqual(got.sse, sse);
    t.is(got.etag, put.etag);
    t.deepEqual(await buffer(got.body), body);
    t.is(got.contentRange, undefined);

    const ranges: [Parameters<ObjectFacade['getObject']>[0]['range'], number, number][] = [
      [{ kind: 'from', first: 70_000, last: 70_009 }, 70_000, 70_009],
      [{ kind: 'from', first: 199_990 }, 199_990, 199_999],
      [{ kind: 'from', first: 5, last: 10_000_000 }, 5, 199_999],
      [{ kind: 'suffix', length: 3 }, 199_997, 199_999],
      [{ kind: 'suffix', length: 1_000_000 }, 0, 199_999],
    ];
    for (const [range, start, end] of ranges) {
      const r = await f.facade.getObject({ ...base, key, ...read, range });
      t.deepEqual(r.contentRange, { start, end, total: body.length }, JSON.stringify(range));
      t.is(r.contentLength, end - start + 1);
      t.deepEqual(await buffer(r.body), body.subarray(start, end + 1));
    }
    const before = f.file.calls.decryptDataKey;
    const err = await t.throwsAsync(f.facade.getObject({ ...base, key, ...read, range: { kind: 'from', first: body.length } }), { instanceOf: SealError });
    t.is(err?.code, 'InvalidRange');
    t.is(f.file.calls.decryptDataKey, before, 'an unsatisfiable range unwraps nothing');
  });
}

test('content headers are stored with the object and returned by HEAD and GET', async (t) => {
  const f = await fixture();
  const headers = { contentType: 'text/csv; charset=utf-8', cacheControl: 'max-age=60', contentDisposition: 'attachment; filename="r.csv"', contentEncoding: 'gzip', expires: 'Wed, 21 Oct 2026 07:28:00 GMT' };
  await f.facade.putObject({ ...base, key: 'h', body, contentLength: body.length, encryption: { mode: 'SSE-S3' }, ...headers });
  const head = await f.facade.headObject({ ...base, key: 'h' });
  const got = await f.facade.getObject({ ...base, key: 'h', range: { kind: 'suffix', length: 1 } });
  for (const [n, v] of Object.entries(headers)) {
    t.is((head as unknown as Record<string, unknown>)[n], v, `HEAD ${n}`);
    t.is((got as unknown as Record<string, unknown>)[n], v, `GET ${n}`);
  }
  got.body.resume();
});

test('SSE-C: GET or HEAD without the key is InvalidRequest, with another key AccessDenied; an SSE-C key on an SSE-S3 object is InvalidRequest', async (t) => {
  const f = await fixture();
  await f.facade.putObject({ ...base, key: 'c', body, contentLength: body.length, encryption: { mode: 'SSE-C', customerKey: Buffer.from(customerKey) } });
  await f.facade.putObject({ ...base, key: 's3', body, contentLength: body.length, encryption: { mode: 'SSE-S3' } });
  const code = async (p: Promise<unknown>): Promise<string | undefined> => (await t.throwsAsync(p, { instanceOf: SealError }))?.code;
  t.is(await code(f.facade.getObject({ ...base, key: 'c' })), 'InvalidRequest');
  t.is(await code(f.facade.headObject({ ...base, key: 'c' })), 'InvalidRequest');
  t.is(await code(f.facade.getObject({ ...base, key: 'c', customerKey: randomBytes(32) })), 'AccessDenied');
  t.is(await code(f.facade.headObject({ ...base, key: 'c', customerKey: randomBytes(32) })), 'AccessDenied');
  t.is(await code(f.facade.getObject({ ...base, key: 's3', customerKey: randomBytes(32) })), 'InvalidRequest');
  t.is(await code(f.facade.headObject({ ...base, key: 's3', customerKey: randomBytes(32) })), 'InvalidRequest');
});

test('an envelope planted under a key this process can unwrap but may not read: GET is AccessDenied with no keystore unwrap; HEAD uses no key', async (t) => {
  const f = await fixture();
  await f.objects.put({ bucket: 'b', key: 'planted' }, body, body.length, {}, f.registry.resolver({ mode: 'SSE-KMS', keyRef: 'file:planted' }));
  const before = f.file.calls.decryptDataKey;
  const err = await t.throwsAsync(f.facade.getObject({ ...base, key: 'planted' }), { instanceOf: SealError });
  t.is(err?.code, 'AccessDenied');
  const head = await f.facade.headObject({ ...base, key: 'planted' });
  t.is(head.sse?.keyId, 'file:planted');
  t.is(f.file.calls.decryptDataKey, before, 'zero unwraps');
});

test('the write resolver (for SSE-C a copy of the customer key) is disposed also when the PUT fails', async (t) => {
  const f = await fixture();
  const disposed: boolean[] = [];
  const forWrite = f.manager.forWrite.bind(f.manager);
  f.manager.forWrite = async (plan, principal): Promise<KeyResolver> => {
    const r = await forWrite(plan, principal);
    const i = disposed.push(false) - 1;
    return { generate: (o, n) => r.generate(o, n), recover: (o, e) => r.recover(o, e), dispose: () => ((disposed[i] = true), r.dispose?.()) };
  };
  const err = await t.throwsAsync(f.facade.putObject({ ...base, key: 'big', body, contentLength: body.length, encryption: { mode: 'SSE-C', customerKey: Buffer.from(customerKey) }, userMetadata: { m: 'x'.repeat(3000) } }), { instanceOf: SealError });
  t.is(err?.code, 'MetadataTooLarge');
  await f.facade.putObject({ ...base, key: 'ok', body, contentLength: body.length, encryption: { mode: 'SSE-C', customerKey: Buffer.from(customerKey) } });
  t.deepEqual(disposed, [true, true]);
  t.is(f.store.puts, 1);
});

test('a whole GET is one backend request (no HEAD); a ranged GET of a single-part object too; a refused whole GET releases the body it opened', async (t) => {
  const f = await fixture();
  await f.facade.putObject({ ...base, key: 'w', body, contentLength: body.length, encryption: { mode: 'SSE-C', customerKey: Buffer.from(customerKey) } });
  const got = await f.facade.getObject({ ...base, key: 'w', customerKey });
  t.deepEqual(await buffer(got.body), body);
  t.deepEqual([f.store.opens, f.store.heads], [1, 0], 'one GET, no HEAD');
  const ranged = await f.facade.getObject({ ...base, key: 'w', customerKey, range: { kind: 'suffix', length: 5 } });
  t.deepEqual(await buffer(ranged.body), body.subarray(-5));
  t.deepEqual([f.store.opens, f.store.heads], [2, 0], 'the suffix range: one more GET, no HEAD');

  const bodies: Readable[] = [];
  const open = f.store.open.bind(f.store);
  f.store.open = async (b, k) => {
    const r = await open(b, k);
    bodies.push(r.body);
    return r;
  };
  const err = await t.throwsAsync(f.facade.getObject({ ...base, key: 'w', customerKey: randomBytes(32) }), { instanceOf: SealError });
  t.is(err?.code, 'AccessDenied');
  t.is(bodies.length, 1);
  t.true(bodies[0]!.destroyed, 'the opened body was destroyed');
});

test('partNumber through the facade: part 1 of a single-part object is its Content-Range (no part count), GET and HEAD; another part is InvalidPartNumber; with a Range, InvalidRequest before the backend', async (t) => {
  const f = await fixture();
  await f.facade.putObject({ ...base, key: 'p', body, contentLength: body.length, encryption: { mode: 'SSE-S3' } });
  const got = await f.facade.getObject({ ...base, key: 'p', partNumber: 1 });
  t.deepEqual([got.contentRange, got.contentLength, got.partsCount], [{ start: 0, end: body.length - 1, total: body.length }, body.length, undefined]);
  t.deepEqual(await buffer(got.body), body);
  const head = await f.facade.headObject({ ...base, key: 'p', partNumber: 1 });
  t.deepEqual([head.contentRange, head.contentLength, head.partsCount], [{ start: 0, end: body.length - 1, total: body.length }, body.length, undefined]);
  const plainHead = await f.facade.headObject({ ...base, key: 'p' });
  t.is(plainHead.contentRange, undefined, 'a HEAD without partNumber describes the whole object');
  for (const read of [() => f.facade.getObject({ ...base, key: 'p', partNumber: 2 }), () => f.facade.headObject({ ...base, key: 'p', partNumber: 2 })]) {
    const err = await t.throwsAsync(read(), { instanceOf: SealError });
    t.is(err?.code, 'InvalidPartNumber');
  }
  const opens = f.store.opens;
  const both = await t.throwsAsync(f.facade.getObject({ ...base, key: 'p', partNumber: 1, range: { kind: 'from', first: 0 } }), { instanceOf: SealError });
  t.is(both?.code, 'InvalidRequest');
  t.is(f.store.opens, opens, 'nothing reached the backend');
});

test('deleteObject goes to the backend and uses no key', async (t) => {
  const f = await fixture();
  await f.facade.putObject({ ...base, key: 'd', body, contentLength: body.length, encryption: { mode: 'SSE-KMS' } });
  const calls = { ...f.file.calls };
  await f.facade.deleteObject({ ...base, key: 'd' });
  t.false(f.store.has('b', 'd'));
  t.is(f.store.deletes, 1);
  t.deepEqual(f.file.calls, calls, 'no keystore call');
});

test('every facade method asks the action policy first: a refusal reaches neither the backend nor a keystore', async (t) => {
  const asked: string[] = [];
  const f = await fixture({
    authorize: (principal, action, o) => {
      asked.push(`${principal} ${action} ${o.bucket}/${o.key}`);
      return Promise.reject(new SealError('AccessDenied', 'Access Denied'));
    },
  });
  const denied = async (p: Promise<unknown>): Promise<void> => void t.is((await t.throwsAsync(p, { instanceOf: SealError }))?.code, 'AccessDenied');
  const r = { ...base, key: 'k' };
  await denied(f.facade.putObject({ ...r, body, contentLength: body.length, encryption: { mode: 'SSE-S3' } }));
  await denied(f.facade.getObject(r));
  await denied(f.facade.headObject(r));
  await denied(f.facade.deleteObject(r));
  await denied(f.facade.createMultipartUpload({ ...r, encryption: { mode: 'SSE-S3' } }));
  await denied(f.facade.uploadPart({ ...r, uploadId: 'x', partNumber: 1, body, contentLength: body.length }));
  await denied(f.facade.completeMultipartUpload({ ...r, uploadId: 'x', parts: [] }));
  await denied(f.facade.abortMultipartUpload({ ...r, uploadId: 'x' }));
  t.deepEqual(asked.map((a) => a.split(' ')[1]), ['PutObject', 'GetObject', 'HeadObject', 'DeleteObject', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'AbortMultipartUpload']);
  t.is(asked[0], 'svc PutObject b/k');
  t.is(f.store.puts + f.store.deletes, 0);
  t.deepEqual(f.file.calls, { generateDataKey: 0, decryptDataKey: 0, describeKey: 0 });
});

test('CreateMultipartUpload echoes the plan; UploadPart of an SSE-C upload needs its key', async (t) => {
  const f = await fixture();
  const created = await f.facade.createMultipartUpload({ ...base, key: 'm', encryption: { mode: 'SSE-KMS', keyRef: 'file:a', context: { a: 'b' }, bucketKey: true } });
  t.deepEqual(created.sse, { mode: 'SSE-KMS', keyId: 'file:a', context: { a: 'b' }, bucketKeyEnabled: true });
  const c = await f.facade.createMultipartUpload({ ...base, key: 'mc', encryption: { mode: 'SSE-C', customerKey: Buffer.from(customerKey) } });
  t.deepEqual(c.sse, { mode: 'SSE-C', bucketKeyEnabled: false, customerKeyMd5: md5(customerKey) });
  const err = await t.throwsAsync(f.facade.uploadPart({ ...base, key: 'mc', uploadId: c.uploadId, partNumber: 1, body, contentLength: body.length }), { instanceOf: SealError });
  t.is(err?.code, 'InvalidRequest');
  const wrong = await t.throwsAsync(f.facade.uploadPart({ ...base, key: 'mc', uploadId: c.uploadId, partNumber: 1, body, contentLength: body.length, customerKey: randomBytes(32) }), { instanceOf: SealError });
  t.is(wrong?.code, 'AccessDenied', 'another key cannot add parts');
  const other = await t.throwsAsync(f.facade.uploadPart({ ...base, key: 'mc', uploadId: created.uploadId, partNumber: 1, body, contentLength: body.length }), { instanceOf: SealError });
  t.is(other?.code, 'UploadTokenInvalid', "a token is bound to its object: another key's upload id is refused");
});

test('PutObject of unknown length within one part is one single-part PUT; a Buffer must state its length; the part size is at least 5 MiB', async (t) => {
  const f = await fixture();
  const put = await f.facade.putObject({ ...base, key: 'u', body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]), encryption: { mode: 'SSE-S3' } });
  t.is(put.sse.mode, 'SSE-S3');
  t.is(f.store.puts, 1);
  t.deepEqual(await buffer((await f.facade.getObject({ ...base, key: 'u' })).body), body);
  const empty = await f.facade.putObject({ ...base, key: 'e', body: Readable.from([]), encryption: { mode: 'SSE-S3' } });
  t.truthy(empty.etag);
  t.is((await f.facade.headObject({ ...base, key: 'e' })).contentLength, 0, 'an empty stream is an empty object');
  const err = await t.throwsAsync(f.facade.putObject({ ...base, key: 'b', body, encryption: { mode: 'SSE-S3' } }), { instanceOf: SealError });
  t.is(err?.code, 'InvalidArgument');
  t.throws(() => new ObjectFacade(f.objects, f.manager, f.store, undefined, { unknownLengthPartSize: 1024 }), { instanceOf: RangeError });
});
