/** keyRef resolution across real keystores: aliases resolve, the resolved id is what envelopes store. */
import test from 'ava';
import { randomBytes } from 'node:crypto';

import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import { VaultKeystore } from '../../src/keystores/vault/vault-keystore.js';
import { KeystoreRegistry } from '../../src/engine/materials/keystore-registry.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { s3Client, service } from '../helpers/services.js';
import { openbao } from '../helpers/openbao-admin.js';

test('one registry, three keystores: each keyRef scheme reaches its keystore; aliases are stored resolved', async (t) => {
  const d = service('localkms');
  const kms = new AwsKmsKeystore(new KMSClient({ endpoint: d.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  const alias = `alias/registry-${randomBytes(4).toString('hex')}`;
  const { keyId: arn } = await kms.createKey(alias);
  const file = new FileKeystore({ path: join(tempDir('reg'), 'keys.json'), create: true });
  await file.createKey('local');
  const o = openbao();
  const vault = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
  const vkey = `${o.mount}/registry-${randomBytes(4).toString('hex')}`;
  await vault.createKey(vkey);
  const registry = new KeystoreRegistry({ awskms: kms, file, vault });

  t.is(await registry.resolveId(alias), arn, 'an alias resolves to its key ARN');
  const s3 = s3Client(service('minio'));
  const bucket = `registry-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const sealed = new SealedObjects(new S3ObjectStore(s3), { uploadTokenRoot: randomBytes(32) });
  for (const [ref, expected] of [[alias, arn], ['file:local', 'file:local'], [`vault:${vkey}`, `vault:${vkey}`]] as const) {
    const keys = registry.resolver({ mode: 'SSE-KMS', keyRef: ref, context: { app: 'registry' } });
    await sealed.put({ bucket, key: ref }, Buffer.from('x'), 1, {}, keys);
    t.is((await sealed.head({ bucket, key: ref })).envelope?.keyRef, expected, `${ref} is stored as ${expected}`);
    const r = await sealed.get({ bucket, key: ref }, keys);
    for await (const _ of r.stream) void _;
  }
  const none = new KeystoreRegistry({ file });
  const err = t.throws(() => none.lookup(alias), { instanceOf: KeystoreError });
  t.regex(err.message, /awskms keystore, which is not configured/);
  s3.destroy();
});

test('repairs (item 10): AWS KMS key <id> and file:<id> never share a bucket key, on real local-kms', async (t) => {
  const d = service('localkms');
  const kms = new AwsKmsKeystore(new KMSClient({ endpoint: d.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  const { keyId: arn } = await kms.createKey(`alias/collide-${randomBytes(4).toString('hex')}`);
  const bare = arn.slice(arn.lastIndexOf('/') + 1); // the key id: a bare name goes to AWS KMS
  const file = new FileKeystore({ path: join(tempDir('reg'), 'keys.json'), create: true });
  await file.createKey(bare);
  const registry = new KeystoreRegistry({ awskms: kms, file });
  const s3 = s3Client(service('minio'));
  const bucket = `collide-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const sealed = new SealedObjects(new S3ObjectStore(s3), { uploadTokenRoot: randomBytes(32) });
  const viaFile = registry.resolver({ mode: 'SSE-KMS', keyRef: `file:${bare}`, bucketKeyPrincipal: 'p' });
  const viaKms = registry.resolver({ mode: 'SSE-KMS', keyRef: bare, bucketKeyPrincipal: 'p' });
  await sealed.put({ bucket, key: 'file' }, Buffer.from('x'), 1, {}, viaFile);
  await sealed.put({ bucket, key: 'kms' }, Buffer.from('y'), 1, {}, viaKms);
  t.is((await sealed.head({ bucket, key: 'file' })).envelope?.keyRef, `file:${bare}`);
  t.is((await sealed.head({ bucket, key: 'kms' })).envelope?.keyRef, arn, 'the AWS KMS request got an AWS KMS bucket key');
  t.is(registry.bucketKeys.stats.kmsCalls, 2, 'one bucket key per keystore');
  for (const [key, keys, body] of [['file', viaFile, 'x'], ['kms', viaKms, 'y']] as const) {
    const r = await sealed.get({ bucket, key }, keys);
    const chunks: Buffer[] = [];
    for await (const c of r.stream) chunks.push(c as Buffer);
    t.is(Buffer.concat(chunks).toString(), body);
  }
  s3.destroy();
});
