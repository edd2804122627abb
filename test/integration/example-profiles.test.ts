/**
 * examples/profiles.ts (issue 9, example 2): the shipped examples/s3seal.profiles.yaml, copied next
 * to this run's secrets with its loopback ports set to this run's OpenBao and local-kms, run once
 * per S3SEAL_PROFILE against real MinIO. The environment is the same for the three runs but for
 * S3SEAL_PROFILE; the example's own lines say which keystore and key served it and that MinIO holds
 * ciphertext.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../examples/profiles.js';
import { openbao } from '../helpers/openbao-admin.js';
import { freshBucket, service } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

test('examples/profiles: S3SEAL_PROFILE=development | staging | production → file / OpenBao / local-kms, the same code, ciphertext at rest', async (t) => {
  const m = service('minio');
  const kms = service('localkms');
  const o = openbao();
  const dir = tempDir('example-profiles');
  const yaml = readFileSync(new URL('../../../examples/s3seal.profiles.yaml', import.meta.url), 'utf8');
  t.true(yaml.includes('http://127.0.0.1:8200') && yaml.includes('http://127.0.0.1:4566'), 'the shipped file names the loopback addresses replaced here');
  // the file exactly as shipped, with this run's ports
  writeFileSync(join(dir, 's3seal.profiles.yaml'), yaml.replace('http://127.0.0.1:8200', o.address).replace('http://127.0.0.1:4566', kms.endpoint));
  mkdirSync(join(dir, 'secrets'), { mode: 0o700 });
  const secret = (name: string, value: string) => {
    writeFileSync(join(dir, 'secrets', name), `${value}\n`, { mode: 0o600 });
    return join(dir, 'secrets', name);
  };
  secret('vault-token', o.rootToken);
  secret('kms-access-key-id', kms.accessKey ?? 'x');
  secret('kms-secret-access-key', kms.secretKey ?? 'x');
  const env = {
    S3SEAL_CONFIG: join(dir, 's3seal.profiles.yaml'),
    S3SEAL_BACKEND_ENDPOINT: m.endpoint,
    S3SEAL_BACKEND_ACCESS_KEY_ID_FILE: secret('minio-id', m.accessKey!),
    S3SEAL_BACKEND_SECRET_ACCESS_KEY_FILE: secret('minio-secret', m.secretKey!),
    S3SEAL_UPLOAD_TOKEN_ROOT_FILE: secret('upload-token-root', randomBytes(32).toString('base64')),
    INVOICES_BUCKET: await freshBucket(m, 'example-profiles'),
  };

  const printed: string[] = [];
  const dev = await main({ ...env, S3SEAL_PROFILE: 'development' }, (l) => printed.push(l));
  t.deepEqual(dev, ['profile: development', 'keystore: file', 'key: file:invoices', 'read back: ok', 'stored ciphertext: yes']);
  t.deepEqual(printed, dev, 'it prints what it shows');

  const staging = await main({ ...env, S3SEAL_PROFILE: 'staging' }, () => undefined);
  t.deepEqual(staging, ['profile: staging', 'keystore: vault', 'key: vault:transit/invoices', 'read back: ok', 'stored ciphertext: yes']);

  const production = await main({ ...env, S3SEAL_PROFILE: 'production' }, () => undefined);
  t.deepEqual(production.slice(0, 2), ['profile: production', 'keystore: awskms']);
  t.regex(production[2]!, /^key: arn:aws:kms:us-east-1:\d+:key\/[0-9a-f-]+$/, 'alias/invoices resolved to its local-kms key ARN');
  t.deepEqual(production.slice(3), ['read back: ok', 'stored ciphertext: yes']);
});
