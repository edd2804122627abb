/**
 * VaultTokenSource (issue 6 item 15) on a scripted HTTP stub and a fake clock, for the answers the
 * real OpenBao in vault-auth.test.ts does not give on cue: a renewal with `lease_duration: 0`
 * (HashiCorp Vault's answer once the max TTL caps it), renewal and login outages.
 */
import test from 'ava';
import { VaultTokenSource } from '../../src/keystores/vault/vault-auth.js';
import type { VaultHttp, VaultResponse } from '../../src/keystores/vault/vault-http.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';

type Script = (path: string, token: string | undefined) => VaultResponse | Error;

function stub(script: Script): { http: VaultHttp; paths: string[] } {
  const paths: string[] = [];
  const http = {
    call: (_method: string, path: string, token: string | undefined) => {
      paths.push(path);
      const r = script(path, token);
      return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
    },
  } as unknown as VaultHttp;
  return { http, paths };
}

const approle = { method: 'approle', roleId: 'r', secretId: 's' } as const;
const auth = (token: string, lease: number): VaultResponse => ({ status: 200, body: { auth: { client_token: token, lease_duration: lease, renewable: true } } });
const LOGIN = '/v1/auth/approle/login';
const RENEW = '/v1/auth/token/renew-self';

test('a renewal granting lease_duration 0 is no lease: the next refresh logs in again instead of caching the token forever', async (t) => {
  let clock = 0;
  let logins = 0;
  const { http, paths } = stub((path) => (path === LOGIN ? auth(`tok-${++logins}`, 30) : auth('tok-1', 0)));
  const ts = new VaultTokenSource(http, approle, () => clock);
  t.is(await ts.get(), 'tok-1');
  clock = 21_000; // past 2/3 of 30 s: renew, which grants 0
  t.is(await ts.get(), 'tok-2', 'lease 0 → a fresh login at once');
  t.deepEqual(paths, [LOGIN, RENEW, LOGIN]);
  clock = 21_000 + 31_000; // the first token would be long expired: the new one was renewed on schedule
  t.not(await ts.get(), 'tok-1');
});

test('a renewal capped below the lease (max TTL reached) is used, and the next refresh is a login, not another shrinking renewal', async (t) => {
  let clock = 0;
  let logins = 0;
  const { http, paths } = stub((path) => (path === LOGIN ? auth(`tok-${++logins}`, 30) : auth('tok-1', 5)));
  const ts = new VaultTokenSource(http, approle, () => clock);
  await ts.get();
  clock = 21_000;
  t.is(await ts.get(), 'tok-1', 'capped renewal still gives 5 s');
  clock = 25_000; // 2/3 of those 5 s later
  t.is(await ts.get(), 'tok-2');
  t.deepEqual(paths, [LOGIN, RENEW, LOGIN]);
});

test('renewal refused (403) or past the max TTL (OpenBao: 500 "past the max TTL, cannot renew") → a fresh login', async (t) => {
  for (const refusal of [{ status: 403, body: { errors: ['permission denied'] } }, { status: 500, body: { errors: ['1 error occurred:\n\t* past the max TTL, cannot renew\n\n'] } }]) {
    let clock = 0;
    let logins = 0;
    const { http } = stub((path) => (path === LOGIN ? auth(`tok-${++logins}`, 30) : refusal));
    const ts = new VaultTokenSource(http, approle, () => clock);
    await ts.get();
    clock = 21_000;
    t.is(await ts.get(), 'tok-2', `renewal answered ${refusal.status}`);
  }
});

test('an outage while renewing keeps the still-valid token; once it expires the outage is KeyStoreUnavailable, never AccessDenied', async (t) => {
  let clock = 0;
  let down = false;
  const { http } = stub((path) => (down ? new KeystoreError('KeyStoreUnavailable', 'unreachable') : path === LOGIN ? auth('tok-1', 30) : auth('tok-1', 30)));
  const ts = new VaultTokenSource(http, approle, () => clock);
  await ts.get();
  down = true;
  clock = 21_000;
  t.is(await ts.get(), 'tok-1', 'renewal unreachable: the token is still good for 9 s');
  clock = 31_000;
  const err = await t.throwsAsync(ts.get(), { instanceOf: KeystoreError });
  t.is(err?.code, 'KeyStoreUnavailable');
  t.true(err?.retryable);
});

test('login answered 503 (sealed) or 429 is an outage; a 400/403 login is a refusal', async (t) => {
  for (const [status, code] of [[503, 'KeyStoreUnavailable'], [429, 'KeyStoreUnavailable'], [400, 'AccessDenied'], [403, 'AccessDenied']] as const) {
    const { http } = stub(() => ({ status, body: { errors: ['x'] } }));
    const err = await t.throwsAsync(new VaultTokenSource(http, approle).get(), { instanceOf: KeystoreError });
    t.is(err?.code, code, `login ${status}`);
  }
});

test('recoverFromDenied: a token that cannot look itself up is dropped (retry after a new login); one that can means a real denial', async (t) => {
  let logins = 0;
  let lookup = 403;
  const { http } = stub((path) => (path === LOGIN ? auth(`tok-${++logins}`, 3600) : { status: lookup, body: {} }));
  const ts = new VaultTokenSource(http, approle);
  const first = await ts.get();
  t.true(await ts.recoverFromDenied(first), 'revoked/expired → retry');
  t.is(await ts.get(), 'tok-2');
  lookup = 200;
  t.false(await ts.recoverFromDenied('tok-2'), 'valid token → the 403 stands');
  const tokenOnly = new VaultTokenSource(http, { method: 'token', token: 'static' });
  t.false(await tokenOnly.recoverFromDenied('static'), 'a static token cannot log in again');
});

test('recoverFromDenied forces at most one login per 10 s: denials with a token that cannot look itself up do not become a login storm', async (t) => {
  let clock = 0;
  let logins = 0;
  const { http } = stub((path) => (path === LOGIN ? auth(`tok-${++logins}`, 3600) : { status: 403, body: {} }));
  const ts = new VaultTokenSource(http, approle, () => clock);
  t.true(await ts.recoverFromDenied(await ts.get()), 'the first denial may be a dead token: log in again');
  for (let i = 0; i < 5; i++) {
    clock += 1000;
    t.false(await ts.recoverFromDenied(await ts.get()), 'within 10 s the denial stands');
  }
  t.is(logins, 2);
  clock += 10_000;
  t.true(await ts.recoverFromDenied(await ts.get()), 'later, a denial may again mean a dead token');
});
