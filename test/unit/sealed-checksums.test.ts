/**
 * Sealed plaintext checksums (FORMAT.md §5.7): seal/open round trips, tampering → typed errors,
 * decoding bounded before anything is read, envelopes with and without the field; and through the
 * engine facade over an in-memory backend: declared (header) checksums sealed with the body,
 * trailer checksums sealed by a metadata replace, a mismatch storing nothing, checksums returned
 * only with checksumMode (never for a range), HEAD needing the key only then. MinIO (and the
 * unknown-length PUT in parts): test/integration/sealed-checksums.test.ts.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { CHECKSUM_DIGEST_SIZE, ENVELOPE_METADATA_KEY, SEALED_CHECKSUMS_MAX, USER_METADATA_LIMIT } from '../../src/crypto/constants.js';
import { canonicalContext } from '../../src/crypto/encryption-context.js';
import { LOCAL_WRAP_SIZE } from '../../src/crypto/local-wrap.js';
import { metadataSize, withEnvelope } from '../../src/engine/metadata-budget.js';
import { KMS_KEY_ARN } from '../helpers/engine-fixtures.js';
import { decodeEnvelopeBytes, encodeEnvelopeBytes } from '../../src/crypto/envelope.js';
import { buildLayout, encodeLayout } from '../../src/crypto/layout.js';
import { V1 } from '../../src/crypto/kdf.js';
import { checksumText, decodeChecksumEntries, encodeChecksumEntries, openChecksums, SEALED_CHECKSUM_ALGORITHMS, sealChecksums, type SealedChecksum } from '../../src/crypto/sealed-checksums.js';
import { SealError } from '../../src/errors.js';
import { ConfiguredReadKeys } from '../../src/engine/materials/configured-read-keys.js';
import { KeystoreRegistry } from '../../src/engine/materials/keystore-registry.js';
import { MaterialsManager, type EncryptionPlan } from '../../src/engine/materials/materials-manager.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { ObjectFacade } from '../../src/engine/facade/object-facade.js';
import type { BodyChecksums } from '../../src/engine/body-checksums.js';
import { PlaintextChecksums } from '../../src/adapters/s3/plaintext-checksums.js';
import { bodyChecksumsOf } from '../../src/adapters/s3/body-checksums-of.js';
import { checksumEchoHeaders, checksumModeRequested } from '../../src/adapters/s3/checksum-echo-headers.js';
import { CountingKeystore } from '../helpers/counting-keystore.js';
import { MemoryStore } from '../helpers/memory-store.js';

const dek = randomBytes(32);
const all: SealedChecksum[] = SEALED_CHECKSUM_ALGORITHMS.map((algorithm) => ({ algorithm, type: 'FULL_OBJECT', digest: randomBytes(CHECKSUM_DIGEST_SIZE[algorithm]) }));
const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
const codeOf = (f: () => unknown): string => {
  try {
    f();
    return 'no error';
  } catch (err) {
    return err instanceof SealError ? err.code : `untyped: ${String(err)}`;
  }
};

test('seal/open round trip: every algorithm once is the largest field (136 bytes); a fresh nonce per seal', (t) => {
  const sealed = sealChecksums(dek, all);
  t.is(sealed.length, SEALED_CHECKSUMS_MAX);
  t.deepEqual(openChecksums(dek, sealed, V1), all);
  const again = sealChecksums(dek, all);
  t.notDeepEqual(again.subarray(0, 12), sealed.subarray(0, 12), 'nonce differs');
  t.deepEqual(openChecksums(dek, again, V1), all);
  // entries are written in ascending algorithm order whatever order the writer gives
  t.deepEqual(openChecksums(dek, sealChecksums(dek, [...all].reverse()), V1), all);
});

test('COMPOSITE: only with a layout of that part count; S3 text form "base64-N"', (t) => {
  const nonce = randomBytes(16);
  const parts = [1, 2, 3].map((partNumber) => ({ partNumber, plaintextLength: 5 << 20, salt: randomBytes(16) }));
  const layout = encodeLayout(buildLayout(nonce, parts));
  const composite: SealedChecksum = { algorithm: 'SHA256', type: 'COMPOSITE', parts: 3, digest: randomBytes(32) };
  const opened = openChecksums(dek, sealChecksums(dek, [composite], { ...V1, layout }), { ...V1, layout });
  t.deepEqual(opened, [composite]);
  t.is(checksumText(opened[0]!), `${composite.digest.toString('base64')}-3`);
  t.is(codeOf(() => sealChecksums(dek, [composite])), 'EnvelopeMalformed', 'no layout');
  const sealed = sealChecksums(dek, [composite], { ...V1, layout });
  t.is(codeOf(() => openChecksums(dek, sealed, V1)), 'EnvelopeMalformed', 'opened as single-part');
  const twoParts = encodeLayout(buildLayout(nonce, parts.slice(0, 2)));
  t.is(codeOf(() => openChecksums(dek, sealed, { ...V1, layout: twoParts })), 'EnvelopeMalformed', 'part count differs from the layout');
  t.is(codeOf(() => sealChecksums(dek, [{ algorithm: 'CRC64NVME', type: 'COMPOSITE', parts: 3, digest: randomBytes(8) }], { ...V1, layout })), 'EnvelopeMalformed', 'CRC64NVME is full-object only');
});

test('tampering: a flipped byte anywhere, another DEK, another version or suite → EnvelopeAuthFailed', (t) => {
  const sealed = sealChecksums(dek, all.slice(0, 2));
  for (let i = 0; i < sealed.length; i++) {
    const b = Buffer.from(sealed);
    b[i] = b[i]! ^ 0x01;
    t.is(codeOf(() => openChecksums(dek, b, V1)), 'EnvelopeAuthFailed', `byte ${i}`);
  }
  t.is(codeOf(() => openChecksums(randomBytes(32), sealed, V1)), 'EnvelopeAuthFailed', 'another object (its DEK)');
  t.is(codeOf(() => openChecksums(dek, sealed, { version: 2, suite: 1 })), 'EnvelopeAuthFailed', 'version in key and AAD');
  t.is(codeOf(() => openChecksums(dek, sealed, { version: 1, suite: 2 })), 'EnvelopeAuthFailed', 'suite in key and AAD');
});

test('bounded decode: field and entry lengths are refused before anything is read or allocated', (t) => {
  t.is(codeOf(() => openChecksums(dek, Buffer.alloc(35), V1)), 'EnvelopeMalformed');
  t.is(codeOf(() => openChecksums(dek, Buffer.alloc(137), V1)), 'EnvelopeMalformed');
  t.is(codeOf(() => openChecksums(dek, Buffer.alloc(1 << 20), V1)), 'EnvelopeMalformed');
  t.is(codeOf(() => decodeChecksumEntries(Buffer.alloc(109))), 'EnvelopeMalformed');
  const ok = encodeChecksumEntries(all.slice(0, 1));
  t.is(codeOf(() => decodeChecksumEntries(ok.subarray(0, 7))), 'EnvelopeMalformed', 'digest cut');
  t.is(codeOf(() => decodeChecksumEntries(ok.subarray(0, 3))), 'EnvelopeMalformed', 'entry header cut');
  t.is(codeOf(() => decodeChecksumEntries(Buffer.alloc(0))), 'EnvelopeMalformed', 'no entry');
  t.is(codeOf(() => decodeChecksumEntries(Buffer.concat([ok, ok]))), 'EnvelopeMalformed', 'an algorithm twice');
  t.is(codeOf(() => decodeChecksumEntries(Buffer.from([7, 1, 0, 0, 1, 2, 3, 4]))), 'EnvelopeMalformed', 'unknown algorithm');
  t.is(codeOf(() => decodeChecksumEntries(Buffer.from([1, 3, 0, 0, 1, 2, 3, 4]))), 'EnvelopeMalformed', 'unknown type');
  // the envelope decoder bounds the field like any other (FORMAT.md §5.6)
  const env = encodeEnvelopeBytes({ mode: 'SSE-S3', keyRef: 'file:x', wrappedKey: randomBytes(60), sealedChecksums: sealChecksums(dek, all) }, dek);
  const at = env.indexOf(Buffer.from([0x0a, 0, SEALED_CHECKSUMS_MAX]));
  t.true(at > 0);
  const long = Buffer.from(env);
  long.writeUInt16BE(SEALED_CHECKSUMS_MAX + 1, at + 1);
  t.is(codeOf(() => decodeEnvelopeBytes(long)), 'EnvelopeMalformed');
});

test('writers refuse what readers refuse: repeated algorithm, wrong digest size, mixed types, parts on FULL_OBJECT', (t) => {
  const crc: SealedChecksum = { algorithm: 'CRC32', type: 'FULL_OBJECT', digest: randomBytes(4) };
  t.is(codeOf(() => sealChecksums(dek, [crc, crc])), 'EnvelopeMalformed');
  t.is(codeOf(() => sealChecksums(dek, [{ ...crc, digest: randomBytes(5) }])), 'EnvelopeMalformed');
  t.is(codeOf(() => sealChecksums(dek, [{ ...crc, parts: 2 }])), 'EnvelopeMalformed');
  t.is(codeOf(() => sealChecksums(dek, [])), 'EnvelopeMalformed');
  const layout = encodeLayout(buildLayout(randomBytes(16), [{ partNumber: 1, plaintextLength: 10, salt: randomBytes(16) }]));
  t.is(codeOf(() => sealChecksums(dek, [crc, { algorithm: 'SHA1', type: 'COMPOSITE', parts: 1, digest: randomBytes(20) }], { ...V1, layout })), 'EnvelopeMalformed');
  // MD5 (the ETag option's) may sit beside a COMPOSITE flexible checksum
  t.notThrows(() => sealChecksums(dek, [{ algorithm: 'SHA1', type: 'COMPOSITE', parts: 1, digest: randomBytes(20) }, { algorithm: 'MD5', type: 'FULL_OBJECT', digest: randomBytes(16) }], { ...V1, layout }));
});

test('absent field: envelopes without sealed checksums decode as before and have none', (t) => {
  const env = encodeEnvelopeBytes({ mode: 'SSE-S3', keyRef: 'file:x', wrappedKey: randomBytes(60) }, dek);
  const decoded = decodeEnvelopeBytes(env);
  t.is(decoded.sealedChecksums, undefined);
  t.deepEqual(SealedObjects.openChecksums(dek, decoded), []);
});

test('budget (FORMAT.md §5.3): the format\'s worst case plus every sealed checksum is 1 098 bytes, 1 464 characters, 1 481 bytes of budget', (t) => {
  const context = canonicalContext({ project: 'p'.repeat(512 - '{"project":""}'.length) });
  t.is(Buffer.byteLength(context), 512);
  const worst = { mode: 'SSE-KMS' as const, keyRef: KMS_KEY_ARN, wrappedKey: randomBytes(LOCAL_WRAP_SIZE), bucketKey: randomBytes(256), context };
  t.is(encodeEnvelopeBytes(worst, dek).length, 959, 'the worst case without checksums (§5.3)');
  const bytes = encodeEnvelopeBytes({ ...worst, sealedChecksums: sealChecksums(dek, all) }, dek);
  t.is(bytes.length, 1098);
  const env = bytes.toString('base64url');
  t.is(env.length, 1464);
  t.is(metadataSize(withEnvelope({}, env)), 1481);
  t.is(USER_METADATA_LIMIT - 1481, 567, 'left for the caller');
  // one SHA-256, the most one request carries: 67 bytes of field
  t.is(encodeEnvelopeBytes({ ...worst, sealedChecksums: sealChecksums(dek, [all[4]!]) }, dek).length - 959, 67);
});

// ---------------------------------------------------------------- through the facade (MemoryStore)

async function fixture(): Promise<{ store: MemoryStore; facade: ObjectFacade; file: CountingKeystore }> {
  const file = await CountingKeystore.create(['s3-default', 'a']);
  const registry = new KeystoreRegistry({ file }, 'file', undefined, undefined, 'file:s3-default');
  const opts = { defaultKmsKey: 'file:a' };
  const manager = new MaterialsManager(registry, new ConfiguredReadKeys(registry, opts), opts);
  const store = new MemoryStore();
  return { store, file, facade: new ObjectFacade(new SealedObjects(store, { uploadTokenRoot: randomBytes(32) }), manager, store) };
}

const base = { bucket: 'b', principal: 'svc' };
const body = Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 7) % 251));
const kms: EncryptionPlan = { mode: 'SSE-KMS', keyRef: 'file:a' };

/** what the S3 core builds from a request's headers (and trailers) */
function fromHeaders(headers: Record<string, string>, trailers?: Map<string, string>): { pc: PlaintextChecksums; checksums: BodyChecksums | undefined } {
  const pc = PlaintextChecksums.fromHeaders(headers);
  return { pc, checksums: bodyChecksumsOf(pc, () => trailers) };
}

function tapped(pc: PlaintextChecksums, b: Buffer): Readable {
  return Readable.from([b.subarray(0, 70_000), b.subarray(70_000)]).pipe(pc.tap());
}

test('facade: header checksums are sealed with the body (one backend PUT); returned only with checksumMode, never for a range', async (t) => {
  const f = await fixture();
  const { pc, checksums } = fromHeaders({ 'x-amz-checksum-sha256': sha256(body).toString('base64') });
  const put = await f.facade.putObject({ ...base, key: 'k', body: tapped(pc, body), contentLength: body.length, encryption: kms, checksums });
  t.deepEqual(put.checksums, { type: 'FULL_OBJECT', values: { SHA256: sha256(body).toString('base64') } });
  t.is(f.store.puts, 1);
  const head = await f.facade.headObject({ ...base, key: 'k', checksumMode: true });
  t.deepEqual(head.checksums, put.checksums);
  t.is((await f.facade.headObject({ ...base, key: 'k' })).checksums, undefined, 'HEAD without checksumMode');
  const got = await f.facade.getObject({ ...base, key: 'k', checksumMode: true });
  t.deepEqual(got.checksums, put.checksums);
  t.deepEqual(await buffer(got.body), body);
  const plain = await f.facade.getObject({ ...base, key: 'k' });
  t.is(plain.checksums, undefined, 'GET without checksumMode');
  await buffer(plain.body);
  const ranged = await f.facade.getObject({ ...base, key: 'k', checksumMode: true, range: { kind: 'from', first: 10, last: 20 } });
  t.is(ranged.checksums, undefined, 'ranged GET');
  await buffer(ranged.body);
  t.deepEqual(checksumEchoHeaders(head.checksums), { 'x-amz-checksum-sha256': sha256(body).toString('base64'), 'x-amz-checksum-type': 'FULL_OBJECT' });
  t.deepEqual(checksumEchoHeaders(undefined), {});
  t.true(checksumModeRequested({ 'x-amz-checksum-mode': 'ENABLED' }));
  t.false(checksumModeRequested({ 'x-amz-checksum-mode': 'enabled' }));
  t.false(checksumModeRequested({}));
});

test('facade: HEAD uses the key only with checksumMode on an object that has sealed checksums', async (t) => {
  const f = await fixture();
  const { pc, checksums } = fromHeaders({ 'x-amz-checksum-crc32': 'AAAAAA==' }, undefined);
  // a wrong declared CRC fails; the right one is computed below
  await t.throwsAsync(f.facade.putObject({ ...base, key: 'bad', body: tapped(pc, body), contentLength: body.length, encryption: kms, checksums }), { instanceOf: SealError, message: /CRC32/ });
  const c2 = fromHeaders({ 'x-amz-sdk-checksum-algorithm': 'CRC32' });
  await f.facade.putObject({ ...base, key: 'k', body: tapped(c2.pc, body), contentLength: body.length, encryption: kms, checksums: c2.checksums });
  await f.facade.putObject({ ...base, key: 'none', body, contentLength: body.length, encryption: kms });
  const before = f.file.calls.decryptDataKey;
  await f.facade.headObject({ ...base, key: 'k' });
  await f.facade.headObject({ ...base, key: 'none', checksumMode: true });
  t.is(f.file.calls.decryptDataKey, before, 'no unwrap for a plain HEAD, nor for checksumMode without sealed checksums');
  const head = await f.facade.headObject({ ...base, key: 'k', checksumMode: true });
  t.is(f.file.calls.decryptDataKey, before + 1, 'one unwrap to open the checksums');
  t.is(head.checksums?.type, 'FULL_OBJECT');
  t.is(Buffer.from(head.checksums?.values.CRC32 ?? '', 'base64').length, 4);
});

test('facade: a mismatching checksum stores nothing (BadDigest before the final chunk)', async (t) => {
  const f = await fixture();
  const { pc, checksums } = fromHeaders({ 'x-amz-checksum-sha256': sha256(Buffer.from('other')).toString('base64') });
  const err = await t.throwsAsync(f.facade.putObject({ ...base, key: 'k', body: tapped(pc, body), contentLength: body.length, encryption: kms, checksums }), { instanceOf: SealError });
  t.is(err?.code, 'BadDigest');
  await t.throwsAsync(async () => f.store.head('b', 'k'), undefined, 'nothing stored');
});

test('facade: a trailer checksum (known only after the body) is sealed by one metadata replace, sized before the body is sent', async (t) => {
  const f = await fixture();
  const trailers = new Map<string, string>();
  const { pc, checksums } = fromHeaders({ 'x-amz-trailer': 'x-amz-checksum-sha256' }, trailers);
  const source = tapped(pc, body).on('end', () => trailers.set('x-amz-checksum-sha256', sha256(body).toString('base64')));
  const put = await f.facade.putObject({ ...base, key: 't', body: source, contentLength: body.length, encryption: kms, checksums });
  t.is(put.checksums?.values.SHA256, sha256(body).toString('base64'));
  const head = await f.facade.headObject({ ...base, key: 't', checksumMode: true });
  t.deepEqual(head.checksums, put.checksums);
  t.is(head.etag, put.etag, 'the result names the object as finally stored');
  // over budget with the pending checksum: refused before any byte is sent
  const room = 2048 - (await f.store.head('b', 't')).metadata[ENVELOPE_METADATA_KEY]!.length - 17;
  const c2 = fromHeaders({ 'x-amz-trailer': 'x-amz-checksum-sha256' }, trailers);
  const puts = f.store.puts;
  const err = await t.throwsAsync(f.facade.putObject({ ...base, key: 't2', body: tapped(c2.pc, body), contentLength: body.length, encryption: kms, checksums: c2.checksums, userMetadata: { m: 'v'.repeat(room - 11) } }), { instanceOf: SealError });
  t.is(err?.code, 'MetadataTooLarge');
  t.is(f.store.puts, puts, 'nothing sent');
});

test('S3 core mapping: Content-MD5 is verified (alone too) but sealed only with sealMd5; a sealed MD5 is not a flexible checksum in results', async (t) => {
  const md5 = createHash('md5').update(body).digest('base64');
  t.is(bodyChecksumsOf(PlaintextChecksums.fromHeaders({}), () => undefined), undefined, 'no checksum at all');
  // a Content-MD5 alone seals nothing but is still verified before the final chunk
  const onlyMd5 = bodyChecksumsOf(PlaintextChecksums.fromHeaders({ 'content-md5': md5 }), () => undefined)!;
  t.deepEqual([...onlyMd5.algorithms], []);
  const wrongMd5 = PlaintextChecksums.fromHeaders({ 'content-md5': createHash('md5').update('x').digest('base64') });
  const f0 = await fixture();
  const bad = await t.throwsAsync(f0.facade.putObject({ ...base, key: 'md5', body: tapped(wrongMd5, body), contentLength: body.length, encryption: { mode: 'SSE-S3' }, checksums: bodyChecksumsOf(wrongMd5, () => undefined) }), { instanceOf: SealError });
  t.is(bad?.code, 'BadDigest');
  await t.throwsAsync(async () => f0.store.head('b', 'md5'), undefined, 'nothing stored');
  const pc = PlaintextChecksums.fromHeaders({ 'content-md5': md5, 'x-amz-checksum-sha256': sha256(body).toString('base64') });
  const c = bodyChecksumsOf(pc, () => undefined, { sealMd5: true })!;
  t.deepEqual([...c.algorithms], ['SHA256', 'MD5']);
  t.deepEqual(c.declared.map((d) => d.algorithm), ['SHA256', 'MD5'], 'both came as headers: sealed with the body');
  const f = await fixture();
  const put = await f.facade.putObject({ ...base, key: 'm', body: tapped(pc, body), contentLength: body.length, encryption: { mode: 'SSE-S3' }, checksums: c });
  t.deepEqual(put.checksums, { type: 'FULL_OBJECT', values: { SHA256: sha256(body).toString('base64') } });
  const env = decodeEnvelopeBytes(Buffer.from((await f.store.head('b', 'm')).metadata[ENVELOPE_METADATA_KEY]!, 'base64url'));
  t.is(env.sealedChecksums?.length, 12 + 4 + 32 + 4 + 16 + 16, 'the MD5 is sealed too');
  // a trailer announced but not sent is the S3 core's MalformedTrailer, before the final chunk
  const trailed = PlaintextChecksums.fromHeaders({ 'x-amz-trailer': 'x-amz-checksum-crc32' });
  const err = await t.throwsAsync(f.facade.putObject({ ...base, key: 'n', body: tapped(trailed, body), contentLength: body.length, encryption: { mode: 'SSE-S3' }, checksums: bodyChecksumsOf(trailed, () => new Map()) }), { instanceOf: SealError });
  t.is(err?.code, 'MalformedTrailer');
  await t.throwsAsync(async () => f.store.head('b', 'n'), undefined, 'nothing stored');
});
