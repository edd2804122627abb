/**
 * CopyObject / UploadPartCopy request parts (issue 7 items 2 and 4): x-amz-copy-source,
 * x-amz-copy-source-range, x-amz-metadata-directive / x-amz-tagging-directive.
 */
import test from 'ava';
import { parseCopySource, COPY_SOURCE_MESSAGES } from '../../src/adapters/s3/parse-copy-source.js';
import { parseCopySourceRange, COPY_RANGE_MESSAGES } from '../../src/adapters/s3/parse-copy-source-range.js';
import { parseMetadataDirective, parseTaggingDirective } from '../../src/adapters/s3/parse-copy-directives.js';
import { throwsS3 } from '../helpers/s3-request-fixture.js';

const INVALID_ARGUMENT = { code: 'InvalidArgument', status: 400 } as const;

test('x-amz-copy-source: bucket/key, leading slash optional, URL-decoded, ?versionId=', (t) => {
  t.deepEqual(parseCopySource('b/k'), { bucket: 'b', key: 'k' });
  t.deepEqual(parseCopySource('/b/dir/k.txt'), { bucket: 'b', key: 'dir/k.txt' });
  t.deepEqual(parseCopySource('b/a%20b%2Fc%3Fd%25'), { bucket: 'b', key: 'a b/c?d%' });
  t.deepEqual(parseCopySource('b/%E2%9C%93+x'), { bucket: 'b', key: '✓+x' }, '"+" is not a space in a path');
  t.deepEqual(parseCopySource('b/k?versionId=3%2Fx'), { bucket: 'b', key: 'k', versionId: '3/x' });
  t.deepEqual(parseCopySource('b//k'), { bucket: 'b', key: '/k' });
});

test('x-amz-copy-source without bucket and key, badly encoded, or with another query → InvalidArgument 400', (t) => {
  for (const bad of ['', '/', 'b', 'b/', '/b', '//k', '/b/']) throwsS3(t, () => parseCopySource(bad), { ...INVALID_ARGUMENT, message: COPY_SOURCE_MESSAGES.shape });
  for (const bad of ['b/%E2%9C', 'b/%zz', 'b/k?versionId=%']) throwsS3(t, () => parseCopySource(bad), { ...INVALID_ARGUMENT, message: COPY_SOURCE_MESSAGES.encoding });
  for (const bad of ['b/k?', 'b/k?versionId=', 'b/k?foo=1', 'b/k?versionId=1&x=2']) throwsS3(t, () => parseCopySource(bad), { ...INVALID_ARGUMENT, message: COPY_SOURCE_MESSAGES.version });
  throwsS3(t, () => parseCopySource(`b/${'k'.repeat(1025)}`), INVALID_ARGUMENT);
  throwsS3(t, () => parseCopySource(`b/${'k'.repeat(9000)}`), INVALID_ARGUMENT);
});

test('x-amz-copy-source-range: exactly bytes=first-last within the source, else InvalidArgument 400', (t) => {
  t.deepEqual(parseCopySourceRange('bytes=0-9', 10), { start: 0, end: 9 });
  t.deepEqual(parseCopySourceRange('bytes=5-5', 10), { start: 5, end: 5 });
  for (const bad of ['bytes=5-', 'bytes=-5', 'bytes=5-4', 'bytes=0-1,2-3', 'bytes = 0-1', 'Bytes=0-1', '0-1', `bytes=0-${'9'.repeat(17)}`]) {
    throwsS3(t, () => parseCopySourceRange(bad, 100), { ...INVALID_ARGUMENT, message: COPY_RANGE_MESSAGES.form });
  }
  throwsS3(t, () => parseCopySourceRange('bytes=0-10', 10), { ...INVALID_ARGUMENT, message: COPY_RANGE_MESSAGES.beyond(10) });
  throwsS3(t, () => parseCopySourceRange('bytes=0-0', 0), INVALID_ARGUMENT);
});

test('x-amz-metadata-directive / x-amz-tagging-directive: COPY (default) | REPLACE, else InvalidArgument 400', (t) => {
  t.is(parseMetadataDirective({}), 'COPY');
  t.is(parseMetadataDirective({ 'x-amz-metadata-directive': 'COPY' }), 'COPY');
  t.is(parseMetadataDirective({ 'x-amz-metadata-directive': 'REPLACE' }), 'REPLACE');
  t.is(parseTaggingDirective({ 'x-amz-tagging-directive': 'REPLACE' }), 'REPLACE');
  for (const bad of ['replace', 'MOVE', '']) {
    throwsS3(t, () => parseMetadataDirective({ 'x-amz-metadata-directive': bad }), { ...INVALID_ARGUMENT, message: 'Unknown metadata directive.' });
    throwsS3(t, () => parseTaggingDirective({ 'x-amz-tagging-directive': bad }), { ...INVALID_ARGUMENT, message: 'Unknown tagging directive.' });
  }
});
