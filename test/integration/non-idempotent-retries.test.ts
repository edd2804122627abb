/**
 * Non-idempotent keystore calls are never repeated blindly (DESIGN.md "Retries", issue 6 item 17):
 * an answer lost after the real server applied the change (AnswerDroppingProxy) is followed by a
 * re-read of the state, not by a second rotate / create.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { DescribeKeyCommand, KMSClient, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { VaultKeystore } from '../../src/keystores/vault/vault-keystore.js';
import { AwsKmsKeystore } from '../../src/keystores/awskms-keystore.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { AnswerDroppingProxy } from '../helpers/answer-dropping-proxy.js';
import { openbao } from '../helpers/openbao-admin.js';
import { service } from '../helpers/services.js';

test('vault rotate whose answer is lost after OpenBao rotated: rotated exactly once', async (t) => {
  const o = openbao();
  const admin = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
  const key = `${o.mount}/rotate-once-${randomBytes(4).toString('hex')}`;
  await admin.createKey(key);
  const proxy = new AnswerDroppingProxy(o.address);
  const url = await proxy.start();
  try {
    const ks = new VaultKeystore({ address: url, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken }, retry: { attempts: 3, baseMs: 10, maxMs: 50 }, timeoutMs: 2000 });
    proxy.dropAnswers((method, path) => method === 'POST' && path.endsWith('/rotate'));
    const d = await ks.rotateKey(key);
    t.is(proxy.dropped, 1, 'the first rotate answer was lost');
    t.is((await admin.describeKey(key)).latestVersion, 2, 'one rotation: version 1 → 2, not 3');
    t.is(d.latestVersion, 2);
    t.is(proxy.seen.filter((s) => s.endsWith('/rotate')).length, 1, 'rotate was sent once; the version was re-read instead');
    await ks.close();
  } finally {
    await proxy.stop();
  }
});

test('vault rotate whose request never reached OpenBao: rotated again (the version did not move), exactly once', async (t) => {
  const o = openbao();
  const admin = new VaultKeystore({ address: o.address, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken } });
  const key = `${o.mount}/rotate-lost-${randomBytes(4).toString('hex')}`;
  await admin.createKey(key);
  const proxy = new AnswerDroppingProxy(o.address);
  const url = await proxy.start();
  try {
    const ks = new VaultKeystore({ address: url, allowInsecureHttp: true, auth: { method: 'token', token: o.rootToken }, retry: { attempts: 3, baseMs: 10, maxMs: 50 }, timeoutMs: 2000 });
    proxy.dropRequests((method, path) => method === 'POST' && path.endsWith('/rotate'));
    const d = await ks.rotateKey(key);
    t.is(proxy.dropped, 1, 'the first rotate never reached OpenBao');
    t.is(proxy.seen.filter((s) => s.endsWith('/rotate')).length, 2, 'so it was sent again');
    t.is(d.latestVersion, 2);
    t.is((await admin.describeKey(key)).latestVersion, 2);
    await ks.close();
  } finally {
    await proxy.stop();
  }
});

function kms(endpoint: string, extra: Partial<ConstructorParameters<typeof KMSClient>[0]> = {}): KMSClient {
  const d = service('localkms');
  return new KMSClient({ endpoint, region: d.region ?? 'us-east-1', credentials: { accessKeyId: d.accessKey ?? 'x', secretAccessKey: d.secretKey ?? 'x' }, ...extra });
}

/** the keys the keystore made for `alias` (it describes them as `s3seal <alias>`); other tests share local-kms */
async function keysFor(client: KMSClient, alias: string): Promise<number> {
  let n = 0;
  let marker: string | undefined;
  do {
    const r = await client.send(new ListKeysCommand({ Limit: 1000, ...(marker ? { Marker: marker } : {}) }));
    for (const k of r.Keys ?? []) {
      const d = await client.send(new DescribeKeyCommand({ KeyId: k.KeyId }));
      if (d.KeyMetadata?.Description === `s3seal ${alias}`) n++;
    }
    marker = r.Truncated ? r.NextMarker : undefined;
  } while (marker);
  return n;
}

async function aliasTarget(client: KMSClient, alias: string): Promise<string | undefined> {
  let marker: string | undefined;
  do {
    const r = await client.send(new ListAliasesCommand({ Limit: 100, ...(marker ? { Marker: marker } : {}) }));
    const hit = r.Aliases?.find((a) => a.AliasName === alias);
    if (hit) return hit.TargetKeyId;
    marker = r.Truncated ? r.NextMarker : undefined;
  } while (marker);
  return undefined;
}

test('local-kms CreateAlias whose answer is lost after the alias was made: createKey succeeds, one key, alias on it', async (t) => {
  const d = service('localkms');
  const direct = kms(d.endpoint);
  const proxy = new AnswerDroppingProxy(d.endpoint);
  const url = await proxy.start();
  try {
    const ks = new AwsKmsKeystore(kms(url));
    const alias = `alias/lost-answer-${randomBytes(4).toString('hex')}`;
    proxy.dropAnswers((_m, _u, h) => h['x-amz-target'] === 'TrentService.CreateAlias');
    const made = await ks.createKey(alias);
    t.is(proxy.dropped, 1);
    t.is(await keysFor(direct, alias), 1, 'no orphan key');
    t.is(made.keyId.split('/').pop(), await aliasTarget(direct, alias), 'the alias points at the key that was returned');
    t.is(proxy.seen.filter((s) => s.endsWith('CreateAlias')).length, 1, 'CreateAlias was not sent twice');
  } finally {
    await proxy.stop();
    direct.destroy();
  }
});

test('local-kms CreateKey whose answer is lost: not repeated (no orphan key), fails as a retryable outage', async (t) => {
  const d = service('localkms');
  const direct = kms(d.endpoint);
  const proxy = new AnswerDroppingProxy(d.endpoint);
  const url = await proxy.start();
  try {
    const ks = new AwsKmsKeystore(kms(url));
    const alias = `alias/lost-create-${randomBytes(4).toString('hex')}`;
    proxy.dropAnswers((_m, _u, h) => h['x-amz-target'] === 'TrentService.CreateKey');
    const err = await t.throwsAsync(ks.createKey(alias), { instanceOf: KeystoreError });
    t.is(err?.code, 'KeyStoreUnavailable');
    t.true(err?.retryable);
    t.is(proxy.seen.filter((s) => s.endsWith('CreateKey')).length, 1, 'CreateKey was sent once');
    t.is(await keysFor(direct, alias), 1, 'exactly the one key the lost answer made, not one per retry');
  } finally {
    await proxy.stop();
    direct.destroy();
  }
});

test('local-kms createKey on an alias that already exists: reported as such, and no key is left behind', async (t) => {
  const d = service('localkms');
  const client = kms(d.endpoint);
  try {
    const ks = new AwsKmsKeystore(client);
    const alias = `alias/taken-${randomBytes(4).toString('hex')}`;
    const first = await ks.createKey(alias);
    const err = await t.throwsAsync(ks.createKey(alias), { instanceOf: KeystoreError });
    t.is(err?.code, 'KMS.AlreadyExistsException');
    t.regex(err?.message ?? '', /already exists/);
    t.is(await keysFor(client, alias), 1, 'no second key was created');
    t.is(await aliasTarget(client, alias), first.keyId.split('/').pop(), 'the alias still points at the first key');
  } finally {
    client.destroy();
  }
});
