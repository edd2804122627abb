/**
 * Example: one service, three environments, three keystores, no code change. The configuration
 * file (examples/s3seal.profiles.yaml) has a profile per environment; S3SEAL_PROFILE picks one:
 *   development → the file keystore, staging → OpenBao / Vault Transit, production → AWS KMS (local-kms).
 * The code below names no keystore and no key: it writes with `ServerSideEncryption: 'aws:kms'` and
 * the profile's `defaultKmsKey` decides.
 *
 *   npm run services -- up minio openbao localkms     # prints each service's endpoint and keys
 *   npm run build
 *   mkdir -p examples/secrets && chmod 700 examples/secrets       # next to the yaml; never commit it
 *   printf %s "$MINIO_ACCESS_KEY" > examples/secrets/minio-id; printf %s "$MINIO_SECRET_KEY" > examples/secrets/minio-secret
 *   head -c 32 /dev/urandom | base64 > examples/secrets/upload-token-root
 *   printf %s "$OPENBAO_TOKEN" > examples/secrets/vault-token; echo x > examples/secrets/kms-access-key-id; echo x > examples/secrets/kms-secret-access-key
 *   # in the yaml, set the OpenBao (8200) and local-kms (4566) ports to the ones `up` printed;
 *   # the backend's comes from S3SEAL_BACKEND_ENDPOINT, the same for every profile
 *   export S3SEAL_CONFIG=examples/s3seal.profiles.yaml S3SEAL_BACKEND_ENDPOINT=http://127.0.0.1:PORT \
 *     S3SEAL_BACKEND_ACCESS_KEY_ID_FILE=examples/secrets/minio-id S3SEAL_BACKEND_SECRET_ACCESS_KEY_FILE=examples/secrets/minio-secret \
 *     S3SEAL_UPLOAD_TOKEN_ROOT_FILE=examples/secrets/upload-token-root
 *   S3SEAL_PROFILE=development node dist/examples/profiles.js
 *   S3SEAL_PROFILE=staging     node dist/examples/profiles.js
 *   S3SEAL_PROFILE=production  node dist/examples/profiles.js
 *
 * The test suite runs `main` once per profile against real MinIO, OpenBao and local-kms
 * (test/integration/example-profiles.test.ts).
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { pathToFileURL } from 'node:url';
import { closeContainer, createContainer, createSealedS3Client, getService, KeystoreError, loadConfig, startContainer, TOKENS, type S3SealConfig } from '../src/index.js';

/**
 * Demo setup only: creates the keys the configuration names if the keystore lacks them. A real
 * deployment creates its keys with its keystore's own tools (`bao write -f transit/keys/invoices`,
 * `aws kms create-key`), and the service below never does.
 */
async function createDemoKeys(config: S3SealConfig): Promise<void> {
  const container = createContainer(config);
  try {
    const registry = getService(container, TOKENS.KeystoreRegistry);
    for (const ref of [config.sseS3Key, ...(config.defaultKmsKey !== undefined ? [config.defaultKmsKey] : [])]) {
      const { keystore, name } = registry.lookup(ref);
      await keystore.describeKey(name).catch(async (err: unknown) => {
        if (!(err instanceof KeystoreError && err.code === 'KMS.NotFoundException')) throw err;
        await keystore.createKey(name);
      });
    }
  } finally {
    await closeContainer(container);
  }
}

/** the invoices service: the same code in every environment */
export async function main(env: Readonly<Record<string, string | undefined>> = process.env, print: (line: string) => void = console.log): Promise<string[]> {
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    print(l);
  };
  const bucket = env['INVOICES_BUCKET'] ?? 'invoices';

  // the configuration of this environment: file + profile + S3SEAL_* variables, secrets from files
  const config = loadConfig({ env });
  await createDemoKeys(config);
  // startup checks on (the yaml's startupChecks): an unreachable keystore fails here, not at the first request
  const container = await startContainer(config);
  const s3 = createSealedS3Client(container);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((err: unknown) => {
      if ((err as Error).name !== 'BucketAlreadyOwnedByYou') throw err;
    });
    const key = `2026/invoice-${Date.now()}.json`;
    const body = '{"invoice": 42, "total": "99.00"}';
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ServerSideEncryption: 'aws:kms' }));
    const back = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

    // what the object server holds, read past s3seal with the backend's own credentials
    const raw = new S3Client({ endpoint: config.backend.endpoint, region: config.backend.region, forcePathStyle: true, credentials: { accessKeyId: config.backend.accessKeyId, secretAccessKey: config.backend.secretAccessKey } });
    const stored = Buffer.from(await (await raw.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
    raw.destroy();

    say(`profile: ${env['S3SEAL_PROFILE'] ?? env['NODE_ENV'] ?? '(none)'}`);
    say(`keystore: ${Object.keys(config.keystores).join(', ')}`);
    say(`key: ${put.SSEKMSKeyId ?? '(none)'}`);
    say(`read back: ${back === body ? 'ok' : 'MISMATCH'}`);
    say(`stored ciphertext: ${stored.includes(Buffer.from('"invoice"')) ? 'no (plaintext at rest!)' : 'yes'}`);
    return lines;
  } finally {
    await s3.close();
    await closeContainer(container);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error((err as Error).message);
    process.exitCode = 1;
  });
}
