/**
 * One function builds the committed envelope of a multipart object (issue 6, item 9): the production
 * Complete (SealedObjects.completeMultipart, through real MinIO) stores exactly what object-writer's
 * completeMultipart — the function gen-vectors writes test/vectors/multipart.json with — builds from
 * the token envelope and the part headers stored on the backend. test/unit/vectors.test.ts checks
 * that function against the committed vectors byte for byte.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../src/backends/s3-object-store.js';
import { ENVELOPE_METADATA_KEY } from '../../src/crypto/constants.js';
import { decodeEnvelopeBytes } from '../../src/crypto/envelope.js';
import type { PartRecord } from '../../src/crypto/layout.js';
import { decodeUploadToken } from '../../src/crypto/upload-token.js';
import { completeMultipart, completeMultipartProbe } from '../../src/engine/object-writer.js';
import { SealedObjects } from '../../src/engine/sealed-objects.js';
import { partCiphertextSize } from '../../src/engine/size-math.js';
import { SsecKeyResolver } from '../../src/engine/materials/ssec-key-resolver.js';
import { RecordingStore } from '../helpers/recording-store.js';
import { freshBucket, s3Client, service } from '../helpers/services.js';

const MiB = 1024 * 1024;

/** part number, plaintext length and salt of every part header in a stored multipart body (FORMAT.md §7.2) */
function storedRecords(body: Buffer): PartRecord[] {
  const out: PartRecord[] = [];
  for (let off = 0; off < body.length; ) {
    const partNumber = body.readUInt16BE(off + 6);
    const plaintextLength = Number(body.readBigUInt64BE(off + 8));
    out.push({ partNumber, plaintextLength, salt: Buffer.from(body.subarray(off + 16, off + 32)) });
    off += partCiphertextSize(plaintextLength);
  }
  return out;
}

test('minio: the envelope production Complete commits is byte for byte what object-writer completeMultipart builds (and its size probe is as long)', async (t) => {
  const desc = service('minio');
  const bucket = await freshBucket(desc, 'commit-env');
  const s3 = s3Client(desc);
  try {
    const root = randomBytes(32);
    const store = new RecordingStore(new S3ObjectStore(s3));
    const sealed = new SealedObjects(store, { uploadTokenRoot: root });
    const o = { bucket, key: 'one/commit path' };
    const keys = new SsecKeyResolver(randomBytes(32));
    // part numbers with a gap and two lengths: two runs in the layout
    const parts = [
      { partNumber: 1, body: randomBytes(5 * MiB) },
      { partNumber: 2, body: randomBytes(5 * MiB) },
      { partNumber: 5, body: randomBytes(70_000) },
    ];
    const token = await sealed.createMultipart(o, { owner: 'ada' }, keys);
    const etags = [];
    for (const p of parts) etags.push({ partNumber: p.partNumber, etag: await sealed.uploadPart(o, token, p.partNumber, p.body, p.body.length, keys) });
    await sealed.completeMultipart(o, token, etags.reverse(), keys);

    t.is(store.commits.length, 1);
    const committed = store.commits[0]!.metadata[ENVELOPE_METADATA_KEY];
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: o.key }));
    t.is(head.Metadata?.[ENVELOPE_METADATA_KEY], committed, 'what the commit sent is what the backend stores');

    const tokenEnvelope = decodeUploadToken(root, o, token).envelope;
    const dek = await keys.recover(o, decodeEnvelopeBytes(tokenEnvelope));
    const raw = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }))).Body!.transformToByteArray());
    const records = storedRecords(raw);
    t.deepEqual(records.map((r) => [r.partNumber, r.plaintextLength]), parts.map((p) => [p.partNumber, p.body.length]));
    const expected = completeMultipart(dek, tokenEnvelope, records);
    t.is(committed, expected, 'production Complete and the writer function produce the same envelope');
    t.is(completeMultipartProbe(dek, tokenEnvelope, records).length, expected.length, 'the budget probe has the committed length');
  } finally {
    s3.destroy();
  }
});

test('SealedObjects builds no envelope or layout itself: the committed envelope comes only from object-writer', (t) => {
  // dist/test/integration/*.js → the TypeScript source of the engine
  const src = readFileSync(fileURLToPath(new URL('../../../src/engine/sealed-objects.ts', import.meta.url)), 'utf8');
  t.notRegex(src, /\bencodeEnvelope\s*\(/, 'no inline encodeEnvelope');
  t.notRegex(src, /\b(buildLayout|encodeLayout)\s*\(/, 'no inline layout');
  t.regex(src, /\bcompleteMultipart\s*\(\s*dek\s*,/, 'calls the writer function');
  t.regex(src, /\bcompleteMultipartProbe\s*\(/, 'and its size probe');
});
