import { hkdfSync } from 'node:crypto';
import test from 'ava';
import fc from 'fast-check';
import { hkdfSha256 } from '../../src/crypto/kdf.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

test('hkdfSha256 gives RFC 5869 test case 1 (SHA-256, salt and info)', (t) => {
  const okm = hkdfSha256(hex('0b'.repeat(22)), hex('000102030405060708090a0b0c'), hex('f0f1f2f3f4f5f6f7f8f9'), 42);
  t.is(okm.toString('hex'), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
});

test('hkdfSha256 gives RFC 5869 test case 3 (empty salt means HashLen zero bytes, empty info)', (t) => {
  const okm = hkdfSha256(hex('0b'.repeat(22)), Buffer.alloc(0), Buffer.alloc(0), 42);
  t.is(okm.toString('hex'), '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
});

test('hkdfSha256 equals node:crypto hkdfSync for any key, salt, info and length', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 120 }), fc.integer({ min: 1, max: 200 }), (ikm, salt, info, len) => {
      return hkdfSha256(ikm, salt, info, len).equals(Buffer.from(hkdfSync('sha256', ikm, salt, info, len)));
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('hkdfSha256 refuses lengths RFC 5869 does not define', (t) => {
  t.throws(() => hkdfSha256(Buffer.alloc(32), Buffer.alloc(0), Buffer.alloc(0), 0), { instanceOf: RangeError });
  t.throws(() => hkdfSha256(Buffer.alloc(32), Buffer.alloc(0), Buffer.alloc(0), 255 * 32 + 1), { instanceOf: RangeError });
});
