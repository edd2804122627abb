/**
 * Range and partNumber as Amazon S3 applies them (issue 7 item 2): `a-b`, `a-`, `-n`; headers S3
 * ignores (invalid syntax, several ranges) serve the whole object; unsatisfiable → 416 InvalidRange.
 */
import test from 'ava';
import { parseRange } from '../../src/adapters/s3/parse-range.js';
import { contentRange, resolveRange } from '../../src/adapters/s3/resolve-range.js';
import { parsePartNumber, PART_NUMBER_MESSAGES } from '../../src/adapters/s3/parse-part-number.js';
import { s3Request, throwsS3 } from '../helpers/s3-request-fixture.js';

const resolve = (h: string, length: number): { start: number; end: number } => {
  const spec = parseRange(h);
  if (!spec) throw new Error(`${h} was ignored`);
  return resolveRange(spec, length);
};

test('bytes=a-b, a-, -n resolve against the plaintext length; last past the end is clamped', (t) => {
  t.deepEqual(resolve('bytes=0-9', 100), { start: 0, end: 9 });
  t.deepEqual(resolve('bytes=10-', 100), { start: 10, end: 99 });
  t.deepEqual(resolve('bytes=-10', 100), { start: 90, end: 99 });
  t.deepEqual(resolve('bytes=-1000', 100), { start: 0, end: 99 });
  t.deepEqual(resolve('bytes=95-1000', 100), { start: 95, end: 99 });
  t.deepEqual(resolve('bytes=99-99', 100), { start: 99, end: 99 });
  t.deepEqual(resolve('bytes=0-99999999999999999999999', 100), { start: 0, end: 99 });
  t.deepEqual(resolve('Bytes = 1 - 2', 100), { start: 1, end: 2 });
  t.is(contentRange({ start: 0, end: 9 }, 100), 'bytes 0-9/100');
});

test('unsatisfiable ranges → InvalidRange 416', (t) => {
  const cases: [string, number][] = [
    ['bytes=100-', 100],
    ['bytes=100-200', 100],
    ['bytes=-0', 100],
    ['bytes=0-', 0],
    ['bytes=-5', 0],
    ['bytes=99999999999999999999-', 100],
  ];
  for (const [h, len] of cases) throwsS3(t, () => resolve(h, len), { code: 'InvalidRange', status: 416, message: 'The requested range is not satisfiable' });
});

test('ranges S3 ignores (whole object, 200): invalid syntax, last < first, other units, several ranges', (t) => {
  for (const h of ['', 'bytes=', 'bytes=-', 'bytes=5-2', 'items=0-1', 'bytes=0-1,3-4', 'bytes=a-b', 'bytes=1.5-2', 'bytes=+1-2', 'bytes 0-1', 'bytes=0-1 x', `bytes=0-${'9'.repeat(300)}`]) {
    t.is(parseRange(h), undefined, h);
  }
  t.is(parseRange(undefined), undefined);
});

test('partNumber: 1..10000 decimal, else InvalidArgument 400; with Range on a read → InvalidRequest 400', (t) => {
  t.is(parsePartNumber(s3Request({}, { method: 'GET', query: {} })), undefined);
  t.is(parsePartNumber(s3Request({}, { method: 'GET', query: { partNumber: '1' } })), 1);
  t.is(parsePartNumber(s3Request({}, { method: 'PUT', query: { partNumber: '10000', uploadId: 'x' } })), 10000);
  for (const bad of ['0', '10001', '-1', '1.0', '', ' 1', '1e3', '0x10', '99999999999']) {
    throwsS3(t, () => parsePartNumber(s3Request({}, { method: 'GET', query: { partNumber: bad } })), { code: 'InvalidArgument', status: 400, message: PART_NUMBER_MESSAGES.invalid });
  }
  throwsS3(t, () => parsePartNumber(s3Request({ range: 'bytes=0-1' }, { method: 'GET', query: { partNumber: '2' } })), {
    code: 'InvalidRequest',
    status: 400,
    message: PART_NUMBER_MESSAGES.withRange,
  });
});
