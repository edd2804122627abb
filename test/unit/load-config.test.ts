/**
 * loadConfig (issue 9, "Configuration with profiles"): the file (JSON or YAML), profiles over its
 * base, S3SEAL_* variables over both, secrets by `…File` / `…_FILE` indirection, one message naming
 * the field and the profile. No process.env is touched: every test passes its own `env`.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, createContainer, closeContainer, getService, resolveConfig, TOKENS, loadConfig, type S3SealConfig } from '../../src/index.js';
import { CONFIG_FIELDS, variableOf } from '../../src/container/config-fields.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = randomBytes(32).toString('base64');
const backend = { endpoint: 'http://127.0.0.1:9', accessKeyId: 'AKID', secretAccessKey: 'SECRET' };

function write(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
}

function json(dir: string, name: string, v: unknown): string {
  return write(dir, name, JSON.stringify(v));
}

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message;
  }
  throw new Error('expected a ConfigError');
}

const PROFILES_YAML = `
backend:
  endpoint: http://127.0.0.1:9
  accessKeyId: AKID
  secretAccessKey: SECRET
uploadTokenRoot: ${root}
bucketKeys:
  maxObjects: 7
profiles:
  development:
    keystores:
      file: { path: keys/dev.json, create: true }
    defaultKmsKeystore: file
    defaultKmsKey: file:invoices
  staging:
    keystores:
      vault:
        allowInsecureHttp: true
        auth: { method: token, token: t }
    defaultKmsKeystore: vault
  production:
    keystores:
      awskms: { region: eu-west-1 }
    bucketKeys:
      maxAgeMs: 1000
`;

test('the variable of a field is S3SEAL_ + its path, camelCase words upper-cased, joined by _; no two fields share one', (t) => {
  t.is(variableOf(['backend', 'endpoint']), 'S3SEAL_BACKEND_ENDPOINT');
  t.is(variableOf(['backend', 'accessKeyId']), 'S3SEAL_BACKEND_ACCESS_KEY_ID');
  t.is(variableOf(['keystores', 'vault', 'address']), 'S3SEAL_KEYSTORES_VAULT_ADDRESS');
  t.is(variableOf(['sseS3Key']), 'S3SEAL_SSE_S3_KEY');
  t.is(variableOf(['bucketKeys', 'maxAgeMs']), 'S3SEAL_BUCKET_KEYS_MAX_AGE_MS');
  const byPath = new Map([...CONFIG_FIELDS.values()].map((f) => [f.path.join('.'), f.variable]));
  t.is(byPath.size, CONFIG_FIELDS.size, 'one variable per field');
  t.is(byPath.get('keystores.vault.auth.secretId'), 'S3SEAL_KEYSTORES_VAULT_AUTH_SECRET_ID');
  t.is(byPath.get('backend.secretAccessKeyFile'), 'S3SEAL_BACKEND_SECRET_ACCESS_KEY_FILE', 'a secret file companion is the secret variable + _FILE');
  t.is(byPath.get('startupChecks.keystores'), 'S3SEAL_STARTUP_CHECKS_KEYSTORES');
});

test('docs/CONFIGURATION.md names every field and its variable', (t) => {
  const doc = readFileSync(new URL('../../../docs/CONFIGURATION.md', import.meta.url), 'utf8');
  for (const f of CONFIG_FIELDS.values()) {
    t.true(doc.includes(`\`${f.path.join('.')}\``), `field ${f.path.join('.')}`);
    t.true(doc.includes(`\`${f.variable}\``), `variable ${f.variable}`);
  }
});

test('environment alone: strings, numbers, booleans, lists (comma-separated or JSON) and JSON lists of mappings become fields', (t) => {
  const c = loadConfig({
    env: {
      S3SEAL_BACKEND_ENDPOINT: 'http://127.0.0.1:9',
      S3SEAL_BACKEND_ACCESS_KEY_ID: 'AKID',
      S3SEAL_BACKEND_SECRET_ACCESS_KEY: 'SECRET',
      S3SEAL_BACKEND_FORCE_PATH_STYLE: 'false',
      S3SEAL_UPLOAD_TOKEN_ROOT: root,
      S3SEAL_BUCKET_KEYS_MAX_AGE_MS: '1500',
      S3SEAL_READ_KEYS: 'file:a, file:b',
      S3SEAL_LISTING_ENCRYPTED_ONLY: '[{"bucket":"logs","prefix":"app/"}]',
      S3SEAL_PASSTHROUGH: '[{"bucket":"legacy"}]',
      S3SEAL_KEYSTORES_VAULT_ADDRESS: 'https://vault.example:8200',
      S3SEAL_KEYSTORES_VAULT_AUTH_METHOD: 'approle',
      S3SEAL_KEYSTORES_VAULT_AUTH_ROLE_ID: 'r',
      S3SEAL_KEYSTORES_VAULT_AUTH_SECRET_ID: 's',
      S3SEAL_AUDIT_DESTINATION: 'stdout',
      // not the loader's: ignored
      S3SEAL_CACHE: '/tmp/x',
      S3SEAL_TEST_SERVICES_ONLY: 'minio',
      S3SEAL_PORT: '1',
    },
  });
  t.is(c.backend.forcePathStyle, false);
  t.is(c.bucketKeys.maxAgeMs, 1500);
  t.deepEqual(c.readKeys, ['file:a', 'file:b']);
  t.deepEqual(c.listing.encryptedOnly, [{ bucket: 'logs', prefix: 'app/' }]);
  t.deepEqual(c.passthrough, [{ bucket: 'legacy', prefix: '' }]);
  t.deepEqual(c.keystores.vault?.auth, { method: 'approle', roleId: 'r', secretId: 's' });
  t.is(c.audit.destination, 'stdout');
  t.deepEqual(loadConfig({ env: { S3SEAL_READ_KEYS: '["file:a"]', S3SEAL_BACKEND_ENDPOINT: 'http://x:1', S3SEAL_BACKEND_ACCESS_KEY_ID: 'a', S3SEAL_BACKEND_SECRET_ACCESS_KEY: 'b', S3SEAL_UPLOAD_TOKEN_ROOT: root } }).readKeys, ['file:a']);
});

test('a misspelt variable under a section prefix is refused, naming it; a bad number names the field and its variable', (t) => {
  t.is(message(() => loadConfig({ env: { S3SEAL_BACKEND_ENDPIONT: 'http://x:1' } })), 's3seal configuration: S3SEAL_BACKEND_ENDPIONT: names no configuration field (docs/CONFIGURATION.md lists the S3SEAL_BACKEND_* variables)');
  const dir = tempDir('cfg');
  const file = json(dir, 's3seal.json', { backend, uploadTokenRoot: root });
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_BUCKET_KEYS_MAX_AGE_MS: '5m' } })), 's3seal configuration: bucketKeys.maxAgeMs (S3SEAL_BUCKET_KEYS_MAX_AGE_MS): Expected number, received string');
  t.regex(message(() => loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PASSTHROUGH: 'legacy' } })), /^s3seal configuration: S3SEAL_PASSTHROUGH: is not valid JSON/);
});

test('JSON and YAML files; variables override the file; relative paths in the file are relative to the file, in variables to cwd', (t) => {
  const dir = tempDir('cfg');
  mkdirSync(join(dir, 'etc'));
  const yamlFile = write(dir, 'etc/s3seal.yaml', `backend:\n  endpoint: http://127.0.0.1:9\n  accessKeyId: AKID\n  secretAccessKey: SECRET\nuploadTokenRoot: ${root}\nkeystores:\n  file: { path: keys.json }\npolicy: { file: policy.yaml, watch: false }\n`);
  const y = loadConfig({ env: { S3SEAL_CONFIG: 'etc/s3seal.yaml', S3SEAL_BACKEND_REGION: 'eu-central-1' }, cwd: dir });
  t.is(y.backend.region, 'eu-central-1', 'the variable wins over the default');
  t.is(y.keystores.file?.path, join(dir, 'etc', 'keys.json'));
  t.is(y.policy?.file, join(dir, 'etc', 'policy.yaml'));
  const jsonFile = json(dir, 's3seal.json', { backend: { ...backend, region: 'us-west-2' }, uploadTokenRoot: root });
  const j = loadConfig({ env: { S3SEAL_BACKEND_REGION: 'eu-central-1', S3SEAL_KEYSTORES_FILE_PATH: 'k/keys.json' }, file: jsonFile, cwd: join(dir, 'etc') });
  t.is(j.backend.region, 'eu-central-1', 'the variable wins over the file');
  t.is(j.keystores.file?.path, join(dir, 'etc', 'k', 'keys.json'));
  t.is(loadConfig({ env: {}, file: yamlFile }).backend.accessKeyId, 'AKID');
});

test('a file that is not YAML/JSON, or not a mapping, or unreadable: one message naming the file (and line), never its content', (t) => {
  const dir = tempDir('cfg');
  const bad = write(dir, 'bad.yaml', 'backend:\n  endpoint: http://x\n secretAccessKey: hunter2-secret\n');
  const m = message(() => loadConfig({ env: { S3SEAL_CONFIG: bad } }));
  t.regex(m, new RegExp(`^s3seal configuration file ${bad}:\\d+: not valid YAML or JSON$`));
  t.false(m.includes('hunter2'));
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: write(dir, 'dup.json', '{"a":1,"a":2}') } })), `s3seal configuration file ${join(dir, 'dup.json')}:1: duplicate key`);
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: write(dir, 'list.yaml', '- a\n') } })), `s3seal configuration file ${join(dir, 'list.yaml')}: must be a mapping of fields (docs/CONFIGURATION.md)`);
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: join(dir, 'nope.yaml') } })), `s3seal configuration: S3SEAL_CONFIG: cannot read ${join(dir, 'nope.yaml')} (ENOENT)`);
});

test('profiles: the chosen one is merged over the base; S3SEAL_PROFILE wins over NODE_ENV; the message names the profile', (t) => {
  const dir = tempDir('cfg');
  const file = write(dir, 's3seal.yaml', PROFILES_YAML);
  const dev = loadConfig({ env: { S3SEAL_CONFIG: file, NODE_ENV: 'development' } });
  t.is(dev.keystores.file?.path, join(dir, 'keys', 'dev.json'));
  t.is(dev.keystores.vault, undefined);
  t.is(dev.defaultKmsKey, 'file:invoices');
  t.is(dev.bucketKeys.maxObjects, 7, 'base kept');
  const prod = loadConfig({ env: { S3SEAL_CONFIG: file, NODE_ENV: 'development', S3SEAL_PROFILE: 'production' } });
  t.deepEqual(Object.keys(prod.keystores), ['awskms']);
  t.is(prod.keystores.awskms?.region, 'eu-west-1');
  t.deepEqual([prod.bucketKeys.maxObjects, prod.bucketKeys.maxAgeMs], [7, 1000], 'mappings merge key by key');
  t.is(loadConfig({ env: { S3SEAL_CONFIG: file }, profile: 'production' }).keystores.awskms?.region, 'eu-west-1', 'the profile option');
  // staging's Vault has no address: the one message names the field and the profile
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'staging' } })), 's3seal configuration (profile staging): keystores.vault.address: Required');
  // …and a variable supplies it, for that profile only
  t.is(loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'staging', S3SEAL_KEYSTORES_VAULT_ADDRESS: 'http://127.0.0.1:8200' } }).keystores.vault?.address, 'http://127.0.0.1:8200');
});

test('an unknown profile is an error listing the known ones (from S3SEAL_PROFILE, and from NODE_ENV once the file has profiles)', (t) => {
  const dir = tempDir('cfg');
  const file = write(dir, 's3seal.yaml', PROFILES_YAML);
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'prod' } })), `s3seal configuration: S3SEAL_PROFILE=prod: no such profile in ${file}; known profiles: development, staging, production`);
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: file, NODE_ENV: 'test' } })), `s3seal configuration: NODE_ENV=test: no such profile in ${file}; known profiles: development, staging, production`);
  const plain = json(dir, 'plain.json', { backend, uploadTokenRoot: root });
  t.is(loadConfig({ env: { S3SEAL_CONFIG: plain, NODE_ENV: 'production' } }).backend.endpoint, backend.endpoint, 'NODE_ENV chooses nothing in a file without profiles');
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: plain, S3SEAL_PROFILE: 'staging' } })), `s3seal configuration: S3SEAL_PROFILE=staging: no such profile in ${plain}; the file defines no profiles`);
  t.is(message(() => loadConfig({ env: { S3SEAL_PROFILE: 'staging' } })), 's3seal configuration: S3SEAL_PROFILE=staging: no such profile (no configuration file: S3SEAL_CONFIG is not set); the file defines no profiles');
});

test('an unknown keystore is refused by name: defaultKmsKeystore: hsm, and a keystores.hsm section', (t) => {
  const dir = tempDir('cfg');
  const file = write(dir, 's3seal.yaml', `${PROFILES_YAML}  hsm-default:\n    defaultKmsKeystore: hsm\n  hsm-section:\n    keystores:\n      hsm: { slot: 1 }\n`);
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'hsm-default' } })), "s3seal configuration (profile hsm-default): defaultKmsKeystore: Invalid enum value. Expected 'file' | 'vault' | 'awskms', received 'hsm'");
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'hsm-section' } })), 's3seal configuration (profile hsm-section): keystores.hsm: unknown keystore (known: file, vault, awskms)');
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'production', S3SEAL_DEFAULT_KMS_KEYSTORE: 'hsm' } })), "s3seal configuration (profile production): defaultKmsKeystore (S3SEAL_DEFAULT_KMS_KEYSTORE): Invalid enum value. Expected 'file' | 'vault' | 'awskms', received 'hsm'");
});

test('secrets by indirection: …_FILE variables and …File fields, one trailing newline trimmed; the variable beats the file', (t) => {
  const dir = tempDir('cfg');
  const secret = write(dir, 'minio-secret', 'from-a-file\n');
  write(dir, 'vault-token', 'tok\r\n');
  const file = write(dir, 's3seal.yaml', `backend:\n  endpoint: http://127.0.0.1:9\n  accessKeyId: AKID\n  secretAccessKey: in-the-file\nuploadTokenRoot: ${root}\nkeystores:\n  vault:\n    address: https://vault.example\n    auth: { method: token, tokenFile: vault-token }\n`);
  const c = loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_BACKEND_SECRET_ACCESS_KEY_FILE: secret } });
  t.is(c.backend.secretAccessKey, 'from-a-file');
  t.deepEqual(c.keystores.vault?.auth, { method: 'token', token: 'tok' }, 'tokenFile relative to the config file');
  const both = write(dir, 'both.yaml', `backend:\n  endpoint: http://127.0.0.1:9\n  accessKeyId: AKID\n  secretAccessKey: x\n  secretAccessKeyFile: minio-secret\nuploadTokenRoot: ${root}\n`);
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: both } })), 's3seal configuration: backend.secretAccessKey and backend.secretAccessKeyFile: set one of them, not both');
  const rootFile = write(dir, 'root', `${root}\n`);
  t.is(loadConfig({ env: { S3SEAL_BACKEND_ENDPOINT: 'http://x:1', S3SEAL_BACKEND_ACCESS_KEY_ID_FILE: secret, S3SEAL_BACKEND_SECRET_ACCESS_KEY_FILE: secret, S3SEAL_UPLOAD_TOKEN_ROOT_FILE: rootFile } }).uploadTokenRoot, root);
});

test('an unreadable secret file fails with the variable/field and the path, never the content; an empty one names the field', (t) => {
  const dir = tempDir('cfg');
  const file = write(dir, 's3seal.yaml', `backend:\n  endpoint: http://127.0.0.1:9\n  accessKeyId: AKID\n  secretAccessKeyFile: secrets/minio\nuploadTokenRoot: ${root}\n`);
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: '' } })), `s3seal configuration: backend.secretAccessKeyFile: cannot read ${join(dir, 'secrets', 'minio')} (ENOENT)`);
  mkdirSync(join(dir, 'secrets', 'minio'), { recursive: true });
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: file } })), `s3seal configuration: backend.secretAccessKeyFile: cannot read ${join(dir, 'secrets', 'minio')} (EISDIR)`);
  t.is(
    message(() => loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_BACKEND_SECRET_ACCESS_KEY_FILE: 'missing' }, cwd: dir })),
    `s3seal configuration: backend.secretAccessKeyFile (S3SEAL_BACKEND_SECRET_ACCESS_KEY_FILE): cannot read ${join(dir, 'missing')} (ENOENT)`,
  );
  write(dir, 'empty', '\n');
  t.is(message(() => loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_BACKEND_SECRET_ACCESS_KEY_FILE: 'empty' }, cwd: dir })), 's3seal configuration: backend.secretAccessKey: String must contain at least 1 character(s)');
});

test('a profile may drop a base section with null, and switch Vault auth methods without the other method\'s fields', (t) => {
  const dir = tempDir('cfg');
  const file = write(
    dir,
    's3seal.yaml',
    `backend: { endpoint: "http://127.0.0.1:9", accessKeyId: a, secretAccessKey: b }\nuploadTokenRoot: ${root}\nkeystores:\n  file: { path: keys.json }\n  vault: { address: "https://v.example", auth: { method: token, token: t } }\nprofiles:\n  approle:\n    keystores:\n      file: null\n      vault: { auth: { method: approle, roleId: r, secretIdFile: sid } }\n`,
  );
  write(dir, 'sid', 's-e-c\n');
  const c = loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'approle' } });
  t.deepEqual(Object.keys(c.keystores), ['vault']);
  t.deepEqual(c.keystores.vault?.auth, { method: 'approle', roleId: 'r', secretId: 's-e-c' });
  t.is(c.keystores.vault?.address, 'https://v.example');
});

test('what loadConfig returns is a configuration createContainer and resolveConfig accept as it is', async (t) => {
  const dir = tempDir('cfg');
  const file = write(dir, 's3seal.yaml', PROFILES_YAML);
  mkdirSync(join(dir, 'keys'));
  const c: S3SealConfig = loadConfig({ env: { S3SEAL_CONFIG: file, S3SEAL_PROFILE: 'development' } });
  t.deepEqual(resolveConfig(c), c, 'resolving a resolved configuration changes nothing');
  const container = createContainer(c);
  t.deepEqual(getService(container, TOKENS.Config), c);
  t.is(getService(container, TOKENS.FileKeystore).id, 'file');
  await closeContainer(container);
});
