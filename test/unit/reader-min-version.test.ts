/**
 * FORMAT.md §2: a reader is configured with a minimum format version (config `minFormatVersion`,
 * default 1) and refuses anything older with UnsupportedFormatVersion — through the container,
 * for HEAD, GET and the envelope inside an upload token. Also FORMAT.md §6.2: a single-part PUT
 * whose body would not fit S3's 5 GiB PUT is EntityTooLarge before any key is generated.
 * The backend here is an in-memory map: these are unit tests of the engine's entry points.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { ObjectStore } from '../../src/backends/object-store.js';
import { resolveConfig } from '../../src/container/config.js';
import { createContainer } from '../../src/container/create-container.js';
import { TOKENS } from '../../src/container/tokens.js';
import type { Envelope } from '../../src/crypto/envelope.js';
import type { ObjectId } from '../../src/crypto/object-id.js';
import type { KeyResolver } from '../../src/engine/key-resolver.js';
import type { WrapFields } from '../../src/engine/object-writer.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { MAX_SINGLE_PART_PLAINTEXT } from '../../src/engine/size-math.js';
import { isSealError } from '../../src/errors.js';
import { describe, KMS_KEY_ARN } from '../helpers/engine-fixtures.js';
import { MemoryStore } from '../helpers/memory-store.js';

/** One DEK per resolver, "wrapped" opaquely: the engine never looks inside a keystore wrap. */
class FixedKeys implements KeyResolver {
  readonly dek = randomBytes(32);
  generated = 0;
  async generate(): Promise<{ dek: Buffer; wrap: WrapFields }> {
    this.generated++;
    return { dek: Buffer.from(this.dek), wrap: { mode: 'SSE-KMS', keyRef: KMS_KEY_ARN, wrappedKey: randomBytes(60) } };
  }
  async recover(_o: ObjectId, _env: Envelope): Promise<Buffer> {
    return Buffer.from(this.dek);
  }
}

const O = { bucket: 'b', key: 'k' };
const ROOT = randomBytes(32);
const baseConfig = {
  backend: { endpoint: 'http://127.0.0.1:9', accessKeyId: 'a', secretAccessKey: 's' },
  uploadTokenRoot: ROOT.toString('base64'),
};

function engineFromConfig(store: ObjectStore, extra: Record<string, unknown> = {}): SealedObjects {
  const c = createContainer({ ...baseConfig, ...extra });
  c.rebind<ObjectStore>(TOKENS.ObjectStore).toConstantValue(store);
  return c.get<SealedObjects>(TOKENS.SealedObjects);
}

test('config: minFormatVersion defaults to 1, takes a higher minimum, and refuses 0', (t) => {
  t.is(resolveConfig(baseConfig).minFormatVersion, 1);
  t.is(resolveConfig({ ...baseConfig, minFormatVersion: 2 }).minFormatVersion, 2);
  t.throws(() => resolveConfig({ ...baseConfig, minFormatVersion: 0 }), { message: /minFormatVersion/ });
});

test('a reader configured with minFormatVersion 2 refuses a version-1 object (HEAD and GET): UnsupportedFormatVersion', async (t) => {
  const store = new MemoryStore();
  const keys = new FixedKeys();
  const plaintext = randomBytes(1000);
  // written (and readable) by a default deployment
  const writer = engineFromConfig(store);
  await writer.put(O, plaintext, plaintext.length, {}, keys);
  t.true((await buffer((await writer.get(O, keys)).stream)).equals(plaintext));
  t.is((await writer.head(O)).plaintextLength, plaintext.length);
  // refused by one whose minimum is 2, before any key is recovered
  const strict = engineFromConfig(store, { minFormatVersion: 2 });
  for (const [what, op] of [
    ['GET', () => strict.get(O, keys)],
    ['HEAD', () => strict.head(O)],
  ] as const) {
    const err = await t.throwsAsync(op());
    t.true(isSealError(err, 'UnsupportedFormatVersion'), `${what}: ${describe(err)}`);
  }
});

test('an upload token whose envelope is version 1 is refused by a reader with minimum 2', async (t) => {
  const store = new MemoryStore();
  const keys = new FixedKeys();
  const token = await new SealedObjects(store, { uploadTokenRoot: ROOT }).createMultipart(O, {}, keys);
  const strict = new SealedObjects(store, { uploadTokenRoot: ROOT, minFormatVersion: 2 });
  const err = await t.throwsAsync(strict.uploadPart(O, token, 1, Buffer.alloc(10), 10, keys));
  t.true(isSealError(err, 'UnsupportedFormatVersion'), describe(err));
});

test('a single-part PUT over the 5 GiB limit is EntityTooLarge before any key is generated or byte stored', async (t) => {
  const store = new MemoryStore();
  const keys = new FixedKeys();
  const engine = new SealedObjects(store, { uploadTokenRoot: ROOT });
  // the body is never read: the declared length alone decides
  const never = new Readable({ read: () => t.fail('body was read') });
  const err = await t.throwsAsync(engine.put(O, never, MAX_SINGLE_PART_PLAINTEXT + 1, {}, keys));
  t.true(isSealError(err, 'EntityTooLarge'), describe(err));
  t.is(keys.generated, 0);
  t.is(store.puts, 0, 'nothing was sent to the backend');
});
