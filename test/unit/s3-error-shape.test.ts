/**
 * One error base class for every layer and the S3 mapping in src/adapters/s3 only (issue 7 item 8,
 * DESIGN.md "Errors"): every code → S3 code + status; unknown errors → InternalError 500 with
 * S3's generic text; the XML error body.
 */
import test from 'ava';
import { XMLParser } from 'fast-xml-parser';
import { S3SealError, SealError, type SealErrorCode } from '../../src/errors.js';
import { KeystoreError, type KeystoreErrorCode } from '../../src/keystores/keystore-error.js';
import { ConfigError } from '../../src/container/config.js';
import { s3ErrorShape } from '../../src/adapters/s3/s3-error-shape.js';
import { s3ErrorXml } from '../../src/adapters/s3/s3-error-xml.js';
import { BackendRequestError } from '../../src/backends/backend-request-error.js';

const GENERIC = 'We encountered an internal error. Please try again.';

test('SealError, KeystoreError and ConfigError share the base class: code, retryable, cause', (t) => {
  const cause = new Error('socket hang up');
  const errors = [new SealError('BackendUnavailable', 'down', { cause }), new KeystoreError('KeyStoreUnavailable', 'down', { cause }), new ConfigError('bad field')];
  for (const e of errors) t.true(e instanceof S3SealError && e instanceof Error);
  t.true(errors[0]!.retryable && errors[1]!.retryable && !errors[2]!.retryable);
  t.is(errors[0]!.cause, cause);
  t.is(errors[1]!.cause, cause);
  t.is(errors[2]!.code, 'InvalidConfiguration');
  t.false(new SealError('InvalidArgument', 'x').retryable);
  // a lost conditional-write race heals on retry; a tampered bucket configuration does not
  t.true(new SealError('ConditionalRequestConflict', 'x').retryable);
  t.false(new SealError('BucketConfigurationInvalid', 'x').retryable);
});

test('SealError codes → S3 code and status', (t) => {
  const expected: Record<SealErrorCode, [string, number]> = {
    EnvelopeMissing: ['InternalError', 500],
    EnvelopeMalformed: ['InternalError', 500],
    EnvelopeAuthFailed: ['InternalError', 500],
    UnsupportedFormatVersion: ['InternalError', 500],
    BodyMalformed: ['InternalError', 500],
    BodyAuthFailed: ['InternalError', 500],
    KeyCommitmentMismatch: ['InternalError', 500],
    BodyTruncated: ['InternalError', 500],
    BodyTrailingData: ['InternalError', 500],
    LayoutMismatch: ['InternalError', 500],
    MultipartIncomplete: ['InternalError', 500],
    UploadTokenInvalid: ['NoSuchUpload', 404],
    PartLengthMismatch: ['IncompleteBody', 400],
    InvalidArgument: ['InvalidArgument', 400],
    InvalidRequest: ['InvalidRequest', 400],
    InvalidEncryptionAlgorithm: ['InvalidEncryptionAlgorithmError', 400],
    InvalidRange: ['InvalidRange', 416],
    InvalidPartNumber: ['InvalidPartNumber', 416],
    AccessDenied: ['AccessDenied', 403],
    EncryptionPolicyDenied: ['AccessDenied', 403],
    PreconditionFailed: ['PreconditionFailed', 412],
    MissingContentLength: ['MissingContentLength', 411],
    ContentSha256Mismatch: ['XAmzContentSHA256Mismatch', 400],
    MalformedXML: ['MalformedXML', 400],
    InvalidPartOrder: ['InvalidPartOrder', 400],
    MetadataTooLarge: ['MetadataTooLarge', 400],
    EntityTooLarge: ['EntityTooLarge', 400],
    NotImplemented: ['NotImplemented', 501],
    IncompleteBody: ['IncompleteBody', 400],
    InvalidChunkEncoding: ['InvalidRequest', 400],
    MalformedTrailer: ['MalformedTrailerError', 400],
    SignatureDoesNotMatch: ['SignatureDoesNotMatch', 403],
    BadDigest: ['BadDigest', 400],
    InvalidDigest: ['InvalidDigest', 400],
    BackendUnavailable: ['ServiceUnavailable', 503],
    BucketConfigurationInvalid: ['ServiceUnavailable', 503],
    EncryptionConfigurationNotFound: ['ServerSideEncryptionConfigurationNotFoundError', 404],
    ConditionalRequestConflict: ['ConditionalRequestConflict', 409],
  };
  for (const [code, [s3, status]] of Object.entries(expected) as [SealErrorCode, [string, number]][]) {
    t.like(s3ErrorShape(new SealError(code, 'detail')), { code: s3, status }, code);
  }
  // integrity failures never put their details on the wire
  t.is(s3ErrorShape(new SealError('EnvelopeAuthFailed', 'envelope MAC does not match')).message, GENERIC);
  t.is(s3ErrorShape(new SealError('InvalidArgument', 'The secret key was invalid for the specified algorithm.')).message, 'The secret key was invalid for the specified algorithm.');
  // a denial says only what S3 says: the detail (key ids, configuration, envelope fields) stays in logs
  const denied = s3ErrorShape(new SealError('AccessDenied', 'b/k is SSE-KMS under arn:aws:kms:eu-west-1:1:key/planted, not a key this process is configured to read'));
  t.deepEqual(denied, { code: 'AccessDenied', status: 403, message: 'Access Denied' });
  // an encryption rule's refusal is built from local configuration only: the caller reads why
  t.deepEqual(s3ErrorShape(new SealError('EncryptionPolicyDenied', 'SSE-C is blocked for this bucket (BlockedEncryptionTypes)')), { code: 'AccessDenied', status: 403, message: 'SSE-C is blocked for this bucket (BlockedEncryptionTypes)' });
});

test('KeystoreError codes → S3 code and status (KMS.* 400 as S3 reports SSE-KMS key problems; outages 503)', (t) => {
  const expected: Record<KeystoreErrorCode, [string, number]> = {
    'KMS.NotFoundException': ['KMS.NotFoundException', 400],
    'KMS.DisabledException': ['KMS.DisabledException', 400],
    'KMS.InvalidCiphertextException': ['InternalError', 500],
    AccessDenied: ['AccessDenied', 403],
    'KMS.AlreadyExistsException': ['KMS.AlreadyExistsException', 409],
    KeyStoreUnavailable: ['ServiceUnavailable', 503],
    KeyStoreMisconfigured: ['InternalError', 500],
  };
  for (const [code, [s3, status]] of Object.entries(expected) as [KeystoreErrorCode, [string, number]][]) {
    t.like(s3ErrorShape(new KeystoreError(code, 'detail')), { code: s3, status }, code);
  }
  t.is(s3ErrorShape(new KeystoreError('KeyStoreMisconfigured', 'vault refused the request (403: permission denied)')).message, GENERIC);
});

test('unknown errors → InternalError 500 with a generic message; base-class errors by retryable', (t) => {
  for (const e of [new Error('key=c2VjcmV0'), new TypeError('x is undefined'), 'a string', undefined, null, { code: 'AccessDenied' }]) {
    t.deepEqual(s3ErrorShape(e), { code: 'InternalError', status: 500, message: GENERIC });
  }
  t.like(s3ErrorShape(new ConfigError('configuration field x')), { code: 'InternalError', status: 500, message: GENERIC });
  t.like(s3ErrorShape(new S3SealError('Whatever', 'x', { retryable: true })), { code: 'ServiceUnavailable', status: 503 });
});

test('XML error body: <Error><Code/><Message/><Resource/><RequestId/></Error>, escaped', (t) => {
  const xml = s3ErrorXml({ code: 'InvalidArgument', status: 400, message: 'a <b> & "c"' }, { resource: '/bucket/k&<y>', requestId: 'R1' }).toString('utf8');
  t.true(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code>'));
  t.false(xml.includes('<b>'));
  const parsed = new XMLParser().parse(xml) as { Error: Record<string, string> };
  t.deepEqual(parsed.Error, { Code: 'InvalidArgument', Message: 'a <b> & "c"', Resource: '/bucket/k&<y>', RequestId: 'R1' });
  const empty = s3ErrorXml({ code: 'InternalError', status: 500, message: GENERIC }).toString('utf8');
  t.true(empty.includes('<Resource></Resource>') && empty.includes('<RequestId></RequestId>'));
});

test('BackendRequestError keeps the backend S3 code and status with S3 text, never the backend message; odd codes are not echoed', (t) => {
  const cases: [string, number, string, number][] = [
    ['NoSuchKey', 404, 'NoSuchKey', 404],
    ['NotFound', 404, 'NoSuchKey', 404],
    ['NoSuchBucket', 404, 'NoSuchBucket', 404],
    ['PreconditionFailed', 412, 'PreconditionFailed', 412],
    ['NoSuchUpload', 404, 'NoSuchUpload', 404],
    ['BucketAlreadyOwnedByYou', 409, 'BucketAlreadyOwnedByYou', 409],
    ['BucketNotEmpty', 409, 'BucketNotEmpty', 409],
    ['SomeNewCode', 409, 'SomeNewCode', 409],
    ['<b>secret value</b>', 400, 'InvalidRequest', 400],
  ];
  for (const [backendCode, backendStatus, code, status] of cases) {
    const shape = s3ErrorShape(new BackendRequestError(backendCode, backendStatus, 'GetObject'));
    t.like(shape, { code, status }, backendCode);
    t.false(shape.message.includes('secret'), backendCode);
  }
});
