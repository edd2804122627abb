import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { bitString, boolean, explicit, implicit, objectIdentifier, octetString, sequence, set, time, tlv, unsignedInteger, utf8String } from './der.js';

export interface SelfSignedCertificate {
  /** PEM certificate: clients trust it as their CA (`AWS_CA_BUNDLE`, `ca`) */
  certPem: string;
  /** PEM PKCS#8 private key */
  keyPem: string;
}

export interface SelfSignedOptions {
  /** DNS names and IP addresses (v4 dotted or v6) the certificate is for */
  names: readonly string[];
  commonName: string;
  validDays: number;
  now?: Date;
}

const ECDSA_WITH_SHA256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  // IPv6: expand `::` into the missing zero groups
  const [head = '', tail] = ip.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

function isIp(name: string): boolean {
  return isIPv4(name) || name.includes(':');
}

/**
 * A P-256 self-signed certificate for the embedded default's HTTPS (DESIGN.md "Gateway and CLI"): SSE-C
 * needs TLS, and a user's machine need not have `openssl`. It carries what `openssl req -x509` puts in
 * (basicConstraints CA, key identifiers) plus keyUsage and serverAuth, so that verifiers in strict mode
 * (OpenSSL's X509_STRICT, which Python 3.13 — the aws cli, boto3 — turns on) accept it as the trust anchor.
 */
export function selfSignedCertificate(opts: SelfSignedOptions): SelfSignedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits (the 65-byte point at the end)
  const keyId = createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and 16 bytes long
  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000); // an hour of clock skew
  const notAfter = new Date(now.getTime() + opts.validDays * 24 * 60 * 60 * 1000);
  const name = sequence(set(sequence(objectIdentifier('2.5.4.3'), utf8String(opts.commonName))));
  const altNames = opts.names.map((n) => (isIp(n) ? implicit(7, ipBytes(n)) : implicit(2, Buffer.from(n, 'ascii'))));
  const extensions = sequence(
    extension('2.5.29.19', true, sequence(boolean(true))), // basicConstraints: CA (it is its own trust anchor)
    extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x02, 0x84]))), // keyUsage: digitalSignature, keyCertSign
    extension('2.5.29.37', false, sequence(objectIdentifier('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
    extension('2.5.29.14', false, octetString(keyId)), // subjectKeyIdentifier
    extension('2.5.29.35', false, sequence(implicit(0, keyId))), // authorityKeyIdentifier
    extension('2.5.29.17', false, sequence(...altNames)), // subjectAltName
  );
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))), // v3
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    spki,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey); // DER-encoded ECDSA-Sig-Value, as X.509 wants
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  const certPem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  // parse it back: a certificate node itself cannot read must never be written
  const parsed = new X509Certificate(certPem);
  if (!parsed.verify(publicKey)) throw new Error('generated certificate does not verify');
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
