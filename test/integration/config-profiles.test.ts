/**
 * Keystores per environment by configuration alone (issue 9 acceptance: "Changing only
 * S3SEAL_PROFILE switches among all three keystores"): one configuration file with three profiles —
 * file, OpenBao Transit, local-kms —, one environment that differs only in S3SEAL_PROFILE, and the
 * same code writing and reading SSE-KMS through each against real MinIO. What MinIO stores is then
 * read raw: the envelope's key id names that profile's key, and its wrapped data key unwraps under
 * that keystore's key, asked directly — so the key really came from that keystore.
 */
import test from 'ava';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsKmsKeystore, closeContainer, createSealedS3Client, FileKeystore, getS3SealPlugin, loadConfig, parseKeyRef, startContainer, StartupCheckError, VaultKeystore, type Keystore } from '../../src/index.js';
import { decodeEnvelope } from '../../src/crypto/envelope.js';
import { bindingContext } from '../../src/crypto/encryption-context.js';
import { openbao } from '../helpers/openbao-admin.js';
import { freshBucket, kmsClient, s3Client, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Deployment {
  env: Record<string, string>;
  bucket: string;
  keystores: Record<'development' | 'staging' | 'production', Keystore>;
  keys: Record<'development' | 'staging' | 'production', string>;
}

/** the keys, the secrets as files, and one configuration file with a profile per environment */
async function deploy(): Promise<Deployment> {
  const m = service('minio');
  const bucket = await freshBucket(m, 'profiles');
  const dir = tempDir('profiles');
  const tag = randomBytes(3).toString('hex');
  const file = new FileKeystore({ path: join(dir, 'keys.json'), create: true });
  for (const k of ['s3-default', 'invoices']) await file.createKey(k);
  const o = openbao();
  const vault = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
  for (const k of ['s3-default', 'invoices']) await vault.createKey(`${o.mount}/${k}-${tag}`);
  const kms = new AwsKmsKeystore(kmsClient(service('localkms')), { rotateOnDemand: false });
  for (const k of ['s3-default', 'invoices']) await kms.createKey(`alias/${k}-${tag}`);

  const secret = (name: string, value: string) => {
    writeFileSync(join(dir, name), `${value}\n`, { mode: 0o600 });
    return join(dir, name);
  };
  secret('vault-token', o.rootToken);
  const kmsDesc = service('localkms');
  writeFileSync(
    join(dir, 's3seal.yaml'),
    [
      `backend: { endpoint: "${m.endpoint}" }`,
      'startupChecks: { keystores: true }',
      'profiles:',
      '  development:',
      '    keystores: { file: { path: keys.json } }',
      '    sseS3Key: file:s3-default',
      '    defaultKmsKey: file:invoices',
      '  staging:',
      `    keystores: { vault: { address: "${o.address}", allowInsecureHttp: true, auth: { method: token, tokenFile: vault-token } } }`,
      `    sseS3Key: vault:${o.mount}/s3-default-${tag}`,
      `    defaultKmsKey: vault:${o.mount}/invoices-${tag}`,
      '  production:',
      `    keystores: { awskms: { endpoint: "${kmsDesc.endpoint}", region: us-east-1, accessKeyIdFile: kms-id, secretAccessKeyFile: kms-secret, rotateOnDemand: false } }`,
      `    sseS3Key: alias/s3-default-${tag}`,
      `    defaultKmsKey: alias/invoices-${tag}`,
      '',
    ].join('\n'),
  );
  secret('kms-id', kmsDesc.accessKey ?? 'x');
  secret('kms-secret', kmsDesc.secretKey ?? 'x');
  return {
    bucket,
    env: {
      S3SEAL_CONFIG: join(dir, 's3seal.yaml'),
      S3SEAL_BACKEND_ACCESS_KEY_ID_FILE: secret('minio-id', m.accessKey!),
      S3SEAL_BACKEND_SECRET_ACCESS_KEY_FILE: secret('minio-secret', m.secretKey!),
      S3SEAL_UPLOAD_TOKEN_ROOT_FILE: secret('upload-token-root', randomBytes(32).toString('base64')),
    },
    keystores: { development: file, staging: vault, production: kms },
    keys: { development: 'file:invoices', staging: `vault:${o.mount}/invoices-${tag}`, production: `alias/invoices-${tag}` },
  };
}

/** the service's code: the same whatever the profile */
async function invoiceService(env: Record<string, string>, bucket: string, key: string, body: string): Promise<{ keyId: string | undefined; back: string }> {
  const s3 = createSealedS3Client(await startContainer(loadConfig({ env })));
  try {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ServerSideEncryption: 'aws:kms' }));
    const back = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
    return { keyId: put.SSEKMSKeyId, back };
  } finally {
    await s3.close();
    // the container was passed in: the client does not own it
    await closeContainer(s3.container);
  }
}

test('changing only S3SEAL_PROFILE switches among the file keystore, OpenBao and local-kms; each envelope holds a key that keystore wrapped', async (t) => {
  const d = await deploy();
  const raw = s3Client(service('minio'));
  const arns = new Set<string>();
  try {
    for (const profile of ['development', 'staging', 'production'] as const) {
      const key = `invoices/${profile}.json`;
      const body = `{"invoice": 42, "env": "${profile}"}`;
      const { keyId, back } = await invoiceService({ ...d.env, S3SEAL_PROFILE: profile }, d.bucket, key, body);
      t.is(back, body, `${profile}: read back`);

      // what MinIO holds: ciphertext, and an envelope naming this profile's key
      const head = await raw.send(new HeadObjectCommand({ Bucket: d.bucket, Key: key }));
      const stored = Buffer.from(await (await raw.send(new GetObjectCommand({ Bucket: d.bucket, Key: key }))).Body!.transformToByteArray());
      t.false(stored.includes(Buffer.from('"invoice"')), `${profile}: no plaintext at rest`);
      const env = decodeEnvelope(head.Metadata!['s3seal']!);
      t.is(env.mode, 'SSE-KMS');
      t.is(env.keyRef, keyId, `${profile}: the envelope's key id is the one echoed`);
      if (profile === 'production') {
        t.regex(keyId!, /^arn:aws:kms:us-east-1:\d+:key\//, 'the alias resolved to local-kms key ARN');
        t.is((await d.keystores.production.describeKey(d.keys.production)).keyId, keyId!);
        arns.add(keyId!);
      } else {
        t.is(keyId, d.keys[profile]);
      }
      // the wrapped data key unwraps under that keystore's key, asked directly
      const { keystore, name } = parseKeyRef(env.keyRef!);
      t.is(keystore, d.keystores[profile].id);
      const dek = await d.keystores[profile].decryptDataKey(name, env.wrappedKey, bindingContext({ bucket: d.bucket, key }));
      t.is(dek.length, 32);
      dek.fill(0);
    }
    t.is(arns.size, 1);
  } finally {
    raw.destroy();
  }
});

test('the loaded configuration goes straight into createSealedS3Client and getS3SealPlugin (a user client gets SSE-KMS by one line)', async (t) => {
  const d = await deploy();
  const env = { ...d.env, S3SEAL_PROFILE: 'staging' };
  const sealed = createSealedS3Client(loadConfig({ env }));
  try {
    const put = await sealed.send(new PutObjectCommand({ Bucket: d.bucket, Key: 'a', Body: 'alpha', ServerSideEncryption: 'aws:kms' }));
    t.is(put.SSEKMSKeyId, d.keys.staging);
  } finally {
    await sealed.close();
  }
  const m = service('minio');
  const mine = new S3Client({ endpoint: m.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: m.accessKey!, secretAccessKey: m.secretKey! } });
  const plugin = getS3SealPlugin(loadConfig({ env }));
  mine.middlewareStack.use(plugin);
  try {
    t.is(await (await mine.send(new GetObjectCommand({ Bucket: d.bucket, Key: 'a' }))).Body!.transformToString(), 'alpha');
    t.is((await mine.send(new HeadObjectCommand({ Bucket: d.bucket, Key: 'a' }))).SSEKMSKeyId, d.keys.staging);
  } finally {
    mine.destroy();
    await plugin.close();
  }
});

test('startupChecks with the real OpenBao and local-kms: reachable keystores start; a key the profile names but the keystore lacks fails the start naming it', async (t) => {
  const d = await deploy();
  for (const profile of ['staging', 'production']) await closeContainer(await startContainer(loadConfig({ env: { ...d.env, S3SEAL_PROFILE: profile } })));
  const o = openbao();
  const staging = await t.throwsAsync(startContainer(loadConfig({ env: { ...d.env, S3SEAL_PROFILE: 'staging', S3SEAL_READ_KEYS: `vault:${o.mount}/never-created` } })), { instanceOf: StartupCheckError });
  t.regex(staging.message, new RegExp(`^s3seal startup check \\(profile staging\\): keystore vault at ${o.address.replace(/[.]/g, '\\.')}: readKeys\\.0: `));
  const prod = await t.throwsAsync(startContainer(loadConfig({ env: { ...d.env, S3SEAL_PROFILE: 'production', S3SEAL_READ_KEYS: 'alias/never-created' } })), { instanceOf: StartupCheckError });
  t.regex(prod.message, /^s3seal startup check \(profile production\): keystore awskms at http:\/\/127\.0\.0\.1:\d+: readKeys\.0: /);
});
