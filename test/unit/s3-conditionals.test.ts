/**
 * Conditional requests as S3 applies RFC 9110 (issue 7 item 5): If-Match, If-None-Match (incl. `*`
 * on PUT), If-Modified-Since, If-Unmodified-Since and the x-amz-copy-source-if-* variants.
 */
import test from 'ava';
import { parseConditionals, parseHttpDate } from '../../src/adapters/s3/parse-conditionals.js';
import { evaluateConditionals, type ConditionalKind } from '../../src/adapters/s3/evaluate-conditionals.js';
import { throwsS3 } from '../helpers/s3-request-fixture.js';

const ETAG = '"9b2cf535f27731c974343645a3985328"';
const current = { etag: ETAG, lastModified: new Date('2026-06-01T12:00:00.700Z') };
const BEFORE = 'Mon, 01 Jun 2026 11:00:00 GMT';
const AT = 'Mon, 01 Jun 2026 12:00:00 GMT'; // the same second as lastModified
const AFTER = 'Mon, 01 Jun 2026 13:00:00 GMT';

/** `cur` null = no such object (undefined would select the default) */
const evalObject = (headers: Record<string, string>, kind: ConditionalKind = 'read', cur: typeof current | null = current): string =>
  evaluateConditionals(parseConditionals(headers, 'object'), cur ?? undefined, kind);

test('HTTP dates: IMF-fixdate, RFC 850, asctime and ISO 8601 parse; anything else is ignored', (t) => {
  const at = Date.UTC(1994, 10, 6, 8, 49, 37);
  t.is(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')?.getTime(), at);
  t.is(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')?.getTime(), at);
  t.is(parseHttpDate('Sun Nov  6 08:49:37 1994')?.getTime(), at);
  t.is(parseHttpDate('1994-11-06T08:49:37.000Z')?.getTime(), at);
  for (const bad of ['', '1', 'yesterday', 'Sun, 31 Feb 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT', 'Sun, 06 Foo 1994 08:49:37 GMT', 'x'.repeat(100)]) t.is(parseHttpDate(bad), undefined, bad);
  t.deepEqual(parseConditionals({ 'if-modified-since': 'garbage' }, 'object'), {});
});

test('entity tags: quoted or bare, lists, weak tags, *', (t) => {
  t.deepEqual(parseConditionals({ 'if-match': '*' }, 'object').ifMatch, '*');
  t.deepEqual(parseConditionals({ 'if-match': '"a", b ,W/"c,d"' }, 'object').ifMatch, [
    { value: 'a', weak: false },
    { value: 'b', weak: false },
    { value: 'c,d', weak: true },
  ]);
  t.is(evalObject({ 'if-match': ETAG.slice(1, -1) }), 'pass', 'an unquoted ETag matches');
});

test('If-Match: match → pass; no match → 412; W/ tags never match strongly', (t) => {
  t.is(evalObject({ 'if-match': ETAG }), 'pass');
  t.is(evalObject({ 'if-match': `"x", ${ETAG}` }), 'pass');
  t.is(evalObject({ 'if-match': '*' }), 'pass');
  t.is(evalObject({ 'if-match': '"other"' }), 'precondition-failed');
  t.is(evalObject({ 'if-match': `W/${ETAG}` }), 'precondition-failed');
});

test('If-None-Match: match → 304 on GET/HEAD, 412 on writes and copy sources; weak comparison', (t) => {
  t.is(evalObject({ 'if-none-match': ETAG }), 'not-modified');
  t.is(evalObject({ 'if-none-match': `W/${ETAG}` }), 'not-modified');
  t.is(evalObject({ 'if-none-match': '*' }), 'not-modified');
  t.is(evalObject({ 'if-none-match': '"other"' }), 'pass');
  t.is(evaluateConditionals(parseConditionals({ 'x-amz-copy-source-if-none-match': ETAG }, 'copy-source'), current, 'copy-source'), 'precondition-failed');
});

test('dates: If-Unmodified-Since and If-Modified-Since at one-second resolution', (t) => {
  t.is(evalObject({ 'if-unmodified-since': BEFORE }), 'precondition-failed');
  t.is(evalObject({ 'if-unmodified-since': AT }), 'pass');
  t.is(evalObject({ 'if-modified-since': AT }), 'not-modified');
  t.is(evalObject({ 'if-modified-since': AFTER }), 'not-modified');
  t.is(evalObject({ 'if-modified-since': BEFORE }), 'pass');
});

test('S3 precedence: If-Match true + If-Unmodified-Since false → 200; If-None-Match false + If-Modified-Since true → 304', (t) => {
  t.is(evalObject({ 'if-match': ETAG, 'if-unmodified-since': BEFORE }), 'pass');
  t.is(evalObject({ 'if-none-match': ETAG, 'if-modified-since': BEFORE }), 'not-modified');
  t.is(evalObject({ 'if-none-match': '"other"', 'if-modified-since': AFTER }), 'pass', 'If-Modified-Since is not evaluated when If-None-Match is present');
  t.is(evalObject({ 'if-match': '"other"', 'if-none-match': '"other"' }), 'precondition-failed');
});

test('CopySourceIf*: copy-source-if-match true + if-unmodified-since false → copy; if-none-match false + if-modified-since true → 412', (t) => {
  const cs = (h: Record<string, string>): string => evaluateConditionals(parseConditionals(h, 'copy-source'), current, 'copy-source');
  t.is(cs({ 'x-amz-copy-source-if-match': ETAG, 'x-amz-copy-source-if-unmodified-since': BEFORE }), 'pass');
  t.is(cs({ 'x-amz-copy-source-if-none-match': ETAG, 'x-amz-copy-source-if-modified-since': BEFORE }), 'precondition-failed');
  t.is(cs({ 'x-amz-copy-source-if-modified-since': AFTER }), 'precondition-failed');
  t.is(cs({ 'x-amz-copy-source-if-unmodified-since': BEFORE }), 'precondition-failed');
  t.is(cs({ 'x-amz-copy-source-if-match': '"nope"' }), 'precondition-failed');
  t.is(cs({ 'if-match': '"nope"' }), 'pass', 'the object set is not read for the copy source');
  t.is(evaluateConditionals(parseConditionals({}, 'copy-source'), undefined, 'copy-source'), 'no-such-key');
});

test('conditional writes: If-None-Match: * → 412 when the key exists, pass when not; If-Match on a missing key → NoSuchKey; other If-None-Match → 501', (t) => {
  t.is(evalObject({ 'if-none-match': '*' }, 'write'), 'precondition-failed');
  t.is(evalObject({ 'if-none-match': '*' }, 'write', null), 'pass');
  t.is(evalObject({ 'if-match': ETAG }, 'write'), 'pass');
  t.is(evalObject({ 'if-match': '"old"' }, 'write'), 'precondition-failed');
  t.is(evalObject({ 'if-match': ETAG }, 'write', null), 'no-such-key');
  t.is(evalObject({}, 'write', null), 'pass');
  t.is(evalObject({ 'if-unmodified-since': BEFORE }, 'write'), 'pass', 'writes take no date conditions');
  throwsS3(t, () => evalObject({ 'if-none-match': ETAG }, 'write'), { code: 'NotImplemented', status: 501 });
  t.is(evalObject({}, 'read', null), 'no-such-key');
});
