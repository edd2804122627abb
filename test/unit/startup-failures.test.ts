/**
 * Bad configuration fails at startup, not at the first request (issue 9): each case is loaded with
 * loadConfig from a file with profiles and started with createContainer / startContainer, and the
 * test asserts the one message. The reachable keystores are in test/integration/config-profiles.test.ts.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ConfigError, createContainer, closeContainer, FileKeystore, loadConfig, PolicyDocumentError, startContainer, StartupCheckError } from '../../src/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = randomBytes(32).toString('base64');

/** a loopback port nothing listens on: bound, then closed */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

async function setup(profiles: string): Promise<{ dir: string; file: string }> {
  const dir = tempDir('startup');
  const ks = new FileKeystore({ path: join(dir, 'keys.json'), create: true });
  await ks.createKey('s3-default');
  const file = join(dir, 's3seal.yaml');
  writeFileSync(file, `backend: { endpoint: "http://127.0.0.1:9", accessKeyId: a, secretAccessKey: b }\nuploadTokenRoot: ${root}\nprofiles:\n${profiles}`);
  return { dir, file };
}

function messageOf(fn: () => unknown, cls: new (...a: never[]) => Error): string {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof cls)) throw err;
    return err.message;
  }
  throw new Error(`expected ${cls.name}`);
}

test('a group- or world-readable key file fails createContainer, naming the profile, the keystore and the mode', async (t) => {
  const { dir, file } = await setup('  development:\n    keystores: { file: { path: keys.json } }\n');
  chmodSync(join(dir, 'keys.json'), 0o644);
  const config = loadConfig({ env: { S3SEAL_CONFIG: file, NODE_ENV: 'development' } });
  t.is(
    messageOf(() => createContainer(config), ConfigError),
    `s3seal configuration (profile development): keystores.file: key file ${join(dir, 'keys.json')}: is accessible by group or others (mode 644); chmod 600 it`,
  );
  chmodSync(join(dir, 'keys.json'), 0o640);
  t.regex(messageOf(() => createContainer(config), ConfigError), /is accessible by group or others \(mode 640\)/);
  chmodSync(join(dir, 'keys.json'), 0o600);
  await closeContainer(createContainer(config));
});

test('an unreadable or missing key file fails createContainer, naming the profile, the keystore and the path', async (t) => {
  const { dir, file } = await setup('  development:\n    keystores: { file: { path: missing.json } }\n  dir:\n    keystores: { file: { path: . } }\n');
  const m = messageOf(() => createContainer(loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'development' } })), ConfigError);
  t.is(m, `s3seal configuration (profile development): keystores.file: key file ${join(dir, 'missing.json')}: cannot be read (ENOENT)`);
  t.regex(messageOf(() => createContainer(loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'dir' } })), ConfigError), new RegExp(`^s3seal configuration \\(profile dir\\): keystores\\.file: key file ${dir}: cannot be read \\(EISDIR\\)$`));
});

test('a missing Vault CA file fails createContainer, naming the field path', async (t) => {
  const { dir, file } = await setup('  staging:\n    keystores: { vault: { address: "https://vault.example:8200", caFile: ca.pem, auth: { method: token, token: t } } }\n');
  t.is(
    messageOf(() => createContainer(loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'staging' } })), ConfigError),
    `s3seal configuration (profile staging): keystores.vault: caFile ${join(dir, 'ca.pem')}: cannot be read (ENOENT)`,
  );
});

test('a malformed policy document fails createContainer with its file, line and field', async (t) => {
  const { dir, file } = await setup('  production:\n    keystores: { file: { path: keys.json } }\n    policy: { file: policy.yaml, watch: false }\n');
  writeFileSync(join(dir, 'policy.yaml'), 'version: 1\nprincipals:\n  a: {}\nstatements:\n  - effect: Allow\n    principals: [a]\n    actions: [s3:GetObjects]\n    resources: "*"\n');
  const config = loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'production' } });
  t.is(config.policy?.file, join(dir, 'policy.yaml'), 'relative to the configuration file');
  t.regex(messageOf(() => createContainer(config), PolicyDocumentError), new RegExp(`^${join(dir, 'policy.yaml')}:7: statements\\[0\\]\\.actions\\[0\\]: unknown action "s3:GetObjects"`));
});

test('startupChecks.keystores: an unreachable Vault or KMS (a closed loopback port) fails startContainer naming the keystore and its address', async (t) => {
  const vaultPort = await closedPort();
  const kmsPort = await closedPort();
  const { file } = await setup(
    `  staging:\n    startupChecks: { keystores: true, timeoutMs: 20000 }\n    keystores: { vault: { address: "http://127.0.0.1:${vaultPort}", allowInsecureHttp: true, auth: { method: token, token: t } } }\n    sseS3Key: vault:transit/s3-default\n` +
      `  production:\n    startupChecks: { keystores: true }\n    keystores: { awskms: { endpoint: "http://127.0.0.1:${kmsPort}", accessKeyId: a, secretAccessKey: b } }\n    sseS3Key: alias/s3-default\n`,
  );
  const staging = await t.throwsAsync(startContainer(loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'staging' } })), { instanceOf: StartupCheckError });
  t.regex(staging.message, new RegExp(`^s3seal startup check \\(profile staging\\): keystore vault at http://127\\.0\\.0\\.1:${vaultPort} is unreachable: `));
  t.true(staging.retryable);
  const prod = await t.throwsAsync(startContainer(loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'production' } })), { instanceOf: StartupCheckError });
  t.regex(prod.message, new RegExp(`^s3seal startup check \\(profile production\\): keystore awskms at http://127\\.0\\.0\\.1:${kmsPort} is unreachable: `));
  // without the checks the same configuration starts (nothing is reached until a request needs a key)
  await closeContainer(await startContainer(loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'production', S3SEAL_STARTUP_CHECKS_KEYSTORES: 'false' } })));
});

test('startupChecks.keystores: a key the configuration names must exist in a configured keystore', async (t) => {
  const { dir, file } = await setup(
    '  development:\n    startupChecks: { keystores: true }\n    keystores: { file: { path: keys.json } }\n    defaultKmsKey: file:invoices\n' +
      '  unconfigured:\n    startupChecks: { keystores: true }\n    keystores: { file: { path: keys.json } }\n    readKeys: [alias/reports]\n',
  );
  const missing = await t.throwsAsync(startContainer(loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'development' } })), { instanceOf: StartupCheckError });
  t.is(missing.message, `s3seal startup check (profile development): keystore file at ${join(dir, 'keys.json')}: defaultKmsKey: key file:invoices does not exist`);
  const elsewhere = await t.throwsAsync(startContainer(loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'unconfigured' } })), { instanceOf: StartupCheckError });
  t.is(elsewhere.message, 's3seal startup check (profile unconfigured): readKeys.0 names alias/reports, in keystore awskms, which is not configured (keystores.awskms)');
  await new FileKeystore({ path: join(dir, 'keys.json') }).createKey('invoices');
  await closeContainer(await startContainer(loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'development' } })));
  t.pass();
});
