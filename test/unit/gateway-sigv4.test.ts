/**
 * SigV4 verification of the gateway (src/adapters/gateway/verify-sigv4.ts): Amazon S3's published
 * signature examples ("Signature Calculations for the Authorization Header", "Authenticating
 * Requests: Using Query Parameters", "Signature Calculation: Transfer Payload in Multiple Chunks"),
 * then requests signed by @smithy/signature-v4 (the signer of every AWS SDK for JavaScript v3) for
 * the S3 specifics the examples do not cover, then every refusal with the S3 error it becomes.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { NodeSha256 } from '../helpers/gateway-raw-request.js';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/core/transport';
import { AccessKeySecret } from '../../src/policies/access-key-secret.js';
import type { AccessKeyLookup } from '../../src/policies/access-key-lookup.js';
import { verifySigV4, type SignedRequest } from '../../src/adapters/gateway/verify-sigv4.js';
import { parseRawQuery } from '../../src/adapters/gateway/uri-encode.js';
import { s3ErrorShape } from '../../src/adapters/s3/s3-error-shape.js';

const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EXAMPLE_TIME = Date.UTC(2013, 4, 24, 0, 0, 0);
const EMPTY = createHash('sha256').digest('hex');

const keys: AccessKeyLookup = {
  lookup: (id) => (id === AKID ? { principal: 'example', accessKeyId: AKID, secret: new AccessKeySecret(Buffer.from(SECRET)) } : undefined),
};

function request(method: string, url: string, headers: Record<string, string>): SignedRequest {
  const q = url.indexOf('?');
  return { method, rawPath: q < 0 ? url : url.slice(0, q), query: parseRawQuery(q < 0 ? '' : url.slice(q + 1)), headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) };
}

const auth = (signedHeaders: string, signature: string) => `AWS4-HMAC-SHA256 Credential=${AKID}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signedHeaders},Signature=${signature}`;
const at = (ms: number) => ({ region: 'us-east-1', now: () => ms });

/** the S3 error code and status a verification fails with */
function refusal(fn: () => unknown): [string, number] {
  try {
    fn();
  } catch (err) {
    const s = s3ErrorShape(err);
    return [s.code, s.status];
  }
  return ['accepted', 0];
}

const flip = (sig: string) => `${sig.slice(0, 63)}${sig[63] === '0' ? '1' : '0'}`;

const EXAMPLES: { name: string; method: string; url: string; headers: Record<string, string>; signed: string; signature: string }[] = [
  {
    name: 'GET Object (Range)',
    method: 'GET',
    url: '/test.txt',
    headers: { host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z' },
    signed: 'host;range;x-amz-content-sha256;x-amz-date',
    signature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  },
  {
    name: 'PUT Object ($ in the key, Date and x-amz-date, storage class)',
    method: 'PUT',
    url: '/test$file.text',
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      date: 'Fri, 24 May 2013 00:00:00 GMT',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': createHash('sha256').update('Welcome to Amazon S3.').digest('hex'),
    },
    signed: 'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
    signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
  },
  {
    name: 'GET Bucket Lifecycle (a subresource without a value)',
    method: 'GET',
    url: '/?lifecycle',
    headers: { host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z' },
    signed: 'host;x-amz-content-sha256;x-amz-date',
    signature: 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
  },
  {
    name: 'Get Bucket (List Objects; query sorted)',
    method: 'GET',
    url: '/?max-keys=2&prefix=J',
    headers: { host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z' },
    signed: 'host;x-amz-content-sha256;x-amz-date',
    signature: '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
  },
];

for (const ex of EXAMPLES) {
  test(`sigv4: AWS example "${ex.name}" verifies; one changed signature digit is SignatureDoesNotMatch 403`, (t) => {
    const ok = verifySigV4(request(ex.method, ex.url, { ...ex.headers, authorization: auth(ex.signed, ex.signature) }), keys, at(EXAMPLE_TIME));
    t.is(ok.principal, 'example');
    t.false(ok.presigned);
    t.deepEqual(refusal(() => verifySigV4(request(ex.method, ex.url, { ...ex.headers, authorization: auth(ex.signed, flip(ex.signature)) }), keys, at(EXAMPLE_TIME))), ['SignatureDoesNotMatch', 403]);
  });
}

const PRESIGNED = `/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${AKID}%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404`;

test('sigv4: AWS example presigned GET verifies within its 86400 s; after them it is AccessDenied 403 "Request has expired"', (t) => {
  const req = request('GET', PRESIGNED, { host: 'examplebucket.s3.amazonaws.com' });
  t.is(verifySigV4(req, keys, at(EXAMPLE_TIME + 86_399_000)).principal, 'example');
  t.true(verifySigV4(req, keys, at(EXAMPLE_TIME)).presigned);
  t.deepEqual(refusal(() => verifySigV4(req, keys, at(EXAMPLE_TIME + 86_401_000))), ['AccessDenied', 403]);
  t.is(s3ErrorShape((() => { try { verifySigV4(req, keys, at(EXAMPLE_TIME + 86_401_000)); } catch (e) { return e; } return undefined; })()).message, 'Request has expired');
  t.deepEqual(refusal(() => verifySigV4(req, keys, at(EXAMPLE_TIME - 16 * 60_000))), ['AccessDenied', 403], 'dated more than 15 min in the future: not valid yet');
  t.deepEqual(refusal(() => verifySigV4(request('GET', PRESIGNED.replace('test.txt', 'other.txt'), { host: 'examplebucket.s3.amazonaws.com' }), keys, at(EXAMPLE_TIME))), ['SignatureDoesNotMatch', 403]);
});

test('sigv4: AWS example chunked upload — the seed signature verifies and the verifier accepts the published chunk signatures, refusing one out of chain', (t) => {
  const headers = {
    host: 's3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
    'content-length': '66824',
  };
  const seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
  const ok = verifySigV4(request('PUT', '/examplebucket/chunkObject.txt', { ...headers, authorization: auth('content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class', seed) }), keys, at(EXAMPLE_TIME));
  const v = ok.chunkSignatureVerifier!;
  t.is(v.seedSignature, seed);
  const sha = (n: number) => createHash('sha256').update(Buffer.alloc(n, 'a')).digest('hex');
  const chain = [
    [65536, 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648'],
    [1024, '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497'],
    [0, 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9'],
  ] as const;
  let prev = seed;
  for (const [n, sig] of chain) {
    t.notThrows(() => v.verifyChunk(prev, sha(n), sig), `chunk of ${n}`);
    prev = sig;
  }
  t.deepEqual(refusal(() => v.verifyChunk(seed, sha(1024), chain[1][1])), ['SignatureDoesNotMatch', 403], 'a chunk signature chained from the wrong predecessor');
  t.deepEqual(refusal(() => v.verifyChunk(seed, sha(65535), chain[0][1])), ['SignatureDoesNotMatch', 403], 'a chunk whose data changed');
});

// ── requests signed by @smithy/signature-v4, as S3 clients sign them ──



const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
// S3's own settings in the SDK: no path double-encoding, the payload hash header sent
const signer = new SignatureV4({ service: 's3', region: 'eu-central-1', credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, sha256: NodeSha256, uriEscapePath: false, applyChecksum: true });

/** what the SDK's HTTP handler writes on the wire for a signed request */
function wire(r: HttpRequest): SignedRequest {
  const qs = Object.entries(r.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]) as [string, string | null][])
    .map(([k, v]) => (v === null ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
    .join('&');
  return request(r.method, `${r.path}${qs ? `?${qs}` : ''}`, r.headers);
}

const sdkEncode = (key: string) => key.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');

test('sigv4: SDK-signed requests verify — keys with spaces, unicode, reserved characters and %2F, query values that need encoding, repeated and empty parameters', async (t) => {
  const opts = { region: 'eu-central-1', now: () => NOW };
  const keysToTry = ['a b/c d.txt', 'ünï/cødé/ß', "q?x=1&y=2!'()*", 'pct%2Fnot-a-slash', 'plus+sign~tilde', 'dir/', 'semi;colon,comma=eq'];
  for (const key of keysToTry) {
    const r = new HttpRequest({ method: 'PUT', protocol: 'https:', hostname: 'bucket.s3.example.test', path: `/${sdkEncode(key)}`, headers: { host: 'bucket.s3.example.test', 'x-amz-content-sha256': EMPTY, 'content-type': 'text/plain' }, query: { 'x-id': 'PutObject' } });
    const signed = await signer.sign(r, { signingDate: new Date(NOW) });
    t.is(verifySigV4(wire(signed as HttpRequest), keys, opts).principal, 'example', JSON.stringify(key));
  }
  const list = new HttpRequest({ method: 'GET', protocol: 'https:', hostname: 'h', path: '/bucket', headers: { host: 'h:9000', 'x-amz-content-sha256': EMPTY }, query: { 'list-type': '2', prefix: 'a b/ü+&=', 'continuation-token': 'x/y==', uploads: '', 'max-keys': '10' } });
  const signedList = await signer.sign(list, { signingDate: new Date(NOW) });
  t.is(verifySigV4(wire(signedList as HttpRequest), keys, opts).principal, 'example', 'list query');
  // the same request, a byte changed anywhere the signature covers
  const base = wire(signedList as HttpRequest);
  const tampered: SignedRequest[] = [
    { ...base, method: 'DELETE' },
    { ...base, rawPath: '/bucket2' },
    { ...base, query: base.query.map((p) => (p.name === 'prefix' ? { ...p, value: 'a b/ü+&' } : p)) },
    { ...base, headers: { ...base.headers, host: 'h:9001' } },
  ];
  for (const r of tampered) t.deepEqual(refusal(() => verifySigV4(r, keys, opts)), ['SignatureDoesNotMatch', 403]);
});

test('sigv4: an SDK-presigned PUT verifies (X-Amz-* in the query, UNSIGNED-PAYLOAD); expiry, the 7-day limit and a wrong region are refused as S3 refuses them', async (t) => {
  // as @aws-sdk/s3-request-presigner prepares it: the payload unsigned, the header hoisted into the query with every x-amz-* header
  const r = new HttpRequest({ method: 'PUT', protocol: 'https:', hostname: 'h', path: '/bucket/some%20key', headers: { host: 'h', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-server-side-encryption': 'AES256' }, query: {} });
  const p = (await signer.presign(r, { signingDate: new Date(NOW), expiresIn: 3600 })) as HttpRequest;
  const opts = { region: 'eu-central-1', now: () => NOW + 60_000 };
  const ok = verifySigV4(wire(p), keys, opts);
  t.true(ok.presigned);
  t.is(ok.chunkSignatureVerifier, undefined);
  t.true(wire(p).query.some((q) => q.name === 'x-amz-server-side-encryption'), 'SSE parameters travel in the signed query');
  t.deepEqual(refusal(() => verifySigV4(wire(p), keys, { ...opts, now: () => NOW + 3601_000 })), ['AccessDenied', 403]);
  t.deepEqual(refusal(() => verifySigV4(wire(p), keys, { ...opts, region: 'us-east-1' })), ['AuthorizationQueryParametersError', 400]);
  const week = (await signer.presign(r, { signingDate: new Date(NOW), expiresIn: 7 * 24 * 3600 })) as HttpRequest;
  t.is(verifySigV4(wire(week), keys, opts).principal, 'example', '7 days is allowed');
  const long = wire(week);
  const over: SignedRequest = { ...long, query: long.query.map((q) => (q.name === 'X-Amz-Expires' ? { ...q, value: '604801' } : q)) };
  t.deepEqual(refusal(() => verifySigV4(over, keys, opts)), ['AuthorizationQueryParametersError', 400]);
  const noSig: SignedRequest = { ...long, query: long.query.filter((q) => q.name !== 'X-Amz-Signature' && q.name !== 'X-Amz-Date') };
  t.deepEqual(refusal(() => verifySigV4({ ...noSig, query: [...noSig.query, { name: 'X-Amz-Algorithm', value: 'AWS4-HMAC-SHA256' }] }, keys, opts)), ['AuthorizationQueryParametersError', 400]);
});

test('sigv4: refusals — unknown key, skew over 15 min (14 min accepted), malformed Authorization, wrong region or service, unsigned x-amz-* header, missing or invalid x-amz-content-sha256, no date, SigV2, anonymous, two auth mechanisms', async (t) => {
  const sign = async (headers: Record<string, string>, date = NOW, region = 'eu-central-1') => {
    const s = new SignatureV4({ service: 's3', region, credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, sha256: NodeSha256, uriEscapePath: false });
    return wire((await s.sign(new HttpRequest({ method: 'GET', protocol: 'https:', hostname: 'h', path: '/b/k', headers: { host: 'h', ...headers } }), { signingDate: new Date(date) })) as HttpRequest);
  };
  const opts = { region: 'eu-central-1', now: () => NOW };
  const good = await sign({ 'x-amz-content-sha256': EMPTY });
  const a = good.headers['authorization']!;
  const cases: [string, SignedRequest, [string, number]][] = [
    ['unknown access key', { ...good, headers: { ...good.headers, authorization: a.replace(AKID, 'AKIANOBODY000000') } }, ['InvalidAccessKeyId', 403]],
    ['16 min early', await sign({ 'x-amz-content-sha256': EMPTY }, NOW - 16 * 60_000), ['RequestTimeTooSkewed', 403]],
    ['16 min late', await sign({ 'x-amz-content-sha256': EMPTY }, NOW + 16 * 60_000), ['RequestTimeTooSkewed', 403]],
    ['garbled', { ...good, headers: { ...good.headers, authorization: 'AWS4-HMAC-SHA256 Credential=x' } }, ['AuthorizationHeaderMalformed', 400]],
    ['short signature', { ...good, headers: { ...good.headers, authorization: a.replace(/Signature=[0-9a-f]+/, 'Signature=abc') } }, ['AuthorizationHeaderMalformed', 400]],
    ['bad scope date', { ...good, headers: { ...good.headers, authorization: a.replace(/\/\d{8}\//, '/2026-12/') } }, ['AuthorizationHeaderMalformed', 400]],
    ['wrong region', await sign({ 'x-amz-content-sha256': EMPTY }, NOW, 'us-west-2'), ['AuthorizationHeaderMalformed', 400]],
    ['wrong service', { ...good, headers: { ...good.headers, authorization: a.replace('/s3/', '/ec2/') } }, ['AuthorizationHeaderMalformed', 400]],
    ['unsigned x-amz header', { ...good, headers: { ...good.headers, 'x-amz-server-side-encryption': 'AES256' } }, ['AccessDenied', 403]],
    ['no x-amz-content-sha256', { ...good, headers: Object.fromEntries(Object.entries(good.headers).filter(([k]) => k !== 'x-amz-content-sha256')) }, ['InvalidRequest', 400]],
    ['invalid x-amz-content-sha256', await sign({ 'x-amz-content-sha256': 'not-a-hash' }), ['InvalidArgument', 400]],
    ['no date', { ...good, headers: Object.fromEntries(Object.entries(good.headers).filter(([k]) => k !== 'x-amz-date')) }, ['AccessDenied', 403]],
    ['SigV2', { ...good, headers: { ...good.headers, authorization: `AWS ${AKID}:c2lnbmF0dXJl` } }, ['InvalidRequest', 400]],
    ['anonymous', { ...good, headers: Object.fromEntries(Object.entries(good.headers).filter(([k]) => k !== 'authorization')) }, ['AccessDenied', 403]],
    ['header and query auth', { ...good, query: [{ name: 'X-Amz-Signature', value: '0'.repeat(64) }] }, ['InvalidArgument', 400]],
  ];
  t.is(verifySigV4(good, keys, opts).principal, 'example');
  t.is(verifySigV4(await sign({ 'x-amz-content-sha256': EMPTY }, NOW - 14 * 60_000), keys, opts).principal, 'example', '14 minutes of skew are allowed');
  for (const [name, req, expected] of cases) t.deepEqual(refusal(() => verifySigV4(req, keys, opts)), expected, name);
});
