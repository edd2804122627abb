/**
 * The embedded default's certificate, made with node:crypto alone (no openssl on a user's PATH): node
 * parses and verifies it, OpenSSL's strict verifier accepts it as a server certificate and its own trust
 * anchor (what Python's ssl — the aws cli, boto3 — and node's TLS do), and a TLS client that trusts it
 * connects by 127.0.0.1 and localhost.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { time } from '../../src/cli/der.js';
import { selfSignedCertificate } from '../../src/cli/self-signed-certificate.js';
import { tempDir } from '../helpers/temp-dir.js';

const names = ['localhost', '127.0.0.1', '::1'];

test('selfSignedCertificate: node parses it, it verifies under its own key, matches its key, names localhost, 127.0.0.1 and ::1, is a CA, and is valid from an hour ago for the given days', (t) => {
  const now = new Date();
  const { certPem, keyPem } = selfSignedCertificate({ names, commonName: 's3seal test', validDays: 30, now });
  const x = new X509Certificate(certPem);
  t.true(x.verify(x.publicKey));
  t.true(x.checkPrivateKey(createPrivateKey(keyPem)));
  t.is(x.subject, 'CN=s3seal test');
  t.is(x.issuer, x.subject);
  t.true(x.ca);
  t.is(x.checkHost('localhost'), 'localhost');
  t.is(x.checkIP('127.0.0.1'), '127.0.0.1');
  t.is(x.checkIP('::1'), '::1');
  t.is(x.checkHost('example.com'), undefined);
  t.true(Math.abs(new Date(x.validFrom).getTime() - (now.getTime() - 3_600_000)) < 2_000);
  t.true(Math.abs(new Date(x.validTo).getTime() - (now.getTime() + 30 * 86_400_000)) < 2_000);
  t.not(selfSignedCertificate({ names, commonName: 's3seal test', validDays: 30 }).certPem, certPem, 'a fresh key and serial each time');
});

test('selfSignedCertificate: openssl verify -x509_strict -purpose sslserver accepts it as its own trust anchor', (t) => {
  const dir = tempDir('cert');
  const file = join(dir, 'c.pem');
  writeFileSync(file, selfSignedCertificate({ names, commonName: 's3seal test', validDays: 2 }).certPem);
  t.is(execFileSync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', file, file], { encoding: 'utf8' }).trim(), `${file}: OK`);
});

test('selfSignedCertificate: a TLS client trusting it connects to 127.0.0.1 and localhost; one that does not is refused', async (t) => {
  const { certPem, keyPem } = selfSignedCertificate({ names, commonName: 's3seal test', validDays: 2 });
  const server = createServer({ cert: certPem, key: keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const fetchText = (host: string, ca?: string) =>
    new Promise<string>((resolve, reject) => {
      get({ host: '127.0.0.1', servername: host === '127.0.0.1' ? '' : host, port, path: '/', ...(ca ? { ca } : {}), agent: false, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
  t.is(await fetchText('127.0.0.1', certPem), 'ok');
  t.is(await fetchText('localhost', certPem), 'ok');
  await t.throwsAsync(fetchText('127.0.0.1'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
});

test('der time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5); a certificate valid past 2050 parses', (t) => {
  t.deepEqual(time(new Date('2049-12-31T23:59:59Z')), Buffer.concat([Buffer.from([0x17, 13]), Buffer.from('491231235959Z')]));
  t.deepEqual(time(new Date('2050-01-01T00:00:00Z')), Buffer.concat([Buffer.from([0x18, 15]), Buffer.from('20500101000000Z')]));
  const far = selfSignedCertificate({ names, commonName: 'far', validDays: 40 * 365 });
  t.is(new Date(new X509Certificate(far.certPem).validTo).getUTCFullYear(), new Date(Date.now() + 40 * 365 * 86_400_000).getUTCFullYear());
});
