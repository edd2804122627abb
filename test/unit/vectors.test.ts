import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateVectors } from '../../scripts/gen-vectors.js';
import { readVector } from '../helpers/vector-reader.js';
import { applyChanges } from '../helpers/vector-edit.js';
import { unhex, type Tampered, type VectorFile } from '../helpers/vector-model.js';
import { SealError } from '../../src/errors.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { decodeUploadToken } from '../../src/crypto/upload-token.js';
import { chunkSpan, MAX_PART_PLAINTEXT, MAX_SINGLE_PART_PLAINTEXT, partCiphertextSize, singlePartCiphertextSize, singlePartPlaintextSize } from '../../src/engine/size-math.js';
import { metadataSize } from '../../src/engine/metadata-budget.js';
import { BODY_HEADER_SIZE } from '../../src/crypto/constants.js';

// Vectors are committed JSON; tests run from dist/, so read them from the source tree.
const VECTOR_DIR = join(process.cwd(), 'test', 'vectors');
const load = (f: string): VectorFile => JSON.parse(readFileSync(join(VECTOR_DIR, f), 'utf8')) as VectorFile;
const FILES = ['single.json', 'ssec.json', 'keystore-wraps.json', 'multipart.json', 'upload-token.json', 'sizes.json', 'checksums.json'];

test('committed vectors are exactly what the engine writes today (byte for byte)', async (t) => {
  const fresh = await generateVectors();
  t.deepEqual(Object.keys(fresh).sort(), [...FILES].sort());
  for (const f of FILES) t.is(readFileSync(join(VECTOR_DIR, f), 'utf8'), fresh[f] ?? '', `${f} differs from a fresh generation`);
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return err instanceof SealError || err instanceof KeystoreError ? err.code : `untyped: ${String(err)}`;
  }
}

for (const f of ['single.json', 'ssec.json', 'keystore-wraps.json', 'multipart.json', 'checksums.json']) {
  for (const v of load(f).vectors) {
    test(`vector ${String(v.name)}: decodes to its plaintext`, async (t) => {
      const { plaintext, checksums } = await readVector(v);
      t.true(plaintext.equals(unhex(String(v.plaintext))));
      if (v.kind === 'checksums') {
        // FORMAT.md §5.7: the opened entries, as S3 writes them
        const got = (checksums ?? []).map((c) => ({ algorithm: c.algorithm, type: c.type, parts: c.parts ?? 0, value_b64: c.digest.toString('base64') }));
        t.deepEqual(got, v.expected_checksums);
      }
    });
    for (const tv of v.tampered as Tampered[]) {
      test(`vector ${String(v.name)}: tampered "${tv.name}" → ${tv.error}`, async (t) => {
        t.is(await codeOf(readVector(applyChanges(v, tv.changes))), tv.error);
      });
    }
    if (Array.isArray(v.ranges)) {
      test(`vector ${String(v.name)}: ranges`, async (t) => {
        for (const r of v.ranges as { start: number; end: number; plaintext: string }[]) {
          const { plaintext } = await readVector(v, r);
          t.is(plaintext.toString('hex'), r.plaintext, `range ${r.start}-${r.end}`);
        }
      });
    }
  }
}

for (const v of load('upload-token.json').vectors) {
  const o = (x: Record<string, unknown>) => ({ bucket: String(x.bucket_utf8), key: String(x.key_utf8) });
  test(`vector ${String(v.name)}: upload token decodes`, (t) => {
    const tok = decodeUploadToken(unhex(String(v.root)), o(v), String(v.token_b64u));
    t.is(tok.backendUploadId, String(v.expected_backend_upload_id_utf8));
    t.is(tok.envelope.toString('hex'), String(v.expected_envelope));
    t.is(tok.callerMetadataSize, Number(v.expected_caller_metadata_size));
    // FORMAT.md §7.1/§5.3: the size counts every name with its x-amz-meta- prefix
    t.is(metadataSize(v.caller_metadata_utf8 as Record<string, string>), Number(v.expected_caller_metadata_size));
  });
  for (const tv of v.tampered as Tampered[]) {
    test(`vector ${String(v.name)}: tampered "${tv.name}" → ${tv.error}`, async (t) => {
      const x = applyChanges(v, tv.changes);
      t.is(await codeOf(Promise.resolve().then(() => decodeUploadToken(unhex(String(x.root)), o(x), String(x.token_b64u)))), tv.error);
    });
  }
}

test('vector sizes and ranges: formula, inverse and fetched byte ranges', (t) => {
  const [sizes, ranges] = load('sizes.json').vectors as [Record<string, unknown>, Record<string, unknown>];
  for (const s of sizes.valid as { plaintext_length: number; stored_size: number }[]) {
    t.is(singlePartCiphertextSize(s.plaintext_length), s.stored_size);
    t.is(singlePartPlaintextSize(s.stored_size), s.plaintext_length);
  }
  for (const s of sizes.impossible as { stored_size: number; error: string }[]) {
    const err = t.throws(() => singlePartPlaintextSize(s.stored_size), { instanceOf: SealError });
    t.is(String(err?.code), s.error);
  }
  for (const r of ranges.ranges as { plaintext_length: number; start: number; end: number; stored_start: number; stored_end: number }[]) {
    const span = chunkSpan(r.start, r.end, r.plaintext_length, BODY_HEADER_SIZE);
    t.deepEqual([span.cipherStart, span.cipherEnd], [r.stored_start, r.stored_end]);
  }
});

test('vector limits: the largest single-part and part plaintexts fill S3\'s 5 GiB exactly (FORMAT.md §6.2, §7.4)', (t) => {
  const limits = load('sizes.json').vectors.find((x) => x.kind === 'limits')!;
  t.is(MAX_SINGLE_PART_PLAINTEXT, Number(limits.max_single_part_plaintext));
  t.is(singlePartCiphertextSize(MAX_SINGLE_PART_PLAINTEXT), Number(limits.max_single_part_stored));
  t.true(Number(limits.max_single_part_stored) <= Number(limits.s3_max_put_size));
  t.true(singlePartCiphertextSize(MAX_SINGLE_PART_PLAINTEXT + 1) > Number(limits.s3_max_put_size));
  t.is(MAX_PART_PLAINTEXT, Number(limits.max_part_plaintext));
  t.is(partCiphertextSize(MAX_PART_PLAINTEXT), Number(limits.max_part_stored));
  t.true(partCiphertextSize(MAX_PART_PLAINTEXT + 1) > Number(limits.s3_max_part_size));
});

test('a ranged read of a vector fetches only the covering chunks', async (t) => {
  const v = load('single.json').vectors.find((x) => x.name === 'single-131073')!;
  const { requested } = await readVector(v, { start: 70000, end: 70010 });
  t.deepEqual(requested, [{ start: BODY_HEADER_SIZE + 65552, end: BODY_HEADER_SIZE + 2 * 65552 - 1 }]);
});
