/**
 * The S3 core's list and DeleteObjects parsing (issue 7 items 2, 6): list parameters as S3 validates
 * them, encoding-type=url that every decoder S3 callers use gets back (property), the backend
 * answer's decoding (form-encoded `+`), versions and delete markers back in S3's order, and the
 * `<Delete>` document read exactly (keys untrimmed, never numbers, entities decoded, DTDs refused).
 */
import test from 'ava';
import fc from 'fast-check';
import { mergeVersions, urlDecoder } from '../../src/backends/s3-listing.js';
import { listEncoder, parseListParams } from '../../src/adapters/s3/parse-list-request.js';
import { parseDeleteObjects } from '../../src/adapters/s3/parse-delete-objects.js';
import { SealError } from '../../src/errors.js';
import { s3Request } from '../helpers/s3-request-fixture.js';

const list = (query: Record<string, string>) => parseListParams(s3Request({}, { method: 'GET', key: undefined, query }));

test('list parameters: max-keys defaults to and is capped at 1000, a non-integer is InvalidArgument; encoding-type only "url"; empty prefix and delimiter are absent', (t) => {
  t.like(list({}), { bucket: 'b', maxKeys: 1000, encode: false });
  t.is(list({ 'max-keys': '5000' }).maxKeys, 1000);
  t.is(list({ 'max-keys': '0' }).maxKeys, 0);
  for (const bad of ['-1', '1.5', 'x', '', '99999999999']) t.throws(() => list({ 'max-keys': bad }), { instanceOf: SealError, message: /max-keys/ });
  t.true(list({ 'encoding-type': 'url' }).encode);
  t.throws(() => list({ 'encoding-type': 'base64' }), { instanceOf: SealError });
  const p = list({ prefix: '', delimiter: '' });
  t.false('prefix' in p || 'delimiter' in p);
});

test('property: encoding-type=url output uses only unreserved characters, "/" and escapes, and decodeURIComponent and a form decoder (botocore unquote_plus) both get the key back', (t) => {
  const enc = listEncoder(true);
  const unquotePlus = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), (key) => {
      const e = enc(key);
      return /^[A-Za-z0-9%/._~-]*$/.test(e) && decodeURIComponent(e) === key && unquotePlus(e) === key;
    }),
    { numRuns: 2000 },
  );
  t.is(listEncoder(false)('a b'), 'a b');
  t.is(enc("a b+c/(x)*!'"), 'a%20b%2Bc/%28x%29%2A%21%27');
});

test('backend answers: url-encoded keys are decoded as S3 form-encodes them (a "+" is a space), raw ones left alone', (t) => {
  t.is(urlDecoder('url')('a+b%2Bc%25/%C3%BC%01x'), 'a b+c%/ü\u0001x');
  t.is(urlDecoder(undefined)('a+b%2B'), 'a+b%2B', 'an answer without EncodingType is not decoded');
});

test('versions and delete markers are merged back into S3 order: by key (UTF-8 bytes), the latest first, then newest first', (t) => {
  const at = (s: number): Date => new Date(s * 1000);
  const v = (key: string, id: string, t0: number, isLatest = false) => ({ key, versionId: id, isLatest, lastModified: at(t0), size: 1, etag: '"e"' });
  const merged = mergeVersions([v('b', 'b1', 1, true), v('a', 'a1', 1), v('a', 'a2', 2), v('\u{10000}', 'x', 1, true), v('\uffff', 'y', 1, true)], [{ key: 'a', versionId: 'dm', isLatest: true, lastModified: at(3) }]);
  t.deepEqual(merged.map((e) => `${e.kind[0]}:${e.versionId}`), ['d:dm', 'v:a2', 'v:a1', 'v:b1', 'v:y', 'v:x']);
});

test('the Delete document: keys exactly as sent (spaces, leading zeros, entities), Quiet, VersionId; DTDs, no Object, empty keys, over 1000 keys and malformed XML are MalformedXML', (t) => {
  const doc = (inner: string): Buffer => Buffer.from(`<?xml version="1.0"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</Delete>`);
  t.deepEqual(parseDeleteObjects(doc('<Quiet>true</Quiet><Object><Key> a &amp; b </Key></Object><Object><Key>007</Key><VersionId>v1</VersionId></Object>')), {
    quiet: true,
    objects: [{ key: ' a & b ' }, { key: '007', versionId: 'v1' }],
  });
  t.false(parseDeleteObjects(doc('\n  <Object>\n    <Key>k</Key>\n  </Object>\n')).quiet);
  const bad = [
    '<Delete><Object><Key>a</Key></Object>',
    '<!DOCTYPE d [<!ENTITY x "y">]><Delete><Object><Key>&x;</Key></Object></Delete>',
    '<Delete/>',
    '<Delete><Object><Key></Key></Object></Delete>',
    '<Delete><Object><VersionId>v</VersionId></Object></Delete>',
    '<Delete><Quiet>maybe</Quiet><Object><Key>a</Key></Object></Delete>',
    '<Other><Object><Key>a</Key></Object></Other>',
    `<Delete>${'<Object><Key>k</Key></Object>'.repeat(1001)}</Delete>`,
    'not xml',
    // the validator passes it, the parser throws (found by npm run fuzz): still MalformedXML
    '<?xml version=#1.0" encoding="UTF-8"?>\n<Delete><Object><Key>a</Key></Object></Delete>',
  ];
  for (const b of bad) t.throws(() => parseDeleteObjects(Buffer.from(b)), { instanceOf: SealError, message: /DeleteObjects body/ }, b.slice(0, 40));
});

test('property: any Delete document of 1..50 keys round-trips its keys exactly', (t) => {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  // XML 1.0 characters only (S3 cannot take others in a Delete document either), no CR (XML normalises line ends)
  const xmlChar = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '&', '<', '>', '"', "'", '/', 'ü', '€', '\t', '\n', '😀', '%', '+'), minLength: 1, maxLength: 30 });
  fc.assert(
    fc.property(fc.array(xmlChar, { minLength: 1, maxLength: 50 }), (keys) => {
      const body = Buffer.from(`<Delete>${keys.map((k) => `<Object><Key>${esc(k)}</Key></Object>`).join('')}</Delete>`);
      const got = parseDeleteObjects(body).objects.map((o) => o.key);
      return JSON.stringify(got) === JSON.stringify(keys);
    }),
    { numRuns: 500 },
  );
  t.pass();
});
