/**
 * The upload-token root is derived from a keystore key (DESIGN.md "Multipart": "MAC under a
 * keystore-derived key"): two instances of a service configured alike accept each other's UploadIds;
 * an instance deriving from another key refuses them (NoSuchUpload).
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { createContainer, resolveConfig, ConfigError, TOKENS, type KeystoreRegistry } from '../../src/index.js';
import type { SealedObjects } from '../../src/engine/sealed-objects.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { VaultKeystore } from '../../src/keystores/vault/vault-keystore.js';
import { SealError } from '../../src/errors.js';
import { s3ErrorShape } from '../../src/adapters/s3/s3-error-shape.js';
import { freshBucket, service } from '../helpers/services.js';
import { openbao } from '../helpers/openbao-admin.js';
import { tempDir } from '../helpers/temp-dir.js';

test('configuration takes exactly one of uploadTokenKey and uploadTokenRoot', (t) => {
  const backend = { endpoint: 'http://127.0.0.1:9', accessKeyId: 'a', secretAccessKey: 'b' };
  t.throws(() => resolveConfig({ backend }), { instanceOf: ConfigError, message: /exactly one of uploadTokenKey/ });
  t.throws(() => resolveConfig({ backend, uploadTokenKey: 'file:t', uploadTokenRoot: randomBytes(32).toString('base64') }), { instanceOf: ConfigError });
  t.notThrows(() => resolveConfig({ backend, uploadTokenKey: 'file:t' }));
});

for (const keystore of ['file', 'vault'] as const) {
  test(`${keystore}: two instances sharing the keystore accept each other's upload tokens; another key's instance refuses them`, async (t) => {
    const m = service('minio');
    const bucket = await freshBucket(m, 'tokroot');
    const backend = { endpoint: m.endpoint, accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! };
    let keystores: Record<string, unknown>;
    let tokenKey: string;
    let otherKey: string;
    if (keystore === 'file') {
      const path = join(tempDir('tokroot'), 'keys.json');
      const ks = new FileKeystore({ path, create: true });
      await ks.createKey('data');
      await ks.createKey('tokens');
      await ks.createKey('tokens-elsewhere');
      keystores = { file: { path } };
      tokenKey = 'file:tokens';
      otherKey = 'file:tokens-elsewhere';
    } else {
      const o = openbao();
      const admin = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
      const tag = randomBytes(3).toString('hex');
      for (const k of ['data', 'tokens', 'tokens-elsewhere']) await admin.createKey(`${o.mount}/${k}-${tag}`);
      keystores = { vault: { address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } } };
      tokenKey = `vault:${o.mount}/tokens-${tag}`;
      otherKey = `vault:${o.mount}/tokens-elsewhere-${tag}`;
    }
    const dataKey = keystore === 'file' ? 'file:data' : tokenKey.replace('tokens', 'data');
    const instance = (key: string): { objects: SealedObjects; registry: KeystoreRegistry } => {
      const c = createContainer({ backend, keystores, uploadTokenKey: key });
      return { objects: c.get<SealedObjects>(TOKENS.SealedObjects), registry: c.get<KeystoreRegistry>(TOKENS.KeystoreRegistry) };
    };
    const a = instance(tokenKey);
    const b = instance(tokenKey);
    const elsewhere = instance(otherKey);
    const o = { bucket, key: 'shared-upload' };
    const keysA = a.registry.resolver({ mode: 'SSE-KMS', keyRef: dataKey });
    const keysB = b.registry.resolver({ mode: 'SSE-KMS', keyRef: dataKey });
    const token = await a.objects.createMultipart(o, {}, keysA);
    const part = randomBytes(1000);
    const etag = await b.objects.uploadPart(o, token, 1, part, part.length, keysB);
    const err = await t.throwsAsync(elsewhere.objects.uploadPart(o, token, 1, part, part.length, elsewhere.registry.resolver({ mode: 'SSE-KMS', keyRef: dataKey })), { instanceOf: SealError });
    t.is(err?.code, 'UploadTokenInvalid');
    t.like(s3ErrorShape(err), { code: 'NoSuchUpload', status: 404 });
    await a.objects.completeMultipart(o, token, [{ partNumber: 1, etag }], keysA);
    t.true((await buffer((await b.objects.get(o, keysB)).stream)).equals(part));
  });
}
